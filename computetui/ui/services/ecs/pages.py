"""What ECS's rows open (a cluster, a task definition family; ``l``, a service's or a task's Logs tab) and
the forms ``c`` opens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.screens.opening import FormOpener, PageMaker, want
from computetui.ui.views import ResourceView, Row

if TYPE_CHECKING:
    from computetui.ui.console import Console


def _cluster(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.ecs.screens import ClusterScreen

    return ClusterScreen(row.name)


def _ecs_form(kind: str) -> FormOpener:
    """Open an ECS form with the cluster from the page it was opened on; refresh that page after."""

    def open_form(app: Console, context: dict[str, Any]) -> None:
        from computetui.ui.services.ecs import forms as ecs_forms

        form_class = {
            "cluster": ecs_forms.CreateClusterForm,
            "ecs-task": ecs_forms.RunTaskForm,
            "ecs-service": ecs_forms.CreateServiceForm,
            "ecs-instance": ecs_forms.RegisterInstanceForm,
        }[kind]
        screen = app.screen
        form = form_class(context.get("cluster", "default"))

        def done(changed: bool | None) -> None:
            if changed and hasattr(screen, "reload"):
                want(screen, getattr(form, "created", None))
                screen.reload()

        app.push_screen(form, done)

    return open_form


def _service_logs(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.ecs.screens import ServiceScreen

    return ServiceScreen(view.context["cluster"], row.name, view="logs")


def _task_logs(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    """A task's Logs tab: for a row of tasks, or of a load balancer's targets (each a task)."""
    from computetui.ui.services.ecs.screens import TaskScreen

    return TaskScreen(view.context["cluster"], row.key, view="logs")


def _task_family(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.ecs.task_family import TaskFamilyScreen

    # A family with no ACTIVE revision opens on all of them: its ACTIVE list would be empty.
    return TaskFamilyScreen(row.extra.get("family", row.name), show_inactive=row.state == "INACTIVE")


def _register_task_definition(app: Console, context: dict[str, Any]) -> None:
    """A new family from the template, or (``{"family": name}``) the family's next revision."""
    from computetui.ui.services.ecs.register_task_definition import RegisterTaskDefinitionScreen
    from computetui.ui.services.ecs.task_family import TaskFamilyScreen

    def registered(td: Any) -> None:
        if td is None:
            return
        app.notify(f"Registered task definition {td.family}:{td.revision}", markup=False)
        screen = app.screen
        if isinstance(screen, TaskFamilyScreen) and screen.family == td.family:
            screen.focus_revision(td.task_definition_arn)
            screen.reload()
        else:
            app.push_screen(TaskFamilyScreen(td.family, focus_key=td.task_definition_arn))

    app.push_screen(RegisterTaskDefinitionScreen(context.get("family")), registered)


PAGES: dict[str, PageMaker] = {
    "cluster": _cluster,
    "task-family": _task_family,
    "ecs-service-logs": _service_logs,
    "ecs-task-logs": _task_logs,
}

FORMS: dict[str, FormOpener] = {
    "cluster": _ecs_form("cluster"),
    "ecs-task": _ecs_form("ecs-task"),
    "ecs-service": _ecs_form("ecs-service"),
    "ecs-instance": _ecs_form("ecs-instance"),
    "task-definition": _register_task_definition,
}
