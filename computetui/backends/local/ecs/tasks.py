"""ECS tasks as containers on the engine, walking AWS's lifecycle.

PROVISIONING -> PENDING (images pulled) -> ACTIVATING (containers created and
started in dependsOn order) -> RUNNING (every essential container up) ->
DEACTIVATING -> STOPPING (containers stopped) -> DEPROVISIONING -> STOPPED.

A task's containers share one network namespace in awsvpc mode: the first
container to start owns it and publishes every port, unless that container is
one that is meant to finish (non-essential, or awaited with COMPLETE/SUCCESS),
in which case a pause container holds the namespace, as the ECS agent's does.
In bridge mode each container publishes its own ports.

This module walks the lifecycle. What a task's containers are (their order,
specs, labels, bindings) is :mod:`~computetui.backends.local.ecs.task_containers`;
what is not ECS's at all — running a spec with the emulator's labels and limits,
SIGTERM then SIGKILL, reading the engine, the restart's sorting out, the thread
pool — is the shared runner's (:mod:`computetui.backends.local.containers`).
Starting and stopping run in the pool as soon as they are asked for; the
leader's monitor notices containers that exit and stops their tasks the way ECS
does (EssentialContainerExited).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import ComputeError, Unavailable
from computetui.backends.local.containers import ContainerRunner, ImageUnavailable
from computetui.backends.local.ecs.task_containers import (
    PAUSE_NAME,
    awslogs_stream,
    bindings,
    condition_met,
    container_spec,
    needs_pause,
    network_ids,
    pause_spec,
    short_id,
    start_order,
)
from computetui.models import ecs as m

if TYPE_CHECKING:
    from computetui.backends.docker.engine import ManagedContainer
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

TASK = "ecs:task"
ACTIVE_STATES = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING")
STARTING_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")
DEFAULT_STOP_TIMEOUT_S = 30
DEPENDENCY_WAIT_S = 120
STOPPED_TASK_RETENTION_S = 3600
ORPHAN_START_AFTER_S = 30
PAUSE_IMAGE = "registry.k8s.io/pause:3.10"


class TaskRunner:
    """Starts, stops and watches the containers of tasks."""

    def __init__(self, backend: Emulator, *, pause_image: str = PAUSE_IMAGE,
                 pause_command: list[str] | None = None) -> None:
        self.pause_image = pause_image
        self.pause_command = pause_command
        self.backend = backend
        self._pool = backend.containers.pool("computetui-ecs", what="ECS task work")
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._busy: set[str] = set()
        self.on_stopped: list[Callable[[m.Task], None]] = []
        """Called with each task that reaches STOPPED (the scheduler, the load balancer)."""

    # -- records -------------------------------------------------------------
    @property
    def store(self):  # noqa: ANN201
        return self.backend.store

    @property
    def containers(self) -> ContainerRunner:
        return self.backend.containers

    def _lock(self, task_arn: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(task_arn, threading.Lock())

    def load(self, task_arn: str) -> m.Task | None:
        body = self.store.get(TASK, task_arn)
        return m.Task.model_validate(body) if body else None

    def save(self, task: m.Task) -> None:
        self.store.put(TASK, task.task_arn, task.to_aws(), name=short_id(task.task_arn), parent=task.cluster_arn,
                       state=task.last_status.value)

    def update(self, task_arn: str, change: Callable[[m.Task], m.Task | None]) -> m.Task | None:
        """Read, change and write one task under its lock, in one transaction."""
        with self._lock(task_arn), self.store.transaction():
            task = self.load(task_arn)
            if task is None:
                return None
            changed = change(task)
            if changed is not None:
                changed = changed.updated(version=changed.version + 1)
                self.save(changed)
            return changed or task

    def _now(self) -> Any:
        return self.backend.clock.now()

    # -- starting ------------------------------------------------------------
    def launch(self, task_arn: str) -> None:
        """Start the task's containers in the background, now."""
        self._busy.add(task_arn)
        self._pool.submit(self._start, task_arn)

    def _start(self, task_arn: str) -> None:
        try:
            self._start_containers(task_arn)
        finally:
            self._busy.discard(task_arn)

    def _start_containers(self, task_arn: str) -> None:
        claimed = False

        def claim(t: m.Task) -> m.Task | None:
            # Exactly one starter wins: the one that moves it out of PROVISIONING.
            nonlocal claimed
            if t.last_status is not m.TaskStatus.PROVISIONING or t.desired_status is m.TaskStatus.STOPPED:
                return None
            claimed = True
            return t.updated(last_status=m.TaskStatus.PENDING, pull_started_at=self._now())

        task = self.update(task_arn, claim)
        if task is None or not claimed:
            return
        td = self.backend.ecs.describe_task_definition(task.task_definition_arn)
        order = start_order(td)
        pause = needs_pause(td, order)
        images = [c.image for c in td.container_definitions] + ([self.pause_image] if pause else [])
        for image in images:
            try:
                self.containers.pull(image)
            except Unavailable as exc:
                self._fail(task_arn, f"ResourceInitializationError: {exc.message}")
                return
            except ImageUnavailable as exc:
                self._fail(task_arn, f"CannotPullContainerError: {exc.message}")
                return
        self.update(task_arn, lambda t: t.updated(last_status=m.TaskStatus.ACTIVATING, pull_stopped_at=self._now()))
        problem = self._create_log_streams(task, td)
        if problem:
            self._fail(task_arn, problem)
            return
        started: dict[str, ManagedContainer] = {}
        try:
            if pause:
                started[PAUSE_NAME] = self.containers.run(
                    "task", task_arn, pause_spec(task, td, self.pause_image, self.pause_command))
            for definition in order:
                if self._pool.closed:
                    return  # the emulator is closing: its next start's reconcile settles the task
                if self.load(task_arn).desired_status is m.TaskStatus.STOPPED:  # type: ignore[union-attr]
                    break
                self._wait_for_dependencies(definition, started)
                owner = next(iter(started.values()), None)
                started[definition.name] = self.containers.run("task", task_arn, container_spec(
                    task, td, definition, region=self.backend.region, owner_id=owner.id if owner else None))
                self._follow_logs(task, definition, started[definition.name].id)
        except ComputeError as exc:
            self._fail(task_arn, f"CannotStartContainerError: {exc.message}", started)
            return
        self._mark_running(task_arn, td, started)

    def _follow_logs(self, task: m.Task, definition: m.ContainerDefinition, container_id: str) -> None:
        """A container whose log driver is awslogs has its output in CloudWatch Logs, as on AWS."""
        config = definition.log_configuration
        if config is None or config.log_driver != "awslogs":
            return
        stream = awslogs_stream(config.options, definition.name, task.task_arn)
        self.backend.awslogs.follow(container_id, config.options.get("awslogs-group", ""), stream)

    def _wait_for_dependencies(self, definition: m.ContainerDefinition, started: dict[str, ManagedContainer]) -> None:
        deadline = time.monotonic() + DEPENDENCY_WAIT_S
        for dependency in definition.depends_on or []:
            upstream = started.get(dependency.container_name)
            if upstream is None:
                continue
            while time.monotonic() < deadline:
                current = self.containers.state(upstream.id)
                if condition_met(dependency.condition, current):
                    break
                if dependency.condition in ("SUCCESS",) and current is not None and current.status == "exited":
                    raise ComputeError(f"dependency {dependency.container_name} exited with {current.exit_code}",
                                       code="CannotStartContainerError")
                time.sleep(0.2)

    def _create_log_streams(self, task: m.Task, td: m.TaskDefinition) -> str | None:
        """awslogs needs its log group (unless awslogs-create-group is true), as on AWS."""
        for definition in td.container_definitions:
            config = definition.log_configuration
            if config is None or config.log_driver != "awslogs":
                continue
            group = config.options.get("awslogs-group")
            if not group:
                return "ResourceInitializationError: awslogs needs the awslogs-group option"
            exists = bool(self.backend.logs.describe_log_groups(group)) and any(
                g.log_group_name == group for g in self.backend.logs.describe_log_groups(group))
            if not exists and config.options.get("awslogs-create-group", "").lower() != "true":
                return (f"ResourceInitializationError: failed to validate logger args: create stream has been "
                        f"retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: "
                        f"The specified log group does not exist. (group {group}; set awslogs-create-group to "
                        f"true or create the group)")
        return None

    def _mark_running(self, task_arn: str, td: m.TaskDefinition, started: dict[str, ManagedContainer]) -> None:
        states = {name: self.containers.state(c.id) for name, c in started.items()}
        owner = next(iter(states.values()), None)
        address = owner.address if owner is not None else ""

        def running(task: m.Task) -> m.Task | None:
            if task.desired_status is m.TaskStatus.STOPPED:
                return None
            containers = []
            for container in task.containers:
                state = states.get(container.name)
                found = bindings(state if td.network_mode is not m.NetworkMode.AWSVPC else owner, container.name, td)
                exited = state is not None and state.exited
                containers.append(container.updated(
                    runtime_id=state.id if state is not None else None,
                    last_status="STOPPED" if exited else "RUNNING",
                    exit_code=state.exit_code if state is not None else None,  # None until it exits
                    network_bindings=found,
                ))
            attachments = task.attachments
            if td.network_mode is m.NetworkMode.AWSVPC and address:
                attachment_id, eni = network_ids(task_arn)
                attachments = [m.Attachment(id=attachment_id, details=[
                    m.AttachmentDetail(name="subnetId", value="subnet-local"),
                    m.AttachmentDetail(name="networkInterfaceId", value=eni),
                    m.AttachmentDetail(name="privateIPv4Address", value=address),
                ])]
            return task.updated(last_status=m.TaskStatus.RUNNING, started_at=self._now(), containers=containers,
                                connectivity="CONNECTED", attachments=attachments)

        self.update(task_arn, running)

    def _fail(self, task_arn: str, reason: str, started: dict[str, ManagedContainer] | None = None) -> None:
        """The task could not start: it stops with TaskFailedToStart."""
        for container in (started or {}).values():
            self.containers.remove(container.id)

        def failed(task: m.Task) -> m.Task:
            now = self._now()
            return task.updated(
                last_status=m.TaskStatus.STOPPED, desired_status=m.TaskStatus.STOPPED,
                stop_code=m.StopCode.TASK_FAILED_TO_START, stopped_reason=reason,
                stopping_at=now, execution_stopped_at=now, stopped_at=now,
                containers=[c.updated(last_status="STOPPED", reason=reason.split(":")[0]) for c in task.containers],
            )

        stopped = self.update(task_arn, failed)
        if stopped is not None:
            self._announce_stopped(stopped)

    # -- stopping ------------------------------------------------------------
    def stop(self, task_arn: str, stop_code: m.StopCode, reason: str) -> m.Task | None:
        """Ask the task to stop (DEACTIVATING now; its containers stop in the background)."""

        def deactivating(task: m.Task) -> m.Task | None:
            if task.desired_status is m.TaskStatus.STOPPED:
                return None  # already on its way
            return task.updated(desired_status=m.TaskStatus.STOPPED, last_status=m.TaskStatus.DEACTIVATING,
                                stop_code=stop_code, stopped_reason=reason, stopping_at=self._now())

        task = self.update(task_arn, deactivating)
        if task is not None and task.last_status is not m.TaskStatus.STOPPED:
            self._pool.submit(self._stop_containers, task_arn)
        return task

    def _stop_containers(self, task_arn: str) -> None:
        task = self.update(task_arn, lambda t: t.updated(last_status=m.TaskStatus.STOPPING)
                           if t.last_status is not m.TaskStatus.STOPPED else None)
        if task is None or task.last_status is m.TaskStatus.STOPPED:
            return
        exits: dict[str, int | None] = {}
        try:
            containers = {c.labels.get("com.amazonaws.ecs.container-name"): c
                          for c in self.containers.of_record("task", task_arn)}
        except Unavailable:
            containers = {}
        td = self.backend.ecs.describe_task_definition(task.task_definition_arn)
        timeouts = {d.name: d_timeout(d) for d in td.container_definitions}
        in_order = sorted(containers.items(), key=lambda item: item[0] == PAUSE_NAME)  # the pause container last
        for name, container in in_order:
            exits[name or ""] = self.containers.stop(container, timeouts.get(name or "", DEFAULT_STOP_TIMEOUT_S))
        self.update(task_arn, lambda t: t.updated(last_status=m.TaskStatus.DEPROVISIONING))
        for container in containers.values():
            self.backend.awslogs.unfollow(container.id)
            self.containers.remove(container.id)

        def stopped(task: m.Task) -> m.Task:
            now = self._now()
            return task.updated(
                last_status=m.TaskStatus.STOPPED, execution_stopped_at=now, stopped_at=now,
                containers=[c.updated(last_status="STOPPED",
                                      exit_code=exits.get(c.name, c.exit_code) if c.exit_code is None else c.exit_code)
                            for c in task.containers],
            )

        final = self.update(task_arn, stopped)
        if final is not None:
            self._announce_stopped(final)

    def _announce_stopped(self, task: m.Task) -> None:
        for hook in self.on_stopped:
            try:
                hook(task)
            except Exception:
                log.exception("a stopped-task hook failed")

    # -- watching --------------------------------------------------------------
    def active_tasks(self) -> list[m.Task]:
        return [m.Task.model_validate(b) for b in self.store.list(TASK, states=ACTIVE_STATES)]

    def monitor(self) -> None:
        """The leader's tick: stop tasks whose essential containers exited; note health; start
        tasks nobody is starting; forget stopped tasks after an hour."""
        try:
            found = self.containers.of_kind("task")
        except Unavailable:
            return
        by_task = {arn: {c.labels.get("com.amazonaws.ecs.container-name", ""): c for c in mine}
                   for arn, mine in found.items()}
        now = self.backend.clock.time()
        for task in self.active_tasks():
            if task.task_arn in self._busy:
                continue
            if task.last_status in (m.TaskStatus.PROVISIONING,) and task.created_at and \
                    now - task.created_at.timestamp() > ORPHAN_START_AFTER_S:
                self.launch(task.task_arn)  # whoever asked for it went away before starting it
                continue
            if task.last_status is m.TaskStatus.RUNNING:
                self._check_running(task, by_task.get(task.task_arn, {}))
        self._forget_old_stopped(now)
        # Containers whose task is gone go; one being started now has its record already.
        known = {t.task_arn for t in self.active_tasks()} | set(self._busy)
        self.containers.reconcile(known, [c for mine in found.values() for c in mine])

    def _check_running(self, task: m.Task, containers: dict[str, ManagedContainer]) -> None:
        td = self.backend.ecs.describe_task_definition(task.task_definition_arn)
        essential = {d.name for d in td.container_definitions if d.essential}
        gone = [name for name in essential if name not in containers or containers[name].status in ("exited", "dead")]
        if gone:
            exits = {n: c.exit_code for n, c in containers.items() if c.status in ("exited", "dead")}

            def note_exits(t: m.Task) -> m.Task:
                return t.updated(containers=[
                    c.updated(exit_code=exits.get(c.name), last_status="STOPPED") if c.name in exits else c
                    for c in t.containers
                ])

            self.update(task.task_arn, note_exits)
            self.stop(task.task_arn, m.StopCode.ESSENTIAL_CONTAINER_EXITED, "Essential container in task exited")
            return
        healths = {}
        for name, container in containers.items():
            if container.status == "running" and any(d.name == name and d.health_check for d in td.container_definitions):
                current = self.containers.state(container.id)
                state = current.health if current is not None else None
                healths[name] = {"healthy": m.HealthStatus.HEALTHY, "unhealthy": m.HealthStatus.UNHEALTHY}.get(
                    state or "", m.HealthStatus.UNKNOWN)
        checked = {n: h for n, h in healths.items() if n in essential}
        if checked:
            overall = (m.HealthStatus.UNHEALTHY if m.HealthStatus.UNHEALTHY in checked.values()
                       else m.HealthStatus.HEALTHY if all(h is m.HealthStatus.HEALTHY for h in checked.values())
                       else m.HealthStatus.UNKNOWN)
        else:
            overall = m.HealthStatus.UNKNOWN

        exited = {n: c.exit_code for n, c in containers.items() if c.status in ("exited", "dead")}

        def health(t: m.Task) -> m.Task | None:
            new = []
            for c in t.containers:
                if c.name in exited:  # a non-essential container that finished
                    c = c.updated(last_status="STOPPED", exit_code=exited[c.name])
                new.append(c.updated(health_status=healths.get(c.name, c.health_status)))
            if t.health_status == overall and [c.to_aws() for c in new] == [c.to_aws() for c in t.containers]:
                return None
            return t.updated(health_status=overall, containers=new)

        self.update(task.task_arn, health)

    def _forget_old_stopped(self, now: float) -> None:
        for body in self.store.list(TASK, state="STOPPED"):
            stopped_at = body.get("stoppedAt")
            if stopped_at:
                task = m.Task.model_validate(body)
                if task.stopped_at and now - task.stopped_at.timestamp() > STOPPED_TASK_RETENTION_S:
                    self.store.delete(TASK, task.task_arn)

    def reconcile(self, containers: list[ManagedContainer]) -> None:
        """At start: adopt tasks whose containers still run; stop the ones whose containers are gone;
        remove containers of tasks the state no longer knows."""
        tasks = self.active_tasks()
        found = self.containers.reconcile([t.task_arn for t in tasks], containers)
        for task in tasks:
            mine = found.adopted.get(task.task_arn, [])
            if task.task_arn in self._busy:
                continue  # this process is starting it right now
            if task.desired_status is m.TaskStatus.STOPPED or task.last_status in STARTING_STATES:
                if mine or task.desired_status is m.TaskStatus.STOPPED:
                    self.stop(task.task_arn, task.stop_code or m.StopCode.TASK_FAILED_TO_START,
                              task.stopped_reason or "Task stopped while the emulator was not running")
                    if not mine:
                        self._finish_without_containers(task.task_arn)
                else:
                    self.launch(task.task_arn)
                continue
            if not mine:
                self.stop(task.task_arn, m.StopCode.ESSENTIAL_CONTAINER_EXITED,
                          "Essential container in task exited (its container vanished while the emulator was stopped)")
                continue
            try:
                td = self.backend.ecs.describe_task_definition(task.task_definition_arn)
            except ComputeError:
                continue
            for container in mine:
                definition = next((d for d in td.container_definitions
                                   if d.name == container.labels.get("com.amazonaws.ecs.container-name")), None)
                if definition is not None and container.running:
                    self._follow_logs(task, definition, container.id)

    def _finish_without_containers(self, task_arn: str) -> None:
        def stopped(task: m.Task) -> m.Task:
            now = self._now()
            return task.updated(last_status=m.TaskStatus.STOPPED, stopped_at=now, execution_stopped_at=now)

        final = self.update(task_arn, stopped)
        if final is not None:
            self._announce_stopped(final)

    def close(self) -> None:
        self._pool.close()


def d_timeout(definition: m.ContainerDefinition) -> int:
    return definition.stop_timeout or DEFAULT_STOP_TIMEOUT_S

