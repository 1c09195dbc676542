"""What AWS Batch's operations take, as its service model and documented limits say.

Batch refuses bad input with ``ClientException``.
"""

from __future__ import annotations

from typing import Any

from computetui.backends.rules.validation import Dialect, Integer, ListOf, MapOf, Request, String, Structure

CLIENT = Dialect("ClientException")

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
})
RETRY_STRATEGY = Structure({
    "attempts": Integer(),
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
)
UPDATE_COMPUTE_ENVIRONMENT = _request(
    "UpdateComputeEnvironment", "compute_environment", state=String(enum=STATES),
    compute_resources=Structure(COMPUTE_RESOURCES),
)
COMPUTE_ENVIRONMENT = _request("DeleteComputeEnvironment", "compute_environment")
CREATE_JOB_QUEUE = _request(
    "CreateJobQueue", "job_queue_name", required=("priority", "compute_environment_order"), priority=Integer(),
    compute_environment_order=ORDER, state=String(enum=STATES), tags=TAGS,
)
UPDATE_JOB_QUEUE = _request(
    "UpdateJobQueue", "job_queue", state=String(enum=STATES), priority=Integer(), compute_environment_order=ORDER,
)
JOB_QUEUE = _request("DeleteJobQueue", "job_queue")
REGISTER_JOB_DEFINITION = _request(
    "RegisterJobDefinition", "job_definition_name", type=String(), container_properties=CONTAINER_PROPERTIES,
    retry_strategy=RETRY_STRATEGY, timeout=Structure({"attemptDurationSeconds": Integer()}),
    parameters=MapOf(String(), String()), platform_capabilities=ListOf(String(enum=("EC2", "FARGATE"))),
)
JOB_DEFINITION = _request("DeregisterJobDefinition", "job_definition")
DESCRIBE_COMPUTE_ENVIRONMENTS = Request("DescribeComputeEnvironments", CLIENT,
                                        {"compute_environments": ListOf(String())})
DESCRIBE_JOB_QUEUES = Request("DescribeJobQueues", CLIENT, {"job_queues": ListOf(String())})
DESCRIBE_JOB_DEFINITIONS = Request(
    "DescribeJobDefinitions", CLIENT, {"job_definition_name": String(), "status": String()}
)
LIST_JOBS = _request(
    "ListJobs", "job_queue", job_status=String(enum=("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING",
                                                     "SUCCEEDED", "FAILED")),
    array_job_id=String(),
)
DESCRIBE_JOBS = Request("DescribeJobs", CLIENT, {"jobs": ListOf(String())}, required=("jobs",))
