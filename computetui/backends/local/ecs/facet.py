"""ECS in the local emulator: clusters and task definitions.

Tasks, services and container instances are read from the store here; running
them on the engine builds on these records.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from computetui.backends.base import EcsFacet
from computetui.backends.errors import InvalidParameter, NotFound
from computetui.backends.local.ecs.instances import CONTAINER_INSTANCE, InstanceOperations
from computetui.backends.local.ecs.run import SUMMARY_VERSION, TaskOperations, task_summary
from computetui.backends.local.ecs.services import ServiceOperations
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import ecs as rules
from computetui.backends.rules.ecs import client_error, cpu_units, memory_mib, validate_task_definition
from computetui.backends.rules.validation import validated
from computetui.models import ecs as m

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

CLUSTER = "ecs:cluster"
TASK_DEFINITION = "ecs:task-definition"
SERVICE = "ecs:service"
TASK = "ecs:task"

class LocalEcs(InstanceOperations, TaskOperations, ServiceOperations, LocalFacetMixin, EcsFacet):
    """Clusters and task definitions here; container instances, tasks and services in their mixins."""

    makes_load_balancers = True  # a local HTTP load balancer per service that asks for one
    backend: Emulator

    def __init__(self, backend: Emulator, rng: random.Random) -> None:
        super().__init__(backend)
        self.random = rng
        """Where placement and deployment ids draw from (seeded with the backend)."""
        self._definitions: dict[str, m.TaskDefinition] = {}
        self.store.summarize(TASK, task_summary, version=SUMMARY_VERSION)

    # -- clusters --------------------------------------------------------
    def _cluster_arn(self, cluster: str) -> str:
        return cluster if cluster.startswith("arn:") else self.ids.ecs_cluster(cluster)

    def _cluster(self, cluster: str) -> m.Cluster:
        body = self.store.get(CLUSTER, self._cluster_arn(cluster))
        if body is None:
            raise NotFound("Cluster not found.", code="ClusterNotFoundException")
        return m.Cluster.model_validate(body)

    def _with_counts(self, cluster: m.Cluster) -> m.Cluster:
        arn = cluster.cluster_arn
        store = self.store
        return cluster.updated(
            registered_container_instances_count=store.count(CONTAINER_INSTANCE, parent=arn),
            active_services_count=store.count(SERVICE, parent=arn, state="ACTIVE"),
            running_tasks_count=store.count(TASK, parent=arn, state="RUNNING"),
            pending_tasks_count=sum(
                store.count(TASK, parent=arn, state=s) for s in ("PROVISIONING", "PENDING", "ACTIVATING")
            ),
        )

    @validated(rules.CREATE_CLUSTER)
    def create_cluster(self, cluster_name: str = "default", tags: list[dict[str, str]] | None = None) -> m.Cluster:
        problem = m.cluster_name_problem(cluster_name)
        if problem:
            raise client_error(problem, "clusterName")
        arn = self.ids.ecs_cluster(cluster_name)
        with self.store.transaction():
            existing = self.store.get(CLUSTER, arn)
            if existing is not None:
                # CreateCluster is idempotent in ECS: the existing cluster comes back.
                return self._with_counts(m.Cluster.model_validate(existing))
            cluster = m.Cluster(
                cluster_arn=arn,
                cluster_name=cluster_name,
                capacity_providers=["FARGATE", "FARGATE_SPOT"],
                tags=tags or [],
            )
            self.store.put(CLUSTER, arn, cluster.to_aws(), name=cluster_name, state=cluster.status.value)
        return cluster

    @validated(rules.CLUSTER)
    def delete_cluster(self, cluster: str) -> m.Cluster:
        with self.store.transaction():
            found = self._with_counts(self._cluster(cluster))
            if found.active_services_count:
                raise InvalidParameter(
                    "The Cluster cannot be deleted while Services are active.",
                    code="ClusterContainsServicesException",
                )
            if found.running_tasks_count or found.pending_tasks_count:
                raise InvalidParameter(
                    "The Cluster cannot be deleted while Tasks are active.",
                    code="ClusterContainsTasksException",
                )
            if found.registered_container_instances_count:
                raise InvalidParameter(
                    "The Cluster cannot be deleted while Container Instances are active or draining.",
                    code="ClusterContainsContainerInstancesException",
                )
            self.store.delete(CLUSTER, found.cluster_arn)
        return found.updated(status=m.ClusterStatus.INACTIVE)

    def list_clusters(self) -> list[str]:
        return [body["clusterArn"] for body in self.store.list(CLUSTER)]

    @validated(rules.DESCRIBE_CLUSTERS)
    def describe_clusters(self, clusters: list[str] | None = None) -> list[m.Cluster]:
        if clusters is None:
            found = [m.Cluster.model_validate(b) for b in self.store.list(CLUSTER)]
        else:
            found = []
            for name in clusters:
                body = self.store.get(CLUSTER, self._cluster_arn(name))
                if body is not None:
                    found.append(m.Cluster.model_validate(body))
        return [self._with_counts(c) for c in found]

    # -- task definitions ------------------------------------------------
    def register_task_definition(
        self, task_definition: m.TaskDefinition | dict[str, Any] | None = None, **kwargs: Any
    ) -> m.TaskDefinition:
        data = rules.task_definition_request(task_definition, kwargs)
        if isinstance(task_definition, m.TaskDefinition) and not kwargs:
            td = task_definition
        else:
            try:
                td = m.TaskDefinition.model_validate(data)
            except Exception as exc:  # pydantic's ValidationError: name the first bad field
                raise client_error(f"Invalid task definition: {_first_error(exc)}") from None
        validate_task_definition(td)
        cpu = cpu_units(td.cpu)
        memory = memory_mib(td.memory)
        compat = [m.Compatibility.EC2]
        if td.network_mode in (None, m.NetworkMode.AWSVPC):
            compat.append(m.Compatibility.FARGATE)
        with self.store.transaction():
            revision = self.store.next_sequence(f"{TASK_DEFINITION}:{td.family}")
            arn = self.ids.ecs_task_definition(td.family, revision)
            registered = td.updated(
                task_definition_arn=arn,
                revision=revision,
                status=m.TaskDefinitionStatus.ACTIVE,
                cpu=str(cpu) if cpu is not None else None,
                memory=str(memory) if memory is not None else None,
                network_mode=td.network_mode or m.NetworkMode.BRIDGE,
                compatibilities=compat,
                registered_at=self.now,
                deregistered_at=None,
            )
            self.store.put(TASK_DEFINITION, arn, registered.to_aws(), name=td.family, state="ACTIVE")
        return registered

    def _task_definition_arn(self, task_definition: str) -> str:
        if task_definition.startswith("arn:"):
            return task_definition
        family, _, revision = task_definition.partition(":")
        if not revision:
            revisions = self.list_task_definitions(family_prefix=family, status="ACTIVE")
            matching = [a for a in revisions if a.rsplit("/", 1)[1].rsplit(":", 1)[0] == family]
            if not matching:
                raise client_error("Unable to describe task definition.", "taskDefinition")
            return matching[-1]
        return self.ids.ecs_task_definition(family, int(revision)) if revision.isdigit() else task_definition

    @validated(rules.TASK_DEFINITION_OPERATION)
    def describe_task_definition(self, task_definition: str) -> m.TaskDefinition:
        body = self.store.get(TASK_DEFINITION, self._task_definition_arn(task_definition))
        if body is None:
            raise client_error("Unable to describe task definition.", "taskDefinition")
        return m.TaskDefinition.model_validate(body)

    @validated(rules.TASK_DEFINITION_OPERATION)
    def deregister_task_definition(self, task_definition: str) -> m.TaskDefinition:
        if ":" not in task_definition.rsplit("/", 1)[-1]:
            raise client_error("Invalid revision number. Number: ", "taskDefinition")
        with self.store.transaction():
            td = self.describe_task_definition(task_definition)
            td = td.updated(status=m.TaskDefinitionStatus.INACTIVE, deregistered_at=self.now)
            self.store.put(TASK_DEFINITION, td.task_definition_arn, td.to_aws(), name=td.family, state="INACTIVE")
        return td

    @validated(rules.LIST_TASK_DEFINITIONS)
    def list_task_definitions(
        self, family_prefix: str | None = None, status: str = "ACTIVE", sort: str = "ASC"
    ) -> list[str]:
        bodies = self.store.list(TASK_DEFINITION, state=status)
        found = [
            (b["family"], b["revision"], b["taskDefinitionArn"])
            for b in bodies
            if family_prefix is None or b["family"].startswith(family_prefix)
        ]
        found.sort(reverse=sort.upper() == "DESC")
        return [arn for _, _, arn in found]

    @validated(rules.LIST_TASK_DEFINITION_FAMILIES)
    def list_task_definition_families(self, family_prefix: str | None = None, status: str = "ACTIVE") -> list[str]:
        families = {b["family"] for b in self.store.list(TASK_DEFINITION, state=None if status == "ALL" else status)}
        return sorted(f for f in families if family_prefix is None or f.startswith(family_prefix))


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}"
    return str(exc)
