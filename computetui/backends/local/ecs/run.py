"""RunTask, StartTask, StopTask, ListTasks and DescribeTasks for the local ECS facet."""

from __future__ import annotations

from typing import Any

from computetui.backends.errors import InvalidParameter
from computetui.backends.local.containers import exec_argv
from computetui.backends.local.ecs import placement
from computetui.backends.local.ecs.tasks import ACTIVE_STATES, TASK, TaskRunner
from computetui.backends.rules import ecs as rules
from computetui.backends.rules.validation import validated
from computetui.models import ecs as m

MAX_RUN_COUNT = 10
SUMMARY_VERSION = 1
"""The shape of ``task_summary``'s list: change it, bump this, and stored summaries are remade."""


def task_summary(body: dict[str, Any]) -> list[Any]:
    """What a task's table row shows, kept by the store beside the task's JSON (see
    ``StateStore.summarize``): its ARN, statuses, definition, launch type, group, starter,
    health, times, stop code and reason, and each bound port once as ``host->container``."""
    ports = [f"{b['hostPort']}->{b.get('containerPort')}" for c in body.get("containers") or ()
             for b in c.get("networkBindings") or () if b.get("hostPort")]
    return [body.get("taskArn"), body.get("desiredStatus"), body.get("group"), body.get("lastStatus"),
            body.get("taskDefinitionArn"), body.get("launchType"), body.get("startedBy"), body.get("healthStatus"),
            body.get("startedAt"), body.get("stoppedAt"), body.get("stopCode"), body.get("stoppedReason"),
            list(dict.fromkeys(ports))]


def _invalid(message: str, field: str) -> InvalidParameter:
    return InvalidParameter(message, code="InvalidParameterException", field=field)


class TaskOperations:
    """The task half of the local ECS facet (a mixin of LocalEcs)."""

    # provided by LocalEcs and InstanceOperations
    backend: Any
    random: Any
    store: Any
    ids: Any
    now: Any
    _cluster: Any
    describe_task_definition: Any
    capacities: Any
    _instance_arn: Any

    @property
    def runner(self) -> TaskRunner:
        return self.backend.part(TaskRunner)

    @validated(rules.RUN_TASK)
    def run_task(
        self,
        cluster: str = "default",
        task_definition: str = "",
        count: int = 1,
        launch_type: str | None = None,
        placement_strategy: list[dict[str, str]] | None = None,
        placement_constraints: list[dict[str, str]] | None = None,
        started_by: str | None = None,
        group: str | None = None,
        overrides: dict[str, Any] | None = None,
        **_: Any,
    ) -> m.RunTaskResult:
        if not 1 <= count <= MAX_RUN_COUNT:
            raise _invalid(f"count must be between 1 and {MAX_RUN_COUNT}", "count")
        found = self._cluster(cluster)
        td = self.describe_task_definition(task_definition)
        if td.status is m.TaskDefinitionStatus.INACTIVE:
            raise InvalidParameter("TaskDefinition is inactive", code="ClientException", field="taskDefinition")
        kind = self._launch_type(td, launch_type)
        rules.check_overrides(td, overrides)
        task_override = m.TaskOverride.model_validate(overrides) if overrides else None
        group = group or f"family:{td.family}"
        if kind is m.LaunchType.FARGATE:
            tasks = [self._new_task(found, td, kind, None, started_by, group, task_override) for _ in range(count)]
            return self._launch(tasks)
        # Placed and recorded in one write transaction: what the placement read of the instances'
        # room is still so when the tasks are written, whatever another process places meanwhile.
        with self.store.transaction():
            capacities = self.capacities(found.cluster_arn)
            if not capacities:
                raise _invalid("No Container Instances were found in your cluster.", "cluster")
            need = placement.task_needs(td, _units(td.cpu), _units(td.memory))
            tasks, failures, used = [], [], set()
            for _ in range(count):
                chosen, why = placement.place(capacities, need, placement_strategy or [], placement_constraints or [],
                                              used, self.random)
                if chosen is None:
                    failures.extend(m.Failure(arn=arn, reason=reason) for arn, reason in why)
                    continue
                chosen.take(need)
                used.add(chosen.arn)
                tasks.append(self._new_task(found, td, kind, chosen.arn, started_by, group, task_override, need))
            self._record_tasks(tasks)
        self._start_tasks(tasks)
        return m.RunTaskResult(tasks=tasks, failures=failures)

    @validated(rules.START_TASK)
    def start_task(
        self,
        cluster: str = "default",
        task_definition: str = "",
        container_instances: list[str] | None = None,
        started_by: str | None = None,
        group: str | None = None,
        overrides: dict[str, Any] | None = None,
        **_: Any,
    ) -> m.RunTaskResult:
        """Start the task on the named instances (one each), without the scheduler's placement."""
        if not container_instances or len(container_instances) > MAX_RUN_COUNT:
            raise _invalid(f"containerInstances must name 1 to {MAX_RUN_COUNT} instances", "containerInstances")
        found = self._cluster(cluster)
        td = self.describe_task_definition(task_definition)
        rules.check_overrides(td, overrides)
        need = placement.task_needs(td, _units(td.cpu), _units(td.memory))
        task_override = m.TaskOverride.model_validate(overrides) if overrides else None
        with self.store.transaction():  # the room read is the room written into (see run_task)
            by_arn = {c.arn: c for c in self.capacities(found.cluster_arn)}
            tasks, failures = [], []
            for name in container_instances:
                arn = self._instance_arn(found.cluster_arn, name)
                cap = by_arn.get(arn)
                if cap is None:
                    failures.append(m.Failure(arn=arn, reason="MISSING"))
                    continue
                shortage = cap.shortage(need)
                if shortage:
                    failures.append(m.Failure(arn=arn, reason=shortage))
                    continue
                cap.take(need)
                tasks.append(self._new_task(found, td, m.LaunchType.EC2, arn, started_by,
                                            group or f"family:{td.family}", task_override, need))
            self._record_tasks(tasks)
        self._start_tasks(tasks)
        return m.RunTaskResult(tasks=tasks, failures=failures)

    def _launch_type(self, td: m.TaskDefinition, asked: str | None) -> m.LaunchType:
        compat = set(td.compatibilities or []) | set(td.requires_compatibilities or [])
        if asked is None:
            required = td.requires_compatibilities or []
            return m.LaunchType.FARGATE if m.Compatibility.FARGATE in required else m.LaunchType.EC2
        if asked not in ("FARGATE", "EC2"):
            raise _invalid(f"launchType must be FARGATE or EC2 (EXTERNAL is not emulated), not {asked}", "launchType")
        kind = m.LaunchType(asked)
        if kind is m.LaunchType.FARGATE and m.Compatibility.FARGATE not in compat:
            raise InvalidParameter("Task definition does not support launch_type FARGATE.", code="ClientException",
                                   field="launchType")
        if kind is m.LaunchType.FARGATE and not (td.cpu and td.memory):
            raise InvalidParameter("Fargate requires task definition to have cpu and memory set.",
                                   code="ClientException", field="taskDefinition")
        return kind

    def _new_task(
        self,
        cluster: m.Cluster,
        td: m.TaskDefinition,
        kind: m.LaunchType,
        instance_arn: str | None,
        started_by: str | None,
        group: str,
        overrides: m.TaskOverride | None,
        need: placement.Need | None = None,
    ) -> m.Task:
        task_id = self.ids.hex(32)
        task_arn = self.ids.ecs_task(cluster.cluster_name, task_id)
        zone = f"{self.ids.region}a"
        if instance_arn is not None:
            instance = next((c.instance for c in self.capacities(cluster.cluster_arn) if c.arn == instance_arn), None)
            if instance is not None:
                zone = next((a["value"] for a in instance.attributes if a["name"] == "ecs.availability-zone"), zone)
        return m.Task(
            task_arn=task_arn,
            cluster_arn=cluster.cluster_arn,
            task_definition_arn=td.task_definition_arn or "",
            container_instance_arn=instance_arn,
            last_status=m.TaskStatus.PROVISIONING,
            desired_status=m.TaskStatus.RUNNING,
            launch_type=kind,
            cpu=td.cpu or (str(need.cpu) if need else None),
            memory=td.memory or (str(need.memory) if need else None),
            containers=[
                m.Container(
                    container_arn=self.ids.ecs_container(cluster.cluster_name, task_id),
                    task_arn=task_arn,
                    name=c.name,
                    image=c.image,
                    last_status="PENDING",
                    essential=c.essential,
                    cpu=str(c.cpu),
                    memory=str(c.memory) if c.memory else None,
                )
                for c in td.container_definitions
            ],
            started_by=started_by,
            group=group,
            created_at=self.now,
            availability_zone=zone,
            platform_version="1.4.0" if kind is m.LaunchType.FARGATE else None,
            overrides=overrides,
        )

    def _launch(self, tasks: list[m.Task]) -> m.RunTaskResult:
        self._record_tasks(tasks)
        self._start_tasks(tasks)
        return m.RunTaskResult(tasks=tasks)

    def _record_tasks(self, tasks: list[m.Task]) -> None:
        with self.store.transaction():
            for task in tasks:
                self.runner.save(task)

    def _start_tasks(self, tasks: list[m.Task]) -> None:
        """Start recorded tasks' containers; after the transaction that recorded them has committed."""
        for task in tasks:
            self.runner.launch(task.task_arn)

    @validated(rules.STOP_TASK)
    def stop_task(self, cluster: str = "default", task: str = "", reason: str | None = None) -> m.Task:
        found = self._cluster(cluster)
        arn = task if task.startswith("arn:") else self.ids.ecs_task(found.cluster_name, task)
        if self.store.get(TASK, arn) is None:
            raise _invalid("The referenced task was not found.", "task")
        stopped = self.runner.stop(arn, m.StopCode.USER_INITIATED, reason or "Task stopped by user")
        assert stopped is not None
        return stopped

    @validated(rules.LIST_TASKS)
    def list_tasks(
        self,
        cluster: str = "default",
        service_name: str | None = None,
        desired_status: str = "RUNNING",
        container_instance: str | None = None,
        family: str | None = None,
        started_by: str | None = None,
        **_: Any,
    ) -> list[str]:
        arn = self._cluster(cluster).cluster_arn
        instance_arn = self._instance_arn(arn, container_instance) if container_instance else None
        group = f"service:{service_name.rsplit('/', 1)[-1]}" if service_name else None
        states = ACTIVE_STATES if desired_status == "RUNNING" else (*ACTIVE_STATES, "STOPPED")
        found = []
        # One read across the states: a task changing state meanwhile is listed once. Only the
        # fields filtered on are read: the bodies of thousands of tasks stay unparsed.
        fields = ("desiredStatus", "group", "containerInstanceArn", "taskDefinitionArn", "startedBy")
        for task_arn, desired, in_group, instance, definition, starter in self.store.list_fields(
                TASK, fields, parent=arn, states=states):
            if (desired or "RUNNING") != desired_status:
                continue
            if group and in_group != group:
                continue
            if instance_arn and instance != instance_arn:
                continue
            if family and not (definition or "").rsplit("/", 1)[-1].startswith(f"{family}:"):
                continue
            if started_by and starter != started_by:
                continue
            found.append(task_arn)
        return found

    @validated(rules.LIST_TASKS)
    def list_task_summaries(
        self, cluster: str = "default", desired_status: str = "RUNNING", service_name: str | None = None
    ) -> list[m.TaskSummary]:
        """The fields a row shows, from the summaries the store keeps beside the tasks: no task's
        JSON is read."""
        arn = self._cluster(cluster).cluster_arn
        group = f"service:{service_name.rsplit('/', 1)[-1]}" if service_name else None
        states = ACTIVE_STATES if desired_status == "RUNNING" else (*ACTIVE_STATES, "STOPPED")
        found = []
        for (task_arn, desired, in_group, last, definition, launch, starter, health, started, stopped, code,
             reason, ports) in self.store.list_summaries(TASK, parent=arn, states=states):
            if (desired or "RUNNING") != desired_status or (group and in_group != group):
                continue
            found.append(m.TaskSummary(
                task_arn=task_arn, cluster_arn=arn, last_status=last or "PROVISIONING",
                desired_status=desired or "RUNNING", task_definition_arn=definition or "", launch_type=launch,
                group=in_group, started_by=starter, health_status=health, ports=tuple(ports),
                started_at=started, stopped_at=stopped, stop_code=code, stopped_reason=reason))
        return found

    @validated(rules.DESCRIBE_TASKS)
    def describe_tasks(self, cluster: str = "default", tasks: list[str] | None = None) -> list[m.Task]:
        arn = self._cluster(cluster).cluster_arn
        wanted = [name if name.startswith("arn:") else self.ids.ecs_task(arn.rsplit("/", 1)[-1], name)
                  for name in tasks or []]
        texts = self.store.get_many_text(TASK, wanted)
        return [m.Task.model_validate_json(texts[a]) for a in wanted if a in texts]

    @validated(rules.EXECUTE_COMMAND)
    def execute_command_argv(self, cluster: str = "default", task: str = "", container: str = "",
                             command: str = "/bin/sh") -> list[str]:
        """``docker exec -it`` into the task's container (the Docker CLI must be installed)."""
        [found] = self.describe_tasks(cluster, [task]) or [None]
        if found is None:
            raise _invalid("The referenced task was not found.", "task")
        if found.last_status is not m.TaskStatus.RUNNING:
            raise InvalidParameter(f"The execute command failed because the task is {found.last_status.value}, "
                                   "not RUNNING.", code="InvalidParameterException", field="task")
        target = next((c for c in found.containers if c.name == container), None)
        if target is None or not target.runtime_id:
            raise _invalid(f"The container {container} is not in the task.", "container")
        if target.last_status != "RUNNING":
            raise InvalidParameter(f"The execute command failed because container {container} is not running.",
                                   code="InvalidParameterException", field="container")
        return exec_argv(self.backend.engine, target.runtime_id, command, "ExecuteCommandUnavailable")


def _units(value: str | None) -> int | None:
    return int(value) if value else None
