"""ECS pages: a cluster (Services | Tasks | Container instances | Metrics), a service
(Details, Deployments, Events, Tasks, Targets, Logs, Metrics, Auto scaling) and a task
(its containers and logs, with a shell in a container on ``s``).
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import ContentSwitcher

from computetui.backends.base import Backend
from computetui.models import ecs as m
from computetui.ui.format import describe_error
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.tabs import Facts, PanelView, TabbedScreen
from computetui.ui.services.ecs import cluster_views as rows
from computetui.ui.services.ecs.panels import AutoScalingPanel, EcsLogsPanel, EcsMetricsPanel, ServiceDetails
from computetui.ui.states import TONE_VARIABLE, tone
from computetui.ui.views import ResourceView, Row
from computetui.ui.widgets.resource_table import ResourceTable


def _state(text: str) -> str:
    return TONE_VARIABLE.get(tone(text), "$foreground")


def _ctrl_d(verb: str, binding_id: str, tooltip: str, label: str | None = None) -> Binding:
    """ctrl+d for the tabs whose rows it ``verb``s (Stop, Deregister...), named as the console's button is."""
    return Binding("ctrl+d", f"delete_as('{verb}')", label or verb, id=binding_id, tooltip=tooltip)


DELETE = Binding("ctrl+d", "delete", "Delete", id="delete", tooltip="Delete the resource (asks first)")
SHOW_TASKS = (
    # One key, named for what it shows next; both share an id so a keymap moves them together.
    Binding("x", "show_tasks('STOPPED')", "Stopped", id="toggle-stopped",
            tooltip="Show the tasks stopped in the last hour instead of the running ones"),
    Binding("x", "show_tasks('RUNNING')", "Running", id="toggle-stopped", tooltip="Show the running tasks again"),
)
STOP_TASK = _ctrl_d("Stop", "stop-task", "Stop the task: SIGTERM, then SIGKILL after the stop timeout (asks first)")


class _EcsTabs(TabbedScreen):
    """What the cluster, service and task pages share: ctrl+d named by its verb, ``x`` on Tasks."""

    cluster: str
    service: str | None = None
    """The service whose tasks the Tasks tab lists; None on a cluster's page (all its tasks)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if action == "delete_as" and isinstance(view, ResourceView) and view.id == "tasks" and view.context.get("stopped"):
            return False  # nothing left to stop
        if action == "show_tasks":
            stopped = isinstance(view, ResourceView) and bool(view.context.get("stopped"))
            return view.id == "tasks" and stopped == (parameters[0] == "RUNNING")
        return super().check_action(action, parameters)

    async def action_show_tasks(self, status: str) -> None:
        await self.toggle_tasks()

    async def toggle_tasks(self) -> None:
        """``x`` on a Tasks tab swaps running tasks for stopped ones and back."""
        view = next((v for v in self.views if v.id == "tasks"), None)
        if not isinstance(view, ResourceView):
            return
        stopped = not view.context.get("stopped", False)
        other = rows.stopped_variant(view, self.cluster, stopped, self.service)
        if other.columns != view.columns:
            await self._new_table(other)
        self.replace_view(other)
        self.refresh_bindings()
        self.notify("Showing stopped tasks (kept an hour)." if stopped else "Showing running tasks.", timeout=2)

    async def _new_table(self, view: ResourceView) -> None:
        """Stopped tasks have columns of their own: a fresh table takes the old one's place."""
        table = ResourceTable(view.columns, title=view.title, empty_hint=self.empty_hint(view), sort=view.sort,
                              id=f"view-{view.id}")
        table.sort_reverse = bool(view.context.get("stopped"))  # the latest to stop first
        await self.table_of(view.id).remove()
        self.register_table(view.id, table)
        await self.query_one("#switcher", ContentSwitcher).mount(table)
        if self.view.id == view.id:
            table.focus()

    def empty_hint(self, view: ResourceView) -> str:
        if view.id == "tasks":
            if view.context.get("stopped"):
                return "No task stopped in the last hour.\nPress x to show the running tasks."
            run = "\nPress c to run one." if view.creates and not self.console.settings.read_only else ""
            return f"No running tasks.{run}\nPress x to show the tasks stopped in the last hour."
        if view.id == "instances":
            register = "\nPress c to register one." if not self.console.settings.read_only else ""
            return ("No container instances: tasks on the EC2 launch type need one; Fargate tasks do not."
                    + register)
        return super().empty_hint(view)


# -- a cluster -----------------------------------------------------------------------
class ClusterScreen(_EcsTabs):
    page_id = "ecs"

    BINDINGS = [
        DELETE,
        STOP_TASK,
        _ctrl_d("Deregister", "deregister-instance",
                "Deregister the container instance: it leaves the cluster (asks first)"),
        *SHOW_TASKS,
        Binding("u", "update_service", "Update", id="update-service",
                tooltip="Change the service's desired count or task definition, or force a new deployment"),
        Binding("n", "drain", "Drain/activate", id="drain-instance",
                tooltip="Set the container instance to DRAINING (its service tasks move), or back to ACTIVE"),
    ]
    MUTATING = _EcsTabs.MUTATING | {"update_service", "drain"}

    def __init__(self, cluster: str, view: str | None = None) -> None:
        services, tasks, instances = rows.cluster_views(cluster)
        metrics = PanelView("metrics", "Metrics", lambda: EcsMetricsPanel(cluster))
        super().__init__([services, tasks, instances, metrics], view)
        self.cluster = cluster

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "ECS", "Clusters", self.cluster, self.view.title]

    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Cluster[/] [b $primary]$c[/]", c=self.cluster), id="facts")

    def fetch_header(self, backend: Backend) -> Any:
        assert backend.ecs is not None
        found = backend.ecs.describe_clusters([self.cluster])
        return found[0] if found else None

    def show_header(self, cluster: m.Cluster | None) -> None:
        if cluster is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"Cluster {self.cluster} no longer exists. Press esc to go back.")
            return
        facts = [rows.plural(cluster.active_services_count, "service"),
                 rows.plural(cluster.running_tasks_count, "running task")]
        if cluster.pending_tasks_count:  # only when there are some: the line must fit 120 columns
            facts.append(f"{cluster.pending_tasks_count} pending")
        facts.append(rows.plural(cluster.registered_container_instances_count, "container instance"))
        self.query_one("#facts", Facts).update(Content.from_markup(
            f"[b]Cluster[/] [b $primary]$c[/]  [{_state(cluster.status.value)}]● $s[/]  [$muted]$d[/]",
            c=cluster.cluster_name, s=cluster.status.value,
            d=" · ".join(facts)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "update_service":
            return self.view.id == "services"
        if action == "drain":
            return self.view.id == "instances"
        return super().check_action(action, parameters)

    def open_row(self, view: ResourceView, row: Row) -> None:
        if view.id == "services":
            self.app.push_screen(ServiceScreen(self.cluster, row.name))
        elif view.id == "tasks":
            self.app.push_screen(TaskScreen(self.cluster, row.key))
        else:
            super().open_row(view, row)

    def action_update_service(self) -> None:
        row = self.selected()
        if row is None:
            self.notify("No service is selected.", severity="warning")
            return
        if self.console.refuse_if_read_only(f"updating service {row.name}"):
            return
        from computetui.ui.services.ecs.forms import UpdateServiceForm

        self.app.push_screen(UpdateServiceForm(self.cluster, row.name), lambda done: done and self.reload())

    def action_drain(self) -> None:
        row = self.selected()
        if row is None:
            self.notify("No container instance is selected.", severity="warning")
            return
        status = "ACTIVE" if row.state == "DRAINING" else "DRAINING"
        if self.console.refuse_if_read_only(f"setting container instance {row.name} to {status}"):
            return
        self.run_action(
            "Container instance not changed",
            lambda b: b.ecs.update_container_instances_state(self.cluster, [row.key], status),
            f"Container instance {row.name} is {status}"
            + (": its service tasks move to other instances." if status == "DRAINING" else "."),
        )


# -- a service -------------------------------------------------------------------------
def _fetch_service_rows(cluster: str, name: str, kind: str) -> Any:
    def fetch(b: Backend) -> list[Row]:
        assert b.ecs is not None
        found = b.ecs.describe_services(cluster, [name])
        if not found:
            return []
        service = found[0]
        if kind == "deployments":
            return rows.deployment_rows(service)
        if kind == "targets":
            return rows.target_rows(b.ecs.describe_service_load_balancers(cluster, name))
        activities = []
        scaling = getattr(b, "autoscaling", None)
        if scaling is not None:
            try:
                activities = scaling.describe_scaling_activities("ecs", resource_id=f"service/{cluster}/{name}")
            except Exception:  # events still show without auto scaling's
                activities = []
        return rows.event_rows(service, activities)

    return fetch


class ServiceScreen(_EcsTabs):
    page_id = "ecs"

    BINDINGS = [
        DELETE,
        STOP_TASK,
        Binding("ctrl+d", "turn_off_scaling", "Turn off", id="turn-off-scaling",
                tooltip="Turn off auto scaling: delete the scalable target and its policies (asks first)"),
        Binding("u", "update", "Update", id="update-service",
                tooltip="Change the desired count or task definition, or force a new deployment"),
        *SHOW_TASKS,
        Binding("a", "auto_scaling", "Scaling", id="auto-scaling",
                tooltip="Set target tracking: minimum, maximum and the average CPU or memory to keep"),
    ]
    MUTATING = _EcsTabs.MUTATING | {"update", "auto_scaling", "turn_off_scaling"}

    def __init__(self, cluster: str, service: str, view: str | None = None) -> None:
        context = {"cluster": cluster, "service": service}
        _services, tasks, _instances = rows.cluster_views(cluster)
        # c would run a standalone task, not one of the service's: the service's count is changed with u.
        tasks = replace(rows.stopped_variant(tasks, cluster, False, service), creates=None)
        views: list[Any] = [
            PanelView("details", "Details", lambda: ServiceDetails(cluster, service)),
            ResourceView("deployments", "Deployments", "deployment", rows.DEPLOYMENT_COLUMNS,
                         _fetch_service_rows(cluster, service, "deployments"), sort="updated", context=context),
            ResourceView("events", "Events", "event", rows.EVENT_COLUMNS,
                         _fetch_service_rows(cluster, service, "events"), sort="time", context=context),
            tasks,
            ResourceView("targets", "Targets", "target", rows.TARGET_COLUMNS,
                         _fetch_service_rows(cluster, service, "targets"), logs="ecs-task-logs", context=context),
            PanelView("logs", "Logs", lambda: EcsLogsPanel(cluster, service=service)),
            PanelView("metrics", "Metrics", lambda: EcsMetricsPanel(cluster, service)),
            PanelView("scaling", "Auto scaling", lambda: AutoScalingPanel(cluster, service)),
        ]
        super().__init__(views, view)
        self.cluster = cluster
        self.service = service

    def on_mount(self) -> None:
        super().on_mount()
        for newest_first in self.query("#view-events, #view-deployments"):
            newest_first.sort_reverse = True  # type: ignore[attr-defined]

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "ECS", "Clusters", self.cluster, "Services", self.service, self.view.title]

    def empty_hint(self, view: ResourceView) -> str:
        if view.id == "targets":
            return ("No targets. A service gets a load balancer when it is created with one "
                    "(the create form's load balancer option).")
        return super().empty_hint(view)

    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Service[/] [b $primary]$s[/]", s=self.service), id="facts")

    def fetch_header(self, backend: Backend) -> Any:
        assert backend.ecs is not None
        found = backend.ecs.describe_services(self.cluster, [self.service])
        return found[0] if found else None

    def show_header(self, service: m.Service | None) -> None:
        if service is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"Service {self.service} no longer exists. Press esc to go back.")
            return
        primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
        rollout = primary.rollout_state.value if primary and primary.rollout_state else "-"
        self.query_one("#facts", Facts).update(Content.from_markup(
            f"[b]Service[/] [b $primary]$n[/]  [{_state(service.status.value)}]● $s[/]  "
            f"[$muted]$d · deployment[/] [{_state(rollout)}]$r[/]",
            n=service.service_name, s=service.status.value,
            d=f"{service.running_count}/{service.desired_count} running · {service.pending_count} pending · "
              f"{rows.short(service.task_definition)} · {service.launch_type.value if service.launch_type else '-'}",
            r=rollout))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "turn_off_scaling":
            return self.view.id == "scaling"
        return super().check_action(action, parameters)

    def open_row(self, view: ResourceView, row: Row) -> None:
        if view.id in ("tasks", "targets"):
            self.app.push_screen(TaskScreen(self.cluster, row.key))
        else:
            super().open_row(view, row)

    def action_update(self) -> None:
        if self.console.refuse_if_read_only(f"updating service {self.service}"):
            return
        from computetui.ui.services.ecs.forms import UpdateServiceForm

        self.app.push_screen(UpdateServiceForm(self.cluster, self.service), lambda done: done and self.reload())

    def action_auto_scaling(self) -> None:
        if self.console.refuse_if_read_only(f"changing auto scaling of {self.service}"):
            return
        from computetui.ui.services.ecs.forms import AutoScalingForm

        self.app.push_screen(AutoScalingForm(self.cluster, self.service), lambda done: done and self.reload())

    def action_turn_off_scaling(self) -> None:
        if self.console.refuse_if_read_only(f"turning off auto scaling of {self.service}"):
            return
        resource = f"service/{self.cluster}/{self.service}"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_action(
                    "Auto scaling not turned off",
                    lambda b: b.autoscaling.deregister_scalable_target("ecs", resource, "ecs:service:DesiredCount"),
                    f"Auto scaling is off for {self.service}; its desired count stays where it is.",
                )

        self.app.push_screen(ConfirmScreen(
            Content.from_markup("Turn off auto scaling for [b]$s[/b]?", s=self.service),
            "Its scalable target and policies are deleted; the desired count stays as it is now.",
            "Turn off"), confirmed)


# -- a task --------------------------------------------------------------------------
class TaskScreen(_EcsTabs):
    page_id = "ecs"

    BINDINGS = [
        DELETE,
        _ctrl_d("Stop", "stop-this-task", "Stop this task: every container gets SIGTERM, then SIGKILL (asks first)",
                label="Stop task"),
        Binding("s", "shell", "Shell", id="exec-shell", tooltip="Open a shell in the container (ECS Exec)"),
    ]
    MUTATING = _EcsTabs.MUTATING | {"shell"}

    def __init__(self, cluster: str, task_arn: str, view: str | None = None) -> None:
        self.cluster = cluster
        self.task_arn = task_arn
        self.task_id = rows.short(task_arn)
        self.stopped = False

        def stop(b: Backend, row: Row) -> None:
            assert b.ecs is not None
            b.ecs.stop_task(cluster, task_arn, reason="Task stopped by user from computetui")

        def containers(b: Backend) -> list[Row]:
            assert b.ecs is not None
            found = b.ecs.describe_tasks(cluster, [task_arn])
            return rows.container_rows(found[0]) if found else []

        views: list[Any] = [
            ResourceView("containers", "Containers", "container", rows.CONTAINER_COLUMNS, containers,
                         delete=stop, delete_verb="Stop", context={"cluster": cluster, "task": task_arn},
                         delete_warning="Stopping a container stops its whole task: every container gets SIGTERM, "
                                        "then SIGKILL after its stop timeout."),
            PanelView("logs", "Logs", lambda: EcsLogsPanel(cluster, task=task_arn)),
        ]
        super().__init__(views, view)

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "ECS", "Clusters", self.cluster, "Tasks", self.task_id[:rows.ID_WIDTH], self.view.title]

    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Task[/] [b $primary]$t[/]", t=self.task_id), id="facts")

    def fetch_header(self, backend: Backend) -> Any:
        assert backend.ecs is not None
        found = backend.ecs.describe_tasks(self.cluster, [self.task_arn])
        return found[0] if found else None

    def show_header(self, task: m.Task | None) -> None:
        if task is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"Task {self.task_id} is gone (stopped tasks are kept an hour). Press esc to go back.")
            return
        # Line one says what the task is; line two when and where it ran; line three why it stopped.
        what = [rows.short(task.task_definition_arn), task.launch_type.value if task.launch_type else "-"]
        if task.desired_status != task.last_status:
            what.append(f"desired {task.desired_status.value}")
        where = []
        if task.started_at:
            where.append(f"started {task.started_at:%Y-%m-%d %H:%M:%S} UTC")
        if task.stopped_at:
            same_day = task.started_at and task.started_at.date() == task.stopped_at.date()
            where.append(f"stopped {task.stopped_at:{'%H:%M:%S' if same_day else '%Y-%m-%d %H:%M:%S'}} UTC")
        if task.container_instance_arn:
            where.append(f"on container instance {rows.short_id(task.container_instance_arn)}")
        address = rows.task_address(task)
        if address:
            where.append(f"IP {address}")
        reason = rows.stop_reason(task)
        stopped = task.last_status is m.TaskStatus.STOPPED
        if stopped != self.stopped:
            self.stopped = stopped
            self.refresh_bindings()  # no shell in, and no stopping, a task that has stopped
        self.query_one("#facts", Facts).update(Content.from_markup(
            f"[b]Task[/] [b $primary]$t[/]  [{_state(task.last_status.value)}]● $s[/]  [$muted]$d[/]"
            + ("\n[$muted]$w[/]" if where else "") + ("\n[$error]Stopped: $x[/]" if reason else ""),
            t=self.task_id, s=task.last_status.value, d=" · ".join(what), w=" · ".join(where), x=reason or ""))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "shell":
            return self.view.id == "containers" and not self.stopped
        if action == "delete_as" and self.stopped:
            return False
        if action == "create":
            return False
        return super().check_action(action, parameters)

    def open_row(self, view: ResourceView, row: Row) -> None:
        self.console.open_json(self.page_id, [*self.crumbs, row.name], view, row)

    def action_shell(self) -> None:
        row = self.selected()
        if row is None:
            self.notify("No container is selected.", severity="warning")
            return
        if self.console.refuse_if_read_only(f"opening a shell in {row.name}"):
            return
        self._exec(row.name)

    @work(thread=True, exit_on_error=False, group="action")
    def _exec(self, container: str) -> None:
        backend = self.console.backend
        if backend is None or backend.ecs is None:
            return
        try:
            argv = backend.ecs.execute_command_argv(self.cluster, self.task_arn, container)
        except Exception as exc:
            self.app.call_from_thread(self.notify, describe_error(exc), title="No shell", severity="error",
                                      timeout=8, markup=False)
            return
        self.app.call_from_thread(self._run_shell, argv, container)

    def _run_shell(self, argv: list[str], container: str) -> None:
        """Hand the terminal to the shell; the console comes back when it exits."""
        from textual.app import SuspendNotSupported

        try:
            with self.app.suspend():
                print(f"\n[computetui] shell in {container} of task {self.task_id}; exit to come back.\n",
                      flush=True)
                code = subprocess.call(argv)
        except SuspendNotSupported:  # no terminal to hand over (tests, web): run it without one
            quiet = [a for a in argv if a != "-it"]
            code = subprocess.call(quiet, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        self.last_shell = (argv, code)
        self.notify(f"Shell in {container} ended (exit code {code}).", timeout=4, markup=False)
        self.reload()
