"""What AWS Batch's operations take, as its service model and documented limits say.

Batch refuses bad input with ``ClientException``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from typing import Any

from computetui.backends.errors import InvalidParameter
from computetui.backends.rules.validation import (
    Boolean,
    Dialect,
    Integer,
    ListOf,
    MapOf,
    Number,
    Request,
    String,
    Structure,
)

CLIENT = Dialect("ClientException")
NAME_PATTERN = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}")
"""Names of environments, queues, definitions, policies and jobs: 1-128, starting with a letter or digit."""


def client_error(message: str, field: str | None = None) -> InvalidParameter:
    """Batch reports bad input as ``ClientException``."""
    return InvalidParameter(message, code="ClientException", field=field)

NAME = String()
"""Names are checked against Batch's pattern by the operation, in Batch's words."""
STATES = ("ENABLED", "DISABLED")
TAGS = MapOf(String(min=1, max=128), String(max=256), max=50)
COMPUTE_RESOURCES = {
    "type": String(enum=("EC2", "SPOT", "FARGATE", "FARGATE_SPOT")),
    "minvCpus": Integer(min=0),
    "maxvCpus": Integer(min=0),
    "desiredvCpus": Integer(min=0),
    "instanceTypes": ListOf(String()),
    "subnets": ListOf(String()),
    "securityGroupIds": ListOf(String()),
}
ORDER = ListOf(Structure({"order": Integer(min=0), "computeEnvironment": String(min=1)},
                         required=("order", "computeEnvironment")))
KEY_VALUE = Structure({"name": String(), "value": String()}, required=("name", "value"))
CONTAINER_PROPERTIES = Structure({
    "image": String(),
    "command": ListOf(String()),
    "environment": ListOf(KEY_VALUE),
    "resourceRequirements": ListOf(Structure({"type": String(enum=("GPU", "VCPU", "MEMORY")), "value": String()},
                                             required=("type", "value"))),
    "jobRoleArn": String(),
    "executionRoleArn": String(),
    "vcpus": Integer(min=1),
    "memory": Integer(min=4),
    "ulimits": ListOf(Structure({"name": String(min=1), "softLimit": Integer(min=0), "hardLimit": Integer(min=0)},
                                required=("name", "softLimit", "hardLimit"))),
    "user": String(),
    "readonlyRootFilesystem": Boolean(),
    "privileged": Boolean(),
})
RETRY_STRATEGY = Structure({
    "attempts": Integer(min=1, max=10),
    "evaluateOnExit": ListOf(Structure({
        "onStatusReason": String(max=512), "onReason": String(max=512), "onExitCode": String(max=512),
        "action": String(),
    }, required=("action",)), max=5),
})


def _request(operation: str, name: str, required: tuple[str, ...] = (), **members: Any) -> Request:
    return Request(operation, CLIENT, {name: NAME, **members}, required=(name, *required))


CREATE_COMPUTE_ENVIRONMENT = _request(
    "CreateComputeEnvironment", "compute_environment_name", type=String(), state=String(),
    compute_resources=Structure(COMPUTE_RESOURCES, required=("type", "maxvCpus")), tags=TAGS,
    unmanagedv_cpus=Integer(min=0),
)
UPDATE_COMPUTE_ENVIRONMENT = _request(
    "UpdateComputeEnvironment", "compute_environment", state=String(enum=STATES),
    compute_resources=Structure(COMPUTE_RESOURCES), unmanagedv_cpus=Integer(min=0),
)
COMPUTE_ENVIRONMENT = _request("DeleteComputeEnvironment", "compute_environment")
CREATE_JOB_QUEUE = _request(
    "CreateJobQueue", "job_queue_name", required=("priority", "compute_environment_order"), priority=Integer(),
    compute_environment_order=ORDER, state=String(enum=STATES), tags=TAGS, scheduling_policy_arn=String(),
)
UPDATE_JOB_QUEUE = _request(
    "UpdateJobQueue", "job_queue", state=String(enum=STATES), priority=Integer(), compute_environment_order=ORDER,
    scheduling_policy_arn=String(),
)
JOB_QUEUE = _request("DeleteJobQueue", "job_queue")
REGISTER_JOB_DEFINITION = _request(
    "RegisterJobDefinition", "job_definition_name", type=String(), container_properties=CONTAINER_PROPERTIES,
    retry_strategy=RETRY_STRATEGY, timeout=Structure({"attemptDurationSeconds": Integer()}),
    parameters=MapOf(String(), String()), platform_capabilities=ListOf(String(enum=("EC2", "FARGATE"))),
    tags=TAGS, scheduling_priority=Integer(min=0, max=9999),
)
JOB_DEFINITION = _request("DeregisterJobDefinition", "job_definition")
DESCRIBE_COMPUTE_ENVIRONMENTS = Request("DescribeComputeEnvironments", CLIENT,
                                        {"compute_environments": ListOf(String())})
DESCRIBE_JOB_QUEUES = Request("DescribeJobQueues", CLIENT, {"job_queues": ListOf(String())})
DESCRIBE_JOB_DEFINITIONS = Request(
    "DescribeJobDefinitions", CLIENT, {"job_definition_name": String(), "status": String()}
)
JOB_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
LIST_FILTER_NAMES = ("JOB_NAME", "JOB_DEFINITION", "BEFORE_CREATED_AT", "AFTER_CREATED_AT")
LIST_JOBS = Request("ListJobs", CLIENT, {
    "job_queue": String(), "job_status": String(enum=JOB_STATUSES), "array_job_id": String(),
    "filters": ListOf(Structure({"name": String(enum=LIST_FILTER_NAMES), "values": ListOf(String(), min=1)},
                                required=("name", "values"))),
})
DESCRIBE_JOBS = Request("DescribeJobs", CLIENT, {"jobs": ListOf(String(), max=100)}, required=("jobs",))

ARRAY_SIZE = range(2, 10_001)
"""An array job has 2 to 10,000 children."""
DEPENDS_ON_MAX = 20
TIMEOUT_MIN_S = 60
"""A job's attempts run at least 60 seconds before a timeout can end them."""
DEPENDENCY_TYPES = ("N_TO_N", "SEQUENTIAL")
SUBMIT_JOB = Request("SubmitJob", CLIENT, {
    "job_name": NAME, "job_queue": String(), "job_definition": String(),
    "array_properties": Structure({"size": Integer()}),
    "depends_on": ListOf(Structure({"jobId": String(), "type": String(enum=DEPENDENCY_TYPES)})),
    "parameters": MapOf(String(), String()),
    "container_overrides": Structure({
        "command": ListOf(String()),
        "environment": ListOf(KEY_VALUE),
        "resourceRequirements": ListOf(Structure({"type": String(enum=("GPU", "VCPU", "MEMORY")), "value": String()},
                                                 required=("type", "value"))),
        "vcpus": Integer(), "memory": Integer(), "instanceType": String(),
    }),
    "retry_strategy": RETRY_STRATEGY,
    "timeout": Structure({"attemptDurationSeconds": Integer()}),
    "share_identifier": String(), "scheduling_priority_override": Integer(min=0, max=9999),
    "propagate_tags": Boolean(), "tags": TAGS,
}, required=("job_name", "job_queue", "job_definition"))
CANCEL_JOB = Request("CancelJob", CLIENT, {"job_id": String(), "reason": String()}, required=("job_id", "reason"))
TERMINATE_JOB = Request("TerminateJob", CLIENT, {"job_id": String(), "reason": String()},
                        required=("job_id", "reason"))

FAIRSHARE_POLICY = Structure({
    "shareDecaySeconds": Integer(min=0, max=604800),
    "computeReservation": Integer(min=0, max=99),
    "shareDistribution": ListOf(Structure({"shareIdentifier": String(min=1, max=255),
                                           "weightFactor": Number(min=0.0001, max=999.9999)},
                                          required=("shareIdentifier",)), max=500),
})
CREATE_SCHEDULING_POLICY = Request("CreateSchedulingPolicy", CLIENT, {
    "name": NAME, "fairshare_policy": FAIRSHARE_POLICY, "tags": TAGS}, required=("name",))
UPDATE_SCHEDULING_POLICY = Request("UpdateSchedulingPolicy", CLIENT, {
    "arn": String(), "fairshare_policy": FAIRSHARE_POLICY}, required=("arn",))
SCHEDULING_POLICY = Request("DeleteSchedulingPolicy", CLIENT, {"arn": String()}, required=("arn",))
DESCRIBE_SCHEDULING_POLICIES = Request("DescribeSchedulingPolicies", CLIENT, {"arns": ListOf(String(), max=100)},
                                       required=("arns",))


# -- what a job's run is decided by ------------------------------------------------------
def _glob(pattern: str | None, value: str) -> bool:
    """Batch's match: the pattern may end in ``*`` (and holds letters, digits, spaces, ``.:``);
    case counts. No pattern matches anything."""
    if pattern is None:
        return True
    return fnmatch.fnmatchcase(value, pattern)


def retry_action(rules: Sequence[Mapping[str, Any]], exit_code: int | None, reason: str | None,
                 status_reason: str | None) -> str:
    """What ``evaluateOnExit`` says of a failed attempt: ``RETRY`` or ``EXIT``. The first rule
    whose every condition matches decides; when none matches (or there are none) the job is
    retried, as Batch does."""
    for rule in rules:
        if (_glob(rule.get("onExitCode"), "" if exit_code is None else str(exit_code))
                and _glob(rule.get("onReason"), reason or "")
                and _glob(rule.get("onStatusReason"), status_reason or "")):
            return str(rule.get("action", "RETRY")).upper()
    return "RETRY"


def substitute(command: Sequence[str], parameters: Mapping[str, str]) -> list[str]:
    """A command with each ``Ref::name`` word replaced by the parameter's value (a word whose
    parameter is not given stays as it is, as on Batch)."""
    out = []
    for word in command:
        if word.startswith("Ref::") and word[5:] in parameters:
            out.append(parameters[word[5:]])
        else:
            out.append(word)
    return out
