"""Container instances: the EC2 capacity a cluster's EC2-launch-type tasks are placed on.

They are virtual: registering one records its CPU, memory and ports; no
machine starts. Tasks placed on it run on the local engine like any other.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from computetui.backends.errors import InvalidParameter
from computetui.backends.local.ecs import placement
from computetui.backends.local.ecs.tasks import ACTIVE_STATES, TASK
from computetui.backends.rules import ecs as rules
from computetui.backends.rules.validation import validated
from computetui.models import ecs as m

CONTAINER_INSTANCE = "ecs:container-instance"
STARTING = ("PROVISIONING", "PENDING", "ACTIVATING")


class InstanceOperations:
    """The container-instance half of the local ECS facet (a mixin of LocalEcs)."""

    # provided by LocalEcs
    store: Any
    ids: Any
    now: Any
    _cluster: Any
    describe_task_definition: Any

    def _instance_arn(self, cluster_arn: str, instance: str) -> str:
        if instance.startswith("arn:"):
            return instance
        return self.ids.ecs_container_instance(cluster_arn.rsplit("/", 1)[-1], instance)

    def _instances(self, cluster_arn: str) -> list[m.ContainerInstance]:
        return [m.ContainerInstance.model_validate(b) for b in self.store.list(CONTAINER_INSTANCE, parent=cluster_arn)]

    def _needs_by_instance(self, cluster_arn: str) -> dict[str, list[tuple[m.Task, placement.Need]]]:
        """Active EC2 tasks of the cluster, grouped by the instance they run on, with what each takes."""
        found: dict[str, list[tuple[m.Task, placement.Need]]] = defaultdict(list)
        for body in self.store.list(TASK, parent=cluster_arn, states=ACTIVE_STATES):
            task = m.Task.model_validate(body)
            if task.container_instance_arn:
                found[task.container_instance_arn].append((task, self._task_need(task)))
        return found

    def _task_need(self, task: m.Task) -> placement.Need:
        td = self.definition(task.task_definition_arn)
        return placement.task_needs(td, int(task.cpu) if task.cpu else None, int(task.memory) if task.memory else None)

    _definitions: dict[str, m.TaskDefinition]

    def definition(self, arn: str) -> m.TaskDefinition:
        """A revision by its ARN, read once: a revision never changes but for its status."""
        """Task definition revisions never change: remember them."""
        if arn not in self._definitions:
            self._definitions[arn] = self.describe_task_definition(arn)
        return self._definitions[arn]

    def capacities(self, cluster_arn: str) -> list[placement.Capacity]:
        needs = self._needs_by_instance(cluster_arn)
        return [placement.capacity(i, [need for _task, need in needs.get(i.container_instance_arn, [])])
                for i in self._instances(cluster_arn)]

    def _with_usage(self, instance: m.ContainerInstance, tasks: list[tuple[m.Task, placement.Need]]) -> m.ContainerInstance:
        cap = placement.capacity(instance, [need for _task, need in tasks])
        return instance.updated(
            remaining_resources=placement.remaining_resources(cap),
            running_tasks_count=sum(1 for t, _ in tasks if t.last_status is m.TaskStatus.RUNNING),
            pending_tasks_count=sum(1 for t, _ in tasks if t.last_status.value in STARTING),
        )

    @validated(rules.REGISTER_CONTAINER_INSTANCE)
    def register_container_instance(
        self,
        cluster: str = "default",
        instance_type: str | None = "t3.medium",
        total_resources: list[dict[str, Any]] | None = None,
        attributes: list[dict[str, str]] | None = None,
        **_: Any,
    ) -> m.ContainerInstance:
        found = self._cluster(cluster)
        resources = placement.registered_resources(None if total_resources else instance_type, total_resources)
        # Counted and written at once: instances registered together spread over the zones, and
        # none joins a cluster deleted meanwhile.
        with self.store.transaction():
            self._cluster(found.cluster_arn)
            count = self.store.count(CONTAINER_INSTANCE, parent=found.cluster_arn)
            zone = f"{self.ids.region}{placement.ZONES[count % len(placement.ZONES)]}"
            instance_id = self.ids.hex(32)
            instance = m.ContainerInstance(
                container_instance_arn=self.ids.ecs_container_instance(found.cluster_name, instance_id),
                ec2_instance_id=self.ids.ec2_instance_id(),
                registered_resources=resources,
                remaining_resources=resources,
                attributes=[
                    {"name": "ecs.instance-type", "value": instance_type or "custom"},
                    {"name": "ecs.availability-zone", "value": zone},
                    {"name": "ecs.os-type", "value": "linux"},
                    {"name": "ecs.cpu-architecture", "value": "x86_64"},
                    *(attributes or []),
                ],
                registered_at=self.now,
            )
            self.store.put(CONTAINER_INSTANCE, instance.container_instance_arn, instance.to_aws(), name=instance_id,
                           parent=found.cluster_arn, state=instance.status.value)
        return instance

    @validated(rules.LIST_CONTAINER_INSTANCES)
    def list_container_instances(self, cluster: str, status: str | None = None) -> list[str]:
        arn = self._cluster(cluster).cluster_arn
        return [b["containerInstanceArn"] for b in self.store.list(CONTAINER_INSTANCE, parent=arn, state=status)]

    @validated(rules.CONTAINER_INSTANCES)
    def describe_container_instances(self, cluster: str, container_instances: list[str]) -> list[m.ContainerInstance]:
        arn = self._cluster(cluster).cluster_arn
        wanted = {self._instance_arn(arn, i) for i in container_instances}
        needs = self._needs_by_instance(arn)
        return [self._with_usage(i, needs.get(i.container_instance_arn, []))
                for i in self._instances(arn) if i.container_instance_arn in wanted]

    @validated(rules.CONTAINER_INSTANCES)
    def update_container_instances_state(
        self, cluster: str, container_instances: list[str], status: str
    ) -> list[m.ContainerInstance]:
        if status not in ("ACTIVE", "DRAINING"):
            raise InvalidParameter("status must be ACTIVE or DRAINING", code="InvalidParameterException",
                                   field="status")
        arn = self._cluster(cluster).cluster_arn
        changed = []
        with self.store.transaction():  # all of them or none
            for name in container_instances:
                body = self.store.update(
                    CONTAINER_INSTANCE, self._instance_arn(arn, name),
                    lambda b: m.ContainerInstance.model_validate(b).updated(status=status).to_aws(),
                    state=lambda b: b["status"])
                if body is None:
                    raise InvalidParameter(f"Container instance {name} not found in the cluster",
                                           code="InvalidParameterException", field="containerInstances")
                changed.append(m.ContainerInstance.model_validate(body))
        return changed

    @validated(rules.CONTAINER_INSTANCE)
    def deregister_container_instance(
        self, cluster: str, container_instance: str, force: bool = False
    ) -> m.ContainerInstance:
        arn = self._cluster(cluster).cluster_arn
        instance_arn = self._instance_arn(arn, container_instance)
        with self.store.transaction():  # no task is placed on it between the look and the delete
            body = self.store.get(CONTAINER_INSTANCE, instance_arn)
            if body is None:
                raise InvalidParameter(f"Container instance {container_instance} not found in the cluster",
                                       code="InvalidParameterException", field="containerInstance")
            tasks = self._needs_by_instance(arn).get(instance_arn, [])
            if tasks and not force:
                raise InvalidParameter(
                    "Found running tasks on the instance. Deregister with force to leave them running unmanaged.",
                    code="InvalidParameterException", field="force",
                )
            self.store.delete(CONTAINER_INSTANCE, instance_arn)
        return m.ContainerInstance.model_validate(body).updated(status=m.ContainerInstanceStatus.INACTIVE)
