"""What Application Auto Scaling's operations take, as its service model says. Bad input is a
``ValidationException``."""

from __future__ import annotations

from typing import Any

from computetui.backends.rules.validation import (
    VALIDATION,
    Boolean,
    Integer,
    ListOf,
    Number,
    Request,
    String,
    Structure,
)

RESOURCE_ID = String(min=1, max=1600)
TARGET = {"service_namespace": String(), "resource_id": RESOURCE_ID, "scalable_dimension": String()}
TARGET_REQUIRED = tuple(TARGET)
TRACKING = Structure(
    {
        "TargetValue": Number(),
        "PredefinedMetricSpecification": Structure(
            {"PredefinedMetricType": String(), "ResourceLabel": String(min=1, max=1023)},
            required=("PredefinedMetricType",),
        ),
        "ScaleOutCooldown": Integer(),
        "ScaleInCooldown": Integer(),
        "DisableScaleIn": Boolean(),
    },
    required=("TargetValue",),
)


def _request(operation: str, required: tuple[str, ...] = TARGET_REQUIRED, **members: Any) -> Request:
    return Request(operation, VALIDATION, {**TARGET, **members}, required=required)


REGISTER_SCALABLE_TARGET = _request(
    "RegisterScalableTarget", min_capacity=Integer(), max_capacity=Integer(), role_arn=String(min=1, max=1600),
    suspended_state=Structure({"DynamicScalingInSuspended": Boolean(), "DynamicScalingOutSuspended": Boolean(),
                               "ScheduledScalingSuspended": Boolean()}),
)
SCALABLE_TARGET = _request("DeregisterScalableTarget")
DESCRIBE_SCALABLE_TARGETS = _request(
    "DescribeScalableTargets", required=("service_namespace",), resource_ids=ListOf(RESOURCE_ID)
)
PUT_SCALING_POLICY = _request(
    "PutScalingPolicy", required=("policy_name", *TARGET_REQUIRED), policy_name=String(), policy_type=String(),
    target_tracking_scaling_policy_configuration=TRACKING,
)
DELETE_SCALING_POLICY = _request(
    "DeleteScalingPolicy", required=("policy_name", *TARGET_REQUIRED), policy_name=String(min=1, max=256)
)
DESCRIBE_SCALING_POLICIES = _request(
    "DescribeScalingPolicies", required=("service_namespace",), policy_names=ListOf(String(min=1, max=256))
)
DESCRIBE_SCALING_ACTIVITIES = _request("DescribeScalingActivities", required=("service_namespace",))
