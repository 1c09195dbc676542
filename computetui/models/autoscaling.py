"""Application Auto Scaling: scalable targets, scaling policies and scaling activities.

boto3's ``application-autoscaling`` client speaks PascalCase JSON, and spells
ARNs in capitals (``ScalableTargetARN``, ``PolicyARN``, ``RoleARN``,
``AlarmARN``), so those fields carry their alias explicitly.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from computetui.models.base import PascalModel

ECS_NAMESPACE = "ecs"
ECS_DESIRED_COUNT = "ecs:service:DesiredCount"


class PolicyType(StrEnum):
    TARGET_TRACKING_SCALING = "TargetTrackingScaling"
    STEP_SCALING = "StepScaling"
    PREDICTIVE_SCALING = "PredictiveScaling"


class PredefinedMetricType(StrEnum):
    """The predefined metrics a target tracking policy on an ECS service can follow."""

    ECS_SERVICE_AVERAGE_CPU_UTILIZATION = "ECSServiceAverageCPUUtilization"
    ECS_SERVICE_AVERAGE_MEMORY_UTILIZATION = "ECSServiceAverageMemoryUtilization"
    ALB_REQUEST_COUNT_PER_TARGET = "ALBRequestCountPerTarget"


class ScalingActivityStatusCode(StrEnum):
    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    SUCCESSFUL = "Successful"
    OVERRIDDEN = "Overridden"
    UNFULFILLED = "Unfulfilled"
    FAILED = "Failed"


class SuspendedState(PascalModel):
    dynamic_scaling_in_suspended: bool = False
    dynamic_scaling_out_suspended: bool = False
    scheduled_scaling_suspended: bool = False


class ScalableTarget(PascalModel):
    """What ``DescribeScalableTargets`` returns for one target."""

    service_namespace: str
    resource_id: str
    scalable_dimension: str
    min_capacity: int
    max_capacity: int
    role_arn: str | None = Field(default=None, alias="RoleARN")
    creation_time: datetime | None = None
    suspended_state: SuspendedState = Field(default_factory=SuspendedState)
    scalable_target_arn: str | None = Field(default=None, alias="ScalableTargetARN")


class PredefinedMetricSpecification(PascalModel):
    predefined_metric_type: str
    resource_label: str | None = None


class TargetTrackingScalingPolicyConfiguration(PascalModel):
    """A target tracking policy's settings. Cooldowns left out mean the service's defaults
    (300 seconds each for ECS services)."""

    target_value: float
    predefined_metric_specification: PredefinedMetricSpecification | None = None
    customized_metric_specification: dict[str, Any] | None = None
    scale_out_cooldown: int | None = None
    scale_in_cooldown: int | None = None
    disable_scale_in: bool | None = None


class Alarm(PascalModel):
    """A CloudWatch alarm Application Auto Scaling made for a target tracking policy."""

    alarm_name: str
    alarm_arn: str = Field(alias="AlarmARN")


class ScalingPolicy(PascalModel):
    """What ``DescribeScalingPolicies`` returns for one policy."""

    policy_arn: str = Field(alias="PolicyARN")
    policy_name: str
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    policy_type: PolicyType
    target_tracking_scaling_policy_configuration: TargetTrackingScalingPolicyConfiguration | None = None
    step_scaling_policy_configuration: dict[str, Any] | None = None
    alarms: list[Alarm] = Field(default_factory=list)
    creation_time: datetime | None = None


class PutScalingPolicyResult(PascalModel):
    """``PutScalingPolicy``'s answer: the policy's ARN and the alarms made for it."""

    policy_arn: str = Field(alias="PolicyARN")
    alarms: list[Alarm] = Field(default_factory=list)


class ScalingActivity(PascalModel):
    """One change Application Auto Scaling made (or tried to make) to a scalable target."""

    activity_id: str
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    description: str
    cause: str
    start_time: datetime
    end_time: datetime | None = None
    status_code: ScalingActivityStatusCode
    status_message: str | None = None
    details: str | None = None
