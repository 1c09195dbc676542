"""AWS Batch in the local emulator: compute environments, job queues, scheduling policies and
job definitions (the job operations are :mod:`jobs`; running them, :mod:`scheduler` and
:mod:`runner`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from computetui.backends.base import BatchFacet
from computetui.backends.local.batch.book import UNFINISHED, JobBook
from computetui.backends.local.batch.jobs import JobsMixin
from computetui.backends.local.batch.scheduler import (
    COMPUTE_ENVIRONMENT,
    JOB_QUEUE,
    SCHEDULING_POLICY,
    BatchScheduler,
)
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import batch as rules
from computetui.backends.rules.batch import NAME_PATTERN as NAME_RE
from computetui.backends.rules.batch import client_error
from computetui.backends.rules.validation import validated
from computetui.models import batch as m

if TYPE_CHECKING:
    from computetui.backends.local.batch.runner import JobRunner
    from computetui.backends.local.emulator import Emulator

JOB_DEFINITION = "batch:job-definition"
FARGATE_TYPES = {m.ResourceType.FARGATE, m.ResourceType.FARGATE_SPOT}


class LocalBatch(JobsMixin, LocalFacetMixin, BatchFacet):
    def __init__(self, backend: Emulator) -> None:
        super().__init__(backend)
        self.book = JobBook(backend.store)
        self.scheduler = BatchScheduler(backend, self.book)
        self.runner: JobRunner  # set by install


    # -- compute environments -------------------------------------------
    def _ce(self, name_or_arn: str) -> m.ComputeEnvironmentDetail:
        arn = name_or_arn if name_or_arn.startswith("arn:") else self.ids.batch("compute-environment", name_or_arn)
        body = self.store.get(COMPUTE_ENVIRONMENT, arn)
        if body is None:
            raise client_error(f"Compute environment {name_or_arn} does not exist", "computeEnvironment")
        return m.ComputeEnvironmentDetail.model_validate(body)

    def _put_ce(self, ce: m.ComputeEnvironmentDetail) -> None:
        self.store.put(
            COMPUTE_ENVIRONMENT,
            ce.compute_environment_arn,
            ce.to_aws(),
            name=ce.compute_environment_name,
            state=ce.state.value,
        )

    @validated(rules.CREATE_COMPUTE_ENVIRONMENT)
    def create_compute_environment(
        self,
        compute_environment_name: str,
        type: str = "MANAGED",
        state: str = "ENABLED",
        compute_resources: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        unmanagedv_cpus: int | None = None,
        **_: Any,
    ) -> m.ComputeEnvironmentDetail:
        if not NAME_RE.fullmatch(compute_environment_name):
            raise client_error(
                "computeEnvironmentName must be 1-128 letters, numbers, hyphens or underscores, "
                "starting with a letter or number",
                "computeEnvironmentName",
            )
        if type not in ("MANAGED", "UNMANAGED"):
            raise client_error(f"type must be MANAGED or UNMANAGED, not {type}", "type")
        if state not in ("ENABLED", "DISABLED"):
            raise client_error(f"state must be ENABLED or DISABLED, not {state}", "state")
        resources = None
        if type == "MANAGED":
            if not compute_resources:
                raise client_error(
                    "computeResources must be provided for a MANAGED compute environment", "computeResources"
                )
            try:
                resources = m.ComputeResources.model_validate(compute_resources)
            except Exception:
                raise client_error(
                    "computeResources needs type (EC2, SPOT, FARGATE or FARGATE_SPOT) and maxvCpus", "computeResources"
                ) from None
            if resources.max_vcpus < 0 or (resources.min_vcpus or 0) > resources.max_vcpus:
                raise client_error("minvCpus must be between 0 and maxvCpus", "computeResources.minvCpus")
            if resources.type in FARGATE_TYPES and resources.instance_types:
                raise client_error(
                    "instanceTypes is not supported for Fargate compute environments", "computeResources.instanceTypes"
                )
        arn = self.ids.batch("compute-environment", compute_environment_name)
        ce = m.ComputeEnvironmentDetail(
            compute_environment_name=compute_environment_name,
            compute_environment_arn=arn,
            type=type,
            state=state,
            status=m.CEStatus.VALID,
            status_reason="ComputeEnvironment Healthy",
            compute_resources=resources,
            # Batch names the environment's ECS cluster after it; the suffix is drawn from its ARN, so
            # making an environment takes nothing from the seeded ids the rest of the state gets.
            ecs_cluster_arn=self.ids.ecs_cluster(f"AWSBatch-{compute_environment_name}-{uuid.uuid5(uuid.NAMESPACE_URL, arn)}"),
            unmanagedv_cpus=unmanagedv_cpus if type == "UNMANAGED" else None,
            tags=tags or {},
        )
        with self.store.transaction():
            if self.store.get(COMPUTE_ENVIRONMENT, arn) is not None:
                raise client_error("Object already exists", "computeEnvironmentName")
            self._put_ce(ce)
        self.scheduler.kick()
        return ce

    @validated(rules.UPDATE_COMPUTE_ENVIRONMENT)
    def update_compute_environment(
        self,
        compute_environment: str,
        state: str | None = None,
        compute_resources: dict[str, Any] | None = None,
        unmanagedv_cpus: int | None = None,
        **_: Any,
    ) -> m.ComputeEnvironmentDetail:
        with self.store.transaction():
            ce = self._ce(compute_environment)
            update: dict[str, Any] = {}
            if unmanagedv_cpus is not None:
                if ce.type is not m.CEType.UNMANAGED:
                    raise client_error("unmanagedvCpus applies to UNMANAGED compute environments only",
                                       "unmanagedvCpus")
                update["unmanagedv_cpus"] = unmanagedv_cpus
            if state is not None:
                if state not in ("ENABLED", "DISABLED"):
                    raise client_error(f"state must be ENABLED or DISABLED, not {state}", "state")
                update["state"] = state
            if compute_resources and ce.compute_resources is not None:
                # AWS JSON in, merged over what the environment has.
                update["compute_resources"] = m.ComputeResources.model_validate(
                    {**ce.compute_resources.to_aws(), **compute_resources}
                )
            if "compute_resources" in update:
                merged = update["compute_resources"]
                if merged.max_vcpus < (merged.min_vcpus or 0):
                    raise client_error("minvCpus must be between 0 and maxvCpus", "computeResources.minvCpus")
            ce = ce.updated(**update)
            self._put_ce(ce)
        self.scheduler.kick()
        return ce

    @validated(rules.COMPUTE_ENVIRONMENT)
    def delete_compute_environment(self, compute_environment: str) -> None:
        with self.store.transaction():
            ce = self._ce(compute_environment)
            if ce.state is not m.CEState.DISABLED:
                raise client_error("Cannot delete, compute environment must be DISABLED first", "computeEnvironment")
            for queue in self.describe_job_queues():
                if any(o.compute_environment == ce.compute_environment_arn for o in queue.compute_environment_order):
                    raise client_error("Cannot delete, found existing JobQueue relationship", "computeEnvironment")
            self.store.delete(COMPUTE_ENVIRONMENT, ce.compute_environment_arn)

    @validated(rules.DESCRIBE_COMPUTE_ENVIRONMENTS)
    def describe_compute_environments(
        self, compute_environments: list[str] | None = None
    ) -> list[m.ComputeEnvironmentDetail]:
        found = [m.ComputeEnvironmentDetail.model_validate(b) for b in self.store.list(COMPUTE_ENVIRONMENT)]
        if compute_environments:
            wanted = set(compute_environments)
            found = [c for c in found if c.compute_environment_name in wanted or c.compute_environment_arn in wanted]
        return found

    # -- job queues ------------------------------------------------------
    def _queue(self, name_or_arn: str) -> m.JobQueueDetail:
        arn = name_or_arn if name_or_arn.startswith("arn:") else self.ids.batch("job-queue", name_or_arn)
        body = self.store.get(JOB_QUEUE, arn)
        if body is None:
            raise client_error(f"JobQueue {name_or_arn} does not exist", "jobQueue")
        return m.JobQueueDetail.model_validate(body)

    def _put_queue(self, queue: m.JobQueueDetail) -> None:
        self.store.put(
            JOB_QUEUE, queue.job_queue_arn, queue.to_aws(), name=queue.job_queue_name, state=queue.state.value
        )

    def _resolve_order(self, compute_environment_order: list[dict[str, Any]]) -> list[m.ComputeEnvironmentOrder]:
        if not 1 <= len(compute_environment_order) <= 3:
            raise client_error(
                "computeEnvironmentOrder must list 1 to 3 compute environments", "computeEnvironmentOrder"
            )
        order = []
        kinds = set()
        for entry in compute_environment_order:
            item = m.ComputeEnvironmentOrder.model_validate(entry)
            ce = self._ce(item.compute_environment)
            if ce.compute_resources is not None:
                kinds.add(ce.compute_resources.type in FARGATE_TYPES)
            order.append(item.updated(compute_environment=ce.compute_environment_arn))
        if len(kinds) > 1:
            raise client_error("A job queue cannot mix Fargate and EC2 compute environments", "computeEnvironmentOrder")
        return sorted(order, key=lambda o: o.order)

    @validated(rules.CREATE_JOB_QUEUE)
    def create_job_queue(
        self,
        job_queue_name: str,
        priority: int,
        compute_environment_order: list[dict[str, Any]],
        state: str = "ENABLED",
        tags: dict[str, str] | None = None,
        scheduling_policy_arn: str | None = None,
        **_: Any,
    ) -> m.JobQueueDetail:
        if scheduling_policy_arn is not None:
            self._policy(scheduling_policy_arn)
        if not NAME_RE.fullmatch(job_queue_name):
            raise client_error("jobQueueName must be 1-128 letters, numbers, hyphens or underscores", "jobQueueName")
        if not 0 <= priority <= 1000:
            raise client_error("priority must be between 0 and 1000", "priority")
        arn = self.ids.batch("job-queue", job_queue_name)
        with self.store.transaction():
            if self.store.get(JOB_QUEUE, arn) is not None:
                raise client_error("Object already exists", "jobQueueName")
            queue = m.JobQueueDetail(
                job_queue_name=job_queue_name,
                job_queue_arn=arn,
                state=state,
                status=m.CEStatus.VALID,
                status_reason="JobQueue Healthy",
                priority=priority,
                compute_environment_order=self._resolve_order(compute_environment_order),
                scheduling_policy_arn=scheduling_policy_arn,
                tags=tags or {},
            )
            self._put_queue(queue)
        return queue

    @validated(rules.UPDATE_JOB_QUEUE)
    def update_job_queue(
        self,
        job_queue: str,
        state: str | None = None,
        priority: int | None = None,
        compute_environment_order: list[dict[str, Any]] | None = None,
        scheduling_policy_arn: str | None = None,
        **_: Any,
    ) -> m.JobQueueDetail:
        with self.store.transaction():
            queue = self._queue(job_queue)
            update: dict[str, Any] = {}
            if scheduling_policy_arn is not None:
                if queue.scheduling_policy_arn is None:
                    raise client_error("A job queue made without a scheduling policy cannot be given one",
                                       "schedulingPolicyArn")
                self._policy(scheduling_policy_arn)
                update["scheduling_policy_arn"] = scheduling_policy_arn
            if state is not None:
                update["state"] = state
            if priority is not None:
                if not 0 <= priority <= 1000:
                    raise client_error("priority must be between 0 and 1000", "priority")
                update["priority"] = priority
            if compute_environment_order is not None:
                update["compute_environment_order"] = self._resolve_order(compute_environment_order)
            queue = queue.updated(**update)
            self._put_queue(queue)
        self.scheduler.kick()
        return queue

    @validated(rules.JOB_QUEUE)
    def delete_job_queue(self, job_queue: str) -> None:
        with self.store.transaction():
            queue = self._queue(job_queue)
            if queue.state is not m.CEState.DISABLED:
                raise client_error("Cannot delete, job queue must be DISABLED first", "jobQueue")
            unfinished = self.book.summaries(queue.job_queue_arn, UNFINISHED)
            self.store.delete(JOB_QUEUE, queue.job_queue_arn)
        # Batch terminates the jobs still in a queue it deletes.
        for row in unfinished:
            self.terminate_job(row["jobId"], "Job queue deleted")

    @validated(rules.DESCRIBE_JOB_QUEUES)
    def describe_job_queues(self, job_queues: list[str] | None = None) -> list[m.JobQueueDetail]:
        found = [m.JobQueueDetail.model_validate(b) for b in self.store.list(JOB_QUEUE)]
        if job_queues:
            wanted = set(job_queues)
            found = [q for q in found if q.job_queue_name in wanted or q.job_queue_arn in wanted]
        return sorted(found, key=lambda q: -q.priority)

    # -- job definitions -------------------------------------------------
    @validated(rules.REGISTER_JOB_DEFINITION)
    def register_job_definition(
        self,
        job_definition_name: str,
        type: str = "container",
        container_properties: dict[str, Any] | None = None,
        retry_strategy: dict[str, Any] | None = None,
        timeout: dict[str, Any] | None = None,
        parameters: dict[str, str] | None = None,
        platform_capabilities: list[str] | None = None,
        tags: dict[str, str] | None = None,
        **_: Any,
    ) -> m.JobDefinition:
        if not NAME_RE.fullmatch(job_definition_name):
            raise client_error(
                "jobDefinitionName must be 1-128 letters, numbers, hyphens or underscores", "jobDefinitionName"
            )
        if type != "container":
            raise client_error(f"Job definition type {type} is not supported by the local emulator", "type")
        if not container_properties or not container_properties.get("image"):
            raise client_error("containerProperties.image must be provided", "containerProperties.image")
        if retry_strategy is not None and not 1 <= retry_strategy.get("attempts", 1) <= 10:
            raise client_error("retryStrategy.attempts must be between 1 and 10", "retryStrategy.attempts")
        if timeout is not None and timeout.get("attemptDurationSeconds", 60) < 60:
            raise client_error("timeout.attemptDurationSeconds must be at least 60", "timeout")
        fargate = "FARGATE" in (platform_capabilities or [])
        if fargate and container_properties.get("privileged"):
            raise client_error("privileged is not supported on Fargate resources", "containerProperties.privileged")
        with self.store.transaction():
            revision = self.store.next_sequence(f"{JOB_DEFINITION}:{job_definition_name}")
            arn = self.ids.batch("job-definition", f"{job_definition_name}:{revision}")
            definition = m.JobDefinition(
                job_definition_name=job_definition_name,
                job_definition_arn=arn,
                revision=revision,
                type=type,
                container_properties=m.ContainerProperties.model_validate(container_properties),
                retry_strategy=m.RetryStrategy.model_validate(retry_strategy) if retry_strategy else None,
                timeout=m.JobTimeout.model_validate(timeout) if timeout else None,
                parameters=parameters or {},
                platform_capabilities=platform_capabilities or ["EC2"],
                tags=tags or {},
            )
            self.store.put(JOB_DEFINITION, arn, definition.to_aws(), name=job_definition_name, state="ACTIVE")
        return definition

    def _definition(self, reference: str) -> m.JobDefinition:
        """A job definition by ARN, ``name:revision`` or ``name`` (its latest ACTIVE revision)."""
        if reference.startswith("arn:"):
            body = self.store.get(JOB_DEFINITION, reference)
        elif ":" in reference:
            body = self.store.get(JOB_DEFINITION, self.ids.batch("job-definition", reference))
        else:
            active = self.store.list(JOB_DEFINITION, name=reference, state="ACTIVE")
            body = max(active, key=lambda b: b["revision"]) if active else None
        if body is None:
            raise client_error(f"Job definition {reference} does not exist", "jobDefinition")
        return m.JobDefinition.model_validate(body)

    @validated(rules.JOB_DEFINITION)
    def deregister_job_definition(self, job_definition: str) -> None:
        arn = job_definition if job_definition.startswith("arn:") else self.ids.batch("job-definition", job_definition)
        with self.store.transaction():
            body = self.store.get(JOB_DEFINITION, arn)
            if body is None:
                raise client_error(f"Job definition {job_definition} does not exist", "jobDefinition")
            body["status"] = "INACTIVE"
            self.store.put(JOB_DEFINITION, arn, body, name=body["jobDefinitionName"], state="INACTIVE")

    @validated(rules.DESCRIBE_JOB_DEFINITIONS)
    def describe_job_definitions(
        self, job_definition_name: str | None = None, status: str | None = None
    ) -> list[m.JobDefinition]:
        bodies = self.store.list(JOB_DEFINITION, name=job_definition_name, state=status)
        return [m.JobDefinition.model_validate(b) for b in bodies]

    # -- scheduling policies ------------------------------------------------
    def _policy(self, arn: str) -> m.SchedulingPolicyDetail:
        body = self.store.get(SCHEDULING_POLICY, arn)
        if body is None:
            raise client_error(f"Scheduling policy {arn} does not exist", "schedulingPolicyArn")
        return m.SchedulingPolicyDetail.model_validate(body)

    @validated(rules.CREATE_SCHEDULING_POLICY)
    def create_scheduling_policy(
        self, name: str, fairshare_policy: dict[str, Any] | None = None, tags: dict[str, str] | None = None,
        **_: Any,
    ) -> m.SchedulingPolicyDetail:
        if not NAME_RE.fullmatch(name):
            raise client_error("name must be 1-128 letters, numbers, hyphens or underscores", "name")
        arn = self.ids.batch("scheduling-policy", name)
        policy = m.SchedulingPolicyDetail(
            name=name, arn=arn, tags=tags or {},
            fairshare_policy=m.FairsharePolicy.model_validate(fairshare_policy or {}),
        )
        with self.store.transaction():
            if self.store.get(SCHEDULING_POLICY, arn) is not None:
                raise client_error("Object already exists", "name")
            self.store.put(SCHEDULING_POLICY, arn, policy.to_aws(), name=name)
        return policy

    @validated(rules.UPDATE_SCHEDULING_POLICY)
    def update_scheduling_policy(self, arn: str, fairshare_policy: dict[str, Any] | None = None,
                                 **_: Any) -> m.SchedulingPolicyDetail:
        with self.store.transaction():
            policy = self._policy(arn)
            if fairshare_policy is not None:
                policy = policy.updated(fairshare_policy=m.FairsharePolicy.model_validate(fairshare_policy))
            self.store.put(SCHEDULING_POLICY, arn, policy.to_aws(), name=policy.name)
        self.scheduler.kick()
        return policy

    @validated(rules.SCHEDULING_POLICY)
    def delete_scheduling_policy(self, arn: str) -> None:
        with self.store.transaction():
            self._policy(arn)
            if any(q.scheduling_policy_arn == arn for q in self.describe_job_queues()):
                raise client_error("Cannot delete, a job queue uses this scheduling policy", "arn")
            self.store.delete(SCHEDULING_POLICY, arn)

    def describe_scheduling_policies(self, arns: list[str] | None = None) -> list[m.SchedulingPolicyDetail]:
        found = [m.SchedulingPolicyDetail.model_validate(b) for b in self.store.list(SCHEDULING_POLICY)]
        if arns is not None:
            if len(arns) > 100:
                raise client_error("arns takes at most 100 scheduling policies", "arns")
            wanted = set(arns)
            found = [p for p in found if p.arn in wanted]
        return found
