"""Batch's job operations in the emulator: SubmitJob, ListJobs, DescribeJobs, CancelJob and
TerminateJob.

SubmitJob checks every rule before it writes anything, then writes the job (and an
array job's children) in one transaction and asks the scheduler for a pass; what
happens next — PENDING, RUNNABLE, STARTING ... — is the scheduler's and the runner's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computetui.backends.errors import InvalidParameter
from computetui.backends.local.batch.book import ACTIVE, FINISHED, RUN, WAITING, JobBook, detail
from computetui.backends.rules import batch as rules
from computetui.backends.rules.batch import NAME_PATTERN, client_error
from computetui.backends.rules.validation import validated
from computetui.models import batch as m
from computetui.models.ecs import FARGATE_TASK_SIZES

if TYPE_CHECKING:
    from computetui.backends.local.batch.runner import JobRunner
    from computetui.backends.local.batch.scheduler import BatchScheduler

FARGATE_VCPUS = {units / 1024: units for units in FARGATE_TASK_SIZES}
"""The vCPU values Fargate takes (0.25 ... 16), to its CPU units."""


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def merged_container(props: m.ContainerProperties, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The job's container: the definition's properties with SubmitJob's overrides over them
    (the command replaced, environment variables by name, resource requirements by type)."""
    container = props.to_aws()
    overrides = overrides or {}
    if overrides.get("command") is not None:
        container["command"] = list(overrides["command"])
    if overrides.get("environment"):
        env = {e["name"]: e["value"] for e in container.get("environment") or []}
        env.update({e["name"]: e["value"] for e in overrides["environment"]})
        container["environment"] = [{"name": k, "value": v} for k, v in env.items()]
    if overrides.get("resourceRequirements"):
        wanted = {r["type"]: r["value"] for r in container.get("resourceRequirements") or []}
        wanted.update({r["type"]: r["value"] for r in overrides["resourceRequirements"]})
        container["resourceRequirements"] = [{"type": k, "value": v} for k, v in wanted.items()]
    for old in ("vcpus", "memory"):
        if overrides.get(old) is not None:
            container[old] = overrides[old]
    return container


def resources(container: dict[str, Any], fargate: bool) -> tuple[float, int]:
    """The job's vCPUs and memory (MiB), checked as Batch checks them for its platform."""
    props = m.ContainerProperties.model_validate(container)
    vcpus, memory = _number(props.requirement("VCPU")), _number(props.requirement("MEMORY"))
    if vcpus is None or memory is None:
        raise client_error("Resource VCPU and MEMORY must be given, by the job definition's resourceRequirements "
                           "or by containerOverrides.resourceRequirements", "containerOverrides.resourceRequirements")
    if fargate:
        units = FARGATE_VCPUS.get(vcpus)
        if units is None or int(memory) not in FARGATE_TASK_SIZES[units]:
            raise client_error(
                f"Fargate resource requirements are not valid: {vcpus:g} vCPU with {int(memory)} MiB. Fargate takes "
                f"vCPU 0.25, 0.5, 1, 2, 4, 8 or 16, each with its own memory sizes (0.25 vCPU: 512, 1024 or 2048)",
                "containerOverrides.resourceRequirements")
    else:
        if vcpus < 1 or vcpus != int(vcpus):
            raise client_error(f"VCPU must be a whole number of at least 1 on EC2 resources, not {vcpus:g}",
                               "containerOverrides.resourceRequirements")
        if memory < 4:
            raise client_error(f"MEMORY must be at least 4 MiB, not {memory:g}",
                               "containerOverrides.resourceRequirements")
    return vcpus, int(memory)


class JobsMixin:
    """The job operations of :class:`~computetui.backends.local.batch.facet.LocalBatch`."""

    book: JobBook
    scheduler: BatchScheduler
    runner: JobRunner

    # provided by the facet
    def _queue(self, name_or_arn: str) -> m.JobQueueDetail: ...
    def _ce(self, name_or_arn: str) -> m.ComputeEnvironmentDetail: ...
    def _definition(self, reference: str) -> m.JobDefinition: ...
    def _policy(self, arn: str) -> m.SchedulingPolicyDetail: ...

    @validated(rules.SUBMIT_JOB)
    def submit_job(
        self,
        job_name: str,
        job_queue: str,
        job_definition: str,
        array_properties: dict[str, Any] | None = None,
        depends_on: list[dict[str, Any]] | None = None,
        parameters: dict[str, str] | None = None,
        container_overrides: dict[str, Any] | None = None,
        retry_strategy: dict[str, Any] | None = None,
        timeout: dict[str, Any] | None = None,
        share_identifier: str | None = None,
        scheduling_priority_override: int | None = None,
        propagate_tags: bool | None = None,
        tags: dict[str, str] | None = None,
        **_: Any,
    ) -> m.JobDetail:
        if not NAME_PATTERN.fullmatch(job_name):
            raise client_error("jobName must be 1-128 letters, numbers, hyphens or underscores, starting with a "
                               "letter or number", "jobName")
        queue = self._queue(job_queue)
        if queue.state is m.CEState.DISABLED:
            raise client_error(f"Job queue {queue.job_queue_name} is DISABLED: no new job can be submitted to it",
                               "jobQueue")
        definition = self._definition(job_definition)
        if definition.status != "ACTIVE":
            raise client_error(f"Job definition {definition.job_definition_arn} is INACTIVE", "jobDefinition")
        fargate = "FARGATE" in definition.platform_capabilities
        queue_fargate = self._queue_is_fargate(queue)
        if queue_fargate is not None and queue_fargate != fargate:
            raise client_error(
                f"Job definition {definition.job_definition_name}:{definition.revision} is for "
                f"{'FARGATE' if fargate else 'EC2'} but job queue {queue.job_queue_name}'s compute environments are "
                f"{'FARGATE' if queue_fargate else 'EC2'}: the platform capabilities do not match", "jobDefinition")
        container = merged_container(definition.container_properties or m.ContainerProperties(image=""),
                                     container_overrides)
        vcpus, memory = resources(container, fargate)
        params = {**definition.parameters, **(parameters or {})}
        container["command"] = rules.substitute(container.get("command") or [], params)
        size = (array_properties or {}).get("size")
        if size is not None and size not in rules.ARRAY_SIZE:
            raise client_error(f"arrayProperties.size must be between 2 and 10000, not {size}", "arrayProperties.size")
        retry = retry_strategy if retry_strategy is not None else (
            definition.retry_strategy.to_aws() if definition.retry_strategy else None)
        if retry is not None and not 1 <= retry.get("attempts", 1) <= 10:
            raise client_error("retryStrategy.attempts must be between 1 and 10", "retryStrategy.attempts")
        for rule in (retry or {}).get("evaluateOnExit") or []:
            if str(rule.get("action", "")).upper() not in ("RETRY", "EXIT"):
                raise client_error(f"retryStrategy.evaluateOnExit action must be RETRY or EXIT, not "
                                   f"{rule.get('action')}", "retryStrategy.evaluateOnExit.action")
        limit = timeout if timeout is not None else (definition.timeout.to_aws() if definition.timeout else None)
        seconds = (limit or {}).get("attemptDurationSeconds")
        if seconds is not None and seconds < rules.TIMEOUT_MIN_S:
            raise client_error(f"timeout.attemptDurationSeconds must be at least 60, not {seconds}",
                               "timeout.attemptDurationSeconds")
        share = self._check_share(queue, share_identifier)
        waits = self._dependencies(depends_on or [], size)
        job_id = self.ids.uuid()  # type: ignore[attr-defined]
        arn = self.ids.batch("job", job_id)  # type: ignore[attr-defined]
        now = self.now_ms  # type: ignore[attr-defined]
        priority = scheduling_priority_override if scheduling_priority_override is not None else 0
        ce_names = [o.compute_environment for o in queue.compute_environment_order]
        body: dict[str, Any] = {
            "jobArn": arn, "jobId": job_id, "jobName": job_name, "jobQueue": queue.job_queue_arn,
            "status": "SUBMITTED", "createdAt": now, "jobDefinition": definition.job_definition_arn,
            "dependsOn": depends_on or [], "parameters": params, "container": container,
            "attempts": [], "platformCapabilities": definition.platform_capabilities,
            "tags": {**(definition.tags if propagate_tags else {}), **(tags or {})},
        }
        if retry is not None:
            body["retryStrategy"] = retry
        if seconds is not None:
            body["timeout"] = {"attemptDurationSeconds": seconds}
        if share is not None:
            body["shareIdentifier"] = share
            body["schedulingPriority"] = priority
        run = {"queueArn": queue.job_queue_arn, "vcpus": vcpus, "memoryMib": memory, "waitsFor": waits["job"],
               "environments": ce_names, "share": share, "priority": priority, "attempt": 0,
               "definitionName": definition.job_definition_name, "fargate": fargate}
        children = []
        if size is not None:
            body["arrayProperties"] = {"size": size, "statusSummary": dict.fromkeys(rules.JOB_STATUSES, 0)}
            run["waitsFor"] = []
            for index in range(size):
                child = {key: value for key, value in body.items() if key not in ("arrayProperties",)}
                child.update(jobArn=f"{arn}:{index}", jobId=f"{job_id}:{index}",
                             arrayProperties={"size": size, "index": index}, dependsOn=[])
                waits_for = list(waits["job"])
                if waits["sequential"] and index > 0:
                    waits_for.append(f"{arn}:{index - 1}")
                    child["dependsOn"] = [{"jobId": f"{job_id}:{index - 1}", "type": "SEQUENTIAL"}]
                for other in waits["n_to_n"]:
                    waits_for.append(f"{other}:{index}")
                    child["dependsOn"].append({"jobId": f"{other.rsplit('/', 1)[-1]}:{index}", "type": "N_TO_N"})
                child[RUN] = {**run, "waitsFor": waits_for, "arrayJobArn": arn, "index": index}
                children.append(child)
        body[RUN] = run
        with self.store.transaction():  # type: ignore[attr-defined]
            self.book.save(body)
            for child in children:
                self.book.save(child)
        self.scheduler.kick()
        return detail(body)

    def _queue_is_fargate(self, queue: m.JobQueueDetail) -> bool | None:
        for order in queue.compute_environment_order:
            try:
                ce = self._ce(order.compute_environment)
            except InvalidParameter:
                continue
            if ce.compute_resources is not None:
                return ce.compute_resources.type in (m.ResourceType.FARGATE, m.ResourceType.FARGATE_SPOT)
        return None

    def _check_share(self, queue: m.JobQueueDetail, share: str | None) -> str | None:
        if queue.scheduling_policy_arn is None:
            if share is not None:
                raise client_error(f"Job queue {queue.job_queue_name} has no scheduling policy, so it takes no "
                                   "shareIdentifier", "shareIdentifier")
            return None
        if share is None:
            raise client_error(f"Job queue {queue.job_queue_name} uses a fair-share scheduling policy: "
                               "shareIdentifier must be given", "shareIdentifier")
        return share

    def _dependencies(self, depends_on: list[dict[str, Any]], size: int | None) -> dict[str, Any]:
        """The ARNs a job (or each child) waits for, checked as Batch checks them."""
        if len(depends_on) > rules.DEPENDS_ON_MAX:
            raise client_error(f"dependsOn takes at most 20 jobs, not {len(depends_on)}", "dependsOn")
        waits: dict[str, Any] = {"job": [], "n_to_n": [], "sequential": False}
        for entry in depends_on:
            kind = entry.get("type")
            job_id = entry.get("jobId")
            if kind == "SEQUENTIAL":
                if size is None or job_id:
                    raise client_error("A SEQUENTIAL dependency is given without a jobId, on an array job",
                                       "dependsOn.type")
                waits["sequential"] = True
                continue
            if not job_id:
                raise client_error("dependsOn.jobId must be given", "dependsOn.jobId")
            found = self.book.find(job_id)
            if found is None:
                raise client_error(f"Dependency job {job_id} does not exist", "dependsOn.jobId")
            if kind == "N_TO_N":
                other = (found.get("arrayProperties") or {}).get("size")
                if size is None or other is None or (found.get("arrayProperties") or {}).get("index") is not None:
                    raise client_error("An N_TO_N dependency joins two array jobs", "dependsOn.type")
                if other != size:
                    raise client_error(f"An N_TO_N dependency needs arrays of the same size: {size} and {other}",
                                       "dependsOn.type")
                waits["n_to_n"].append(found["jobArn"])
                continue
            waits["job"].append(found["jobArn"])
        return waits

    # -- reading -----------------------------------------------------------------
    @validated(rules.LIST_JOBS)
    def list_jobs(
        self,
        job_queue: str | None = None,
        job_status: str | None = None,
        array_job_id: str | None = None,
        filters: list[dict[str, Any]] | None = None,
    ) -> list[m.JobSummary]:
        if array_job_id:
            parent = self.book.find(array_job_id)
            if parent is None:
                raise client_error(f"Array job {array_job_id} does not exist", "arrayJobId")
            where = parent["jobArn"]
        elif job_queue:
            where = self._queue(job_queue).job_queue_arn
        else:
            raise client_error("jobQueue or arrayJobId must be given", "jobQueue")
        states = None if filters else [job_status or "RUNNING"]
        rows = self.book.summaries(where, states)
        for item in filters or []:
            rows = [row for row in rows if _keeps(item["name"], item["values"][0], row)]
        return [m.JobSummary.model_validate(row) for row in rows]

    @validated(rules.DESCRIBE_JOBS)
    def describe_jobs(self, jobs: list[str]) -> list[m.JobDetail]:
        found = []
        for job_id in dict.fromkeys(jobs):
            body = self.book.find(job_id)
            if body is not None:
                found.append(detail(self._with_summary(body)))
        return found

    def _with_summary(self, body: dict[str, Any]) -> dict[str, Any]:
        """An array job's parent with its children counted now."""
        props = body.get("arrayProperties")
        if props and props.get("index") is None:
            props["statusSummary"] = {s: self.book.count(body["jobArn"], s) for s in rules.JOB_STATUSES}
        return body

    # -- ending --------------------------------------------------------------------
    @validated(rules.CANCEL_JOB)
    def cancel_job(self, job_id: str, reason: str) -> None:
        """SUBMITTED, PENDING or RUNNABLE -> FAILED with ``reason``; a job already STARTING or
        RUNNING is left to run (TerminateJob ends it), and the call still succeeds, as on AWS."""
        body = self._job(job_id)
        for arn in self._targets(body):
            self.scheduler.fail_waiting(arn, reason)
        self.scheduler.kick()

    @validated(rules.TERMINATE_JOB)
    def terminate_job(self, job_id: str, reason: str) -> None:
        """Any unfinished job -> FAILED with ``reason``: a waiting one at once, a STARTING or
        RUNNING one once its container has stopped (SIGTERM, then SIGKILL after 30 s)."""
        body = self._job(job_id)
        for arn in self._targets(body):
            if not self.scheduler.fail_waiting(arn, reason):
                self.runner.terminate(arn, reason)
        self.scheduler.kick()

    def _job(self, job_id: str) -> dict[str, Any]:
        body = self.book.find(job_id)
        if body is None:
            raise client_error(f"Job {job_id} does not exist", "jobId")
        return body

    def _targets(self, body: dict[str, Any]) -> list[str]:
        """The jobs an end applies to: an array job's unfinished children, or the job itself."""
        props = body.get("arrayProperties") or {}
        if props.get("size") is not None and props.get("index") is None:
            return [row["jobArn"] for row in self.book.summaries(body["jobArn"], WAITING + ACTIVE)]
        return [] if body["status"] in FINISHED else [body["jobArn"]]


def _prefix_match(text: str, pattern: str) -> bool:
    """Batch's only wildcard: a trailing ``*``."""
    return text.startswith(pattern[:-1]) if pattern.endswith("*") else text == pattern


def _keeps(name: str, value: str, row: dict[str, Any]) -> bool:
    """ListJobs' filters: JOB_NAME (any case) and JOB_DEFINITION (its case) are a value or a
    prefix ending in ``*``; the times are epoch milliseconds."""
    if name == "JOB_NAME":
        return _prefix_match(row.get("jobName", "").lower(), value.lower())
    if name == "JOB_DEFINITION":
        definition = row.get("jobDefinition", "")
        short = definition.rsplit("/", 1)[-1]
        return any(_prefix_match(d, value) for d in (definition, short, short.split(":")[0]))
    created = row.get("createdAt") or 0
    try:
        moment = int(value)
    except ValueError:
        return False
    return created < moment if name == "BEFORE_CREATED_AT" else created > moment

