"""AWS Batch through boto3: compute environments, job queues, job definitions and jobs.

Listings use botocore's paginators. The describes' default pages are already
Batch's maximum (100); ListJobs is sent maxResults at its largest (1000 jobs a page
by status, 100 with a filter) rather than left to a default. DescribeJobs
takes at most 100 ids a call, DescribeComputeEnvironments and DescribeJobQueues at
most 100 names, so longer lists go in batches of 100.

SubmitJob's limits that the service model leaves to the service (an array's size,
attempts, the timeout, how many dependencies) are checked before sending: AWS
refuses them too, with a ClientException, but a form can then point at the field.

A create or an update answers with a name and an ARN only; the adapter then reads
the resource once, so the console shows what AWS made (defaults filled in).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, aws_json, batches, parse
from computetui.backends.base import BatchFacet
from computetui.backends.errors import InvalidParameter
from computetui.backends.rules.batch import ARRAY_SIZE, DEPENDS_ON_MAX, TIMEOUT_MIN_S
from computetui.models import batch as m

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

DESCRIBE_JOBS_MAX = 100
"""DescribeJobs: "A list of up to 100 job IDs"."""
DESCRIBE_NAMES_MAX = 100
"""DescribeComputeEnvironments / DescribeJobQueues: up to 100 names or ARNs a request."""
PRIORITY_RANGE = range(0, 1001)
"""A job queue's priority: 0 to 1000 (the AWS::Batch::JobQueue resource schema)."""
JOB_STATUSES = [s.value for s in m.JobStatus]
LIST_JOBS_PAGE = 1000
"""ListJobs' maxResults by status (or none): up to 1000 jobs a page."""
LIST_JOBS_FILTERED_PAGE = 100
"""ListJobs' maxResults with ``filters``: up to 100 jobs a page."""
ATTEMPTS = range(1, 11)
"""``retryStrategy.attempts``: 1 to 10."""
EVALUATE_ON_EXIT_MAX = 5


def _check_priority(priority: int | None) -> None:
    # AWS refuses it too (ClientException); checked first so a form can point at the field.
    if priority is not None and priority not in PRIORITY_RANGE:
        raise InvalidParameter(
            f"priority must be between 0 and 1000, not {priority}", code="ClientException", field="priority"
        )


def _client_exception(message: str, field: str) -> InvalidParameter:
    return InvalidParameter(message, code="ClientException", field=field)


def _check_attempts_and_timeout(asked: dict[str, Any]) -> None:
    """A job's or a job definition's retry strategy and timeout (AWS's JSON names)."""
    retry = asked.get("retryStrategy") or {}
    attempts = retry.get("attempts")
    if isinstance(attempts, int) and attempts not in ATTEMPTS:
        raise _client_exception(
            f"retryStrategy.attempts must be from 1 to 10, not {attempts}", "retryStrategy.attempts"
        )
    rules = retry.get("evaluateOnExit") or []
    if len(rules) > EVALUATE_ON_EXIT_MAX:
        raise _client_exception(
            f"retryStrategy.evaluateOnExit takes at most {EVALUATE_ON_EXIT_MAX} rules, not {len(rules)}",
            "retryStrategy.evaluateOnExit",
        )
    seconds = (asked.get("timeout") or {}).get("attemptDurationSeconds")
    if isinstance(seconds, int) and seconds < TIMEOUT_MIN_S:
        raise _client_exception(
            f"timeout.attemptDurationSeconds must be {TIMEOUT_MIN_S} or more, not {seconds}",
            "timeout.attemptDurationSeconds",
        )


def _check_submission(asked: dict[str, Any]) -> None:
    """SubmitJob's limits beyond the service model (AWS's JSON names)."""
    size = (asked.get("arrayProperties") or {}).get("size")
    if isinstance(size, int) and size not in ARRAY_SIZE:
        raise _client_exception(f"arrayProperties.size must be from 2 to 10000, not {size}", "arrayProperties.size")
    depends_on = asked.get("dependsOn") or []
    if len(depends_on) > DEPENDS_ON_MAX:
        raise _client_exception(f"dependsOn takes at most {DEPENDS_ON_MAX} jobs, not {len(depends_on)}", "dependsOn")
    _check_attempts_and_timeout(asked)


class AwsBatch(BatchFacet):
    backend: AwsBackend

    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.api = Caller(backend, "batch", invalid_code="ClientException")

    def _send(self, operation: str, keywords: dict[str, Any], **params: Any) -> dict[str, Any]:
        """``operation`` with AWS's ``params`` plus the contract's snake_case ``keywords``."""
        return self.api.call(operation, **params, **self.api.params(operation, keywords))

    # -- compute environments -------------------------------------------
    def create_compute_environment(self, compute_environment_name: str, **kwargs: Any) -> m.ComputeEnvironmentDetail:
        kwargs.setdefault("type", m.CEType.MANAGED.value)  # AWS requires it; the contract defaults it
        answer = self._send("create_compute_environment", kwargs, computeEnvironmentName=compute_environment_name)
        return self._compute_environment_after(answer, kwargs)

    def update_compute_environment(self, compute_environment: str, **kwargs: Any) -> m.ComputeEnvironmentDetail:
        answer = self._send("update_compute_environment", kwargs, computeEnvironment=compute_environment)
        return self._compute_environment_after(answer, kwargs)

    def _compute_environment_after(self, answer: dict[str, Any], kwargs: dict[str, Any]) -> m.ComputeEnvironmentDetail:
        arn = answer["computeEnvironmentArn"]
        found = self.describe_compute_environments([arn])
        if found:
            return found[0]
        # Not listed yet (Batch is eventually consistent): what was asked for, being made.
        asked = self.api.params("create_compute_environment", kwargs)
        return parse(
            m.ComputeEnvironmentDetail,
            {
                **{k: v for k, v in asked.items() if k in ("type", "state", "computeResources", "tags")},
                "computeEnvironmentName": answer["computeEnvironmentName"],
                "computeEnvironmentArn": arn,
                "status": m.CEStatus.CREATING.value,
            },
        )

    def delete_compute_environment(self, compute_environment: str) -> None:
        self.api.call("delete_compute_environment", computeEnvironment=compute_environment)

    def describe_compute_environments(
        self, compute_environments: list[str] | None = None
    ) -> list[m.ComputeEnvironmentDetail]:
        if compute_environments:
            found = self.api.batched_pages(
                "describe_compute_environments",
                "computeEnvironments",
                "computeEnvironments",
                compute_environments,
                DESCRIBE_NAMES_MAX,
            )
        else:
            found = self.api.pages("describe_compute_environments", "computeEnvironments")
        return [parse(m.ComputeEnvironmentDetail, ce) for ce in found]

    # -- job queues ------------------------------------------------------
    def create_job_queue(
        self, job_queue_name: str, priority: int, compute_environment_order: list[dict[str, Any]], **kwargs: Any
    ) -> m.JobQueueDetail:
        _check_priority(priority)
        # ENABLED is AWS's default; sent explicitly because some endpoints (moto) require it.
        kwargs.setdefault("state", m.CEState.ENABLED.value)
        kwargs["compute_environment_order"] = compute_environment_order
        answer = self._send("create_job_queue", kwargs, jobQueueName=job_queue_name, priority=priority)
        return self._job_queue_after(answer, {"priority": priority, **kwargs})

    def update_job_queue(self, job_queue: str, **kwargs: Any) -> m.JobQueueDetail:
        _check_priority(kwargs.get("priority"))
        answer = self._send("update_job_queue", kwargs, jobQueue=job_queue)
        return self._job_queue_after(answer, kwargs)

    def _job_queue_after(self, answer: dict[str, Any], kwargs: dict[str, Any]) -> m.JobQueueDetail:
        arn = answer["jobQueueArn"]
        found = self.describe_job_queues([arn])
        if found:
            return found[0]
        asked = self.api.params("create_job_queue", kwargs)
        return parse(
            m.JobQueueDetail,
            {
                "priority": 0,
                **{k: v for k, v in asked.items() if k in ("priority", "state", "computeEnvironmentOrder", "tags")},
                "jobQueueName": answer["jobQueueName"],
                "jobQueueArn": arn,
                "status": m.CEStatus.CREATING.value,
            },
        )

    def delete_job_queue(self, job_queue: str) -> None:
        self.api.call("delete_job_queue", jobQueue=job_queue)

    def describe_job_queues(self, job_queues: list[str] | None = None) -> list[m.JobQueueDetail]:
        if job_queues:
            found = self.api.batched_pages(
                "describe_job_queues", "jobQueues", "jobQueues", job_queues, DESCRIBE_NAMES_MAX
            )
        else:
            found = self.api.pages("describe_job_queues", "jobQueues")
        queues = [parse(m.JobQueueDetail, q) for q in found]
        return sorted(queues, key=lambda q: -q.priority)  # as the scheduler reads them: highest first

    # -- job definitions -------------------------------------------------
    def register_job_definition(
        self, job_definition_name: str, type: str = "container", **kwargs: Any
    ) -> m.JobDefinition:
        _check_attempts_and_timeout(self.api.params("register_job_definition", kwargs))
        answer = self._send("register_job_definition", kwargs, jobDefinitionName=job_definition_name, type=type)
        found = self.api.pages(
            "describe_job_definitions", "jobDefinitions", jobDefinitions=[answer["jobDefinitionArn"]]
        )
        if found:
            return parse(m.JobDefinition, found[0])
        return parse(
            m.JobDefinition,
            {
                **self.api.params("register_job_definition", kwargs),
                "jobDefinitionName": answer["jobDefinitionName"],
                "jobDefinitionArn": answer["jobDefinitionArn"],
                "revision": answer["revision"],
                "type": type,
            },
        )

    def deregister_job_definition(self, job_definition: str) -> None:
        self.api.call("deregister_job_definition", jobDefinition=job_definition)

    def describe_job_definitions(
        self, job_definition_name: str | None = None, status: str | None = None
    ) -> list[m.JobDefinition]:
        found = self.api.pages(
            "describe_job_definitions", "jobDefinitions", jobDefinitionName=job_definition_name, status=status
        )
        return [parse(m.JobDefinition, jd) for jd in found]

    # -- jobs ------------------------------------------------------------
    def submit_job(self, job_name: str, job_queue: str, job_definition: str, **kwargs: Any) -> m.JobDetail:
        _check_submission(self.api.params("submit_job", kwargs))
        answer = self._send("submit_job", kwargs, jobName=job_name, jobQueue=job_queue, jobDefinition=job_definition)
        found = self.describe_jobs([answer["jobId"]])
        if found:
            return found[0]
        return parse(
            m.JobDetail,
            {
                "jobArn": answer.get("jobArn") or answer["jobId"],
                "jobId": answer["jobId"],
                "jobName": answer["jobName"],
                "jobQueue": job_queue,
                "jobDefinition": job_definition,
                "status": m.JobStatus.SUBMITTED.value,
            },
        )

    def list_jobs(
        self,
        job_queue: str | None = None,
        job_status: str | None = None,
        array_job_id: str | None = None,
        filters: list[dict[str, Any]] | None = None,
    ) -> list[m.JobSummary]:
        """ListJobs, every page at its largest. ListJobs takes a queue *or* an array job, so an
        array job's children are listed by the array job alone. With ``filters`` AWS ignores the
        status and answers every one, so none is sent; without a status it answers RUNNING."""
        if array_job_id:
            where = {"arrayJobId": array_job_id}
        elif job_queue:
            where = {"jobQueue": job_queue}
        else:
            raise _client_exception("ListJobs needs a job queue or an array job id", "jobQueue")
        if filters:
            found = self.api.pages(
                "list_jobs", "jobSummaryList", page_size=LIST_JOBS_FILTERED_PAGE, filters=aws_json(filters), **where
            )
        else:
            found = self.api.pages(
                "list_jobs", "jobSummaryList", page_size=LIST_JOBS_PAGE, jobStatus=job_status, **where
            )
        return [parse(m.JobSummary, j) for j in found]

    def describe_jobs(self, jobs: list[str]) -> list[m.JobDetail]:
        """In the order asked, 100 ids a call; a job AWS no longer knows is left out."""
        wanted = list(dict.fromkeys(jobs))
        found: list[m.JobDetail] = []
        for batch in batches(wanted, DESCRIBE_JOBS_MAX):
            found += [parse(m.JobDetail, j) for j in self.api.call("describe_jobs", jobs=batch).get("jobs") or []]
        rank = {ref: i for i, ref in enumerate(wanted)}
        return sorted(found, key=lambda j: rank.get(j.job_id, rank.get(j.job_arn, len(rank))))

    def describe_jobs_in_queue(self, job_queue: str, job_statuses: list[str] | None = None) -> list[m.JobDetail]:
        """Every job of a queue in ``job_statuses`` (all seven by default), described: ListJobs
        per status (every page), then DescribeJobs 100 ids a call. Beyond the contract: a
        jobs pane can use it where the backend has it."""
        ids: list[str] = []
        for status in job_statuses or JOB_STATUSES:
            ids += [s.job_id for s in self.list_jobs(job_queue, job_status=status)]
        return self.describe_jobs(ids)

    def terminate_job(self, job_id: str, reason: str) -> None:
        self.api.call("terminate_job", jobId=job_id, reason=reason)

    def cancel_job(self, job_id: str, reason: str) -> None:
        self.api.call("cancel_job", jobId=job_id, reason=reason)

    # -- scheduling policies ---------------------------------------------------------
    def create_scheduling_policy(self, name: str, **kwargs: Any) -> m.SchedulingPolicyDetail:
        answer = self._send("create_scheduling_policy", kwargs, name=name)
        found = self.describe_scheduling_policies([answer["arn"]])
        return found[0] if found else parse(m.SchedulingPolicyDetail, {"name": answer["name"], "arn": answer["arn"]})

    def update_scheduling_policy(self, arn: str, **kwargs: Any) -> m.SchedulingPolicyDetail:
        self._send("update_scheduling_policy", kwargs, arn=arn)
        found = self.describe_scheduling_policies([arn])
        if not found:
            raise InvalidParameter(f"Scheduling policy {arn} does not exist", code="ClientException", field="arn")
        return found[0]

    def delete_scheduling_policy(self, arn: str) -> None:
        self.api.call("delete_scheduling_policy", arn=arn)

    def describe_scheduling_policies(self, arns: list[str] | None = None) -> list[m.SchedulingPolicyDetail]:
        """The policies named, 100 a call; every one when ``arns`` is None (ListSchedulingPolicies first)."""
        if arns is None:
            arns = [p["arn"] for p in self.api.pages("list_scheduling_policies", "schedulingPolicies")]
        found: list[m.SchedulingPolicyDetail] = []
        for batch in batches(list(dict.fromkeys(arns)), DESCRIBE_NAMES_MAX):
            answer = self.api.call("describe_scheduling_policies", arns=batch)
            found += [parse(m.SchedulingPolicyDetail, p) for p in answer.get("schedulingPolicies") or []]
        return found

