"""The aws backend's Application Auto Scaling adapter against moto's server, calls counted; botocore's
Stubber for what moto lacks (DescribeScalingActivities, ObjectNotFoundException) and for paging."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from computetui.backends.aws import AwsBackend
from computetui.backends.errors import InvalidParameter, NotFound
from computetui.models.autoscaling import (
    ECS_DESIRED_COUNT,
    PredefinedMetricSpecification,
    ScalingActivityStatusCode,
    TargetTrackingScalingPolicyConfiguration,
)
from tests.support.aws import MOTO_ACCOUNT, CallCounter
from tests.support.aws_ecs import WEB, awsvpc

RESOURCE = "service/c/web"
TARGET = {"ServiceNamespace": "ecs", "ResourceId": RESOURCE, "ScalableDimension": ECS_DESIRED_COUNT}
CPU_AT_50 = {"TargetValue": 50.0, "ScaleOutCooldown": 60,
             "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}


@pytest.fixture
def service(aws_backend: AwsBackend) -> str:
    """An ECS service to scale: moto checks it exists."""
    ecs = aws_backend.ecs
    ecs.create_cluster(cluster_name="c")
    ecs.register_task_definition(WEB)
    ecs.create_service("c", "web", "web", desired_count=1, launch_type="FARGATE",
                       network_configuration=awsvpc(aws_backend))
    return RESOURCE


def test_a_target_is_registered_and_read_back(aws_backend: AwsBackend, service: str, calls: CallCounter) -> None:
    scaling = aws_backend.autoscaling
    target = scaling.register_scalable_target("ecs", service, ECS_DESIRED_COUNT, min_capacity=1, max_capacity=4)
    assert (target.resource_id, target.min_capacity, target.max_capacity) == (service, 1, 4)
    assert target.scalable_target_arn and target.creation_time
    assert (calls.of("application-autoscaling", "RegisterScalableTarget"),
            calls.of("application-autoscaling", "DescribeScalableTargets")) == (1, 1)
    changed = scaling.register_scalable_target("ecs", service, ECS_DESIRED_COUNT, min_capacity=2, max_capacity=6)
    assert (changed.min_capacity, changed.max_capacity) == (2, 6)
    assert [t.resource_id for t in scaling.describe_scalable_targets("ecs")] == [service]
    assert [t.resource_id for t in scaling.describe_scalable_targets("ecs", [service], ECS_DESIRED_COUNT)] == [service]
    scaling.deregister_scalable_target("ecs", service, ECS_DESIRED_COUNT)
    assert scaling.describe_scalable_targets("ecs") == []


def test_a_role_arn_keyword_becomes_role_arn_in_capitals(aws_backend: AwsBackend) -> None:
    role = f"arn:aws:iam::{MOTO_ACCOUNT}:role/scaler"
    with Stubber(aws_backend.client("application-autoscaling")) as stub:
        stub.add_response("register_scalable_target", {"ScalableTargetARN": "arn:t"},
                          {**TARGET, "MinCapacity": 1, "MaxCapacity": 2, "RoleARN": role,
                           "SuspendedState": {"DynamicScalingInSuspended": True}})
        stub.add_response("describe_scalable_targets", {"ScalableTargets": [{
            **TARGET, "MinCapacity": 1, "MaxCapacity": 2, "RoleARN": role, "ScalableTargetARN": "arn:t",
            "CreationTime": datetime(2026, 1, 1, tzinfo=UTC)}]},
            {"ServiceNamespace": "ecs", "ResourceIds": [RESOURCE], "ScalableDimension": ECS_DESIRED_COUNT})
        target = aws_backend.autoscaling.register_scalable_target(
            "ecs", RESOURCE, ECS_DESIRED_COUNT, min_capacity=1, max_capacity=2, role_arn=role,
            suspended_state={"DynamicScalingInSuspended": True})
        stub.assert_no_pending_responses()
    assert target.role_arn == role


def test_policies_are_put_described_and_deleted(aws_backend: AwsBackend, service: str) -> None:
    scaling = aws_backend.autoscaling
    scaling.register_scalable_target("ecs", service, ECS_DESIRED_COUNT, min_capacity=1, max_capacity=4)
    result = scaling.put_scaling_policy("cpu", "ecs", service, ECS_DESIRED_COUNT,
                                        target_tracking_scaling_policy_configuration=CPU_AT_50)
    assert result.policy_arn.endswith(":policyName/cpu")
    assert sorted(a.alarm_name.split("-")[-6] for a in result.alarms) == ["AlarmHigh", "AlarmLow"]
    model = TargetTrackingScalingPolicyConfiguration(
        target_value=70, predefined_metric_specification=PredefinedMetricSpecification(
            predefined_metric_type="ECSServiceAverageMemoryUtilization"))
    scaling.put_scaling_policy("memory", "ecs", service, ECS_DESIRED_COUNT,
                               target_tracking_scaling_policy_configuration=model)
    policies = {p.policy_name: p for p in scaling.describe_scaling_policies("ecs", resource_id=service)}
    assert sorted(policies) == ["cpu", "memory"]
    cpu = policies["cpu"].target_tracking_scaling_policy_configuration
    assert cpu is not None and (cpu.target_value, cpu.scale_out_cooldown) == (50.0, 60)
    scaling.delete_scaling_policy("cpu", "ecs", service, ECS_DESIRED_COUNT)
    assert [p.policy_name for p in scaling.describe_scaling_policies("ecs")] == ["memory"]


def test_a_bad_namespace_is_a_validation_exception(aws_backend: AwsBackend) -> None:
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.autoscaling.describe_scalable_targets("nope")
    assert (caught.value.code, caught.value.field) == ("ValidationException", "serviceNamespace")


def test_botocore_s_own_checks_are_validation_exceptions(aws_backend: AwsBackend, calls: CallCounter) -> None:
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.autoscaling.register_scalable_target("ecs", "", ECS_DESIRED_COUNT, min_capacity=1, max_capacity=2)
    assert (caught.value.code, caught.value.field) == ("ValidationException", "ResourceId")
    assert calls.sent == []


def test_a_missing_policy_or_target_is_not_found_with_aws_s_code(aws_backend: AwsBackend) -> None:
    with Stubber(aws_backend.client("application-autoscaling")) as stub:
        stub.add_client_error("delete_scaling_policy", "ObjectNotFoundException", "No scaling policy found",
                              400, expected_params={"PolicyName": "cpu", **TARGET})
        stub.add_client_error("deregister_scalable_target", "ObjectNotFoundException", "No scalable target",
                              400, expected_params=TARGET)
        with pytest.raises(NotFound) as policy:
            aws_backend.autoscaling.delete_scaling_policy("cpu", "ecs", RESOURCE, ECS_DESIRED_COUNT)
        with pytest.raises(NotFound) as target:
            aws_backend.autoscaling.deregister_scalable_target("ecs", RESOURCE, ECS_DESIRED_COUNT)
    assert policy.value.code == target.value.code == "ObjectNotFoundException"


def _activity(n: int) -> dict[str, Any]:
    return {**TARGET, "ActivityId": f"a{n}", "Description": f"Setting desired count to {n}.",
            "Cause": "monitor alarm TargetTracking-AlarmHigh in state ALARM triggered policy cpu",
            "StartTime": datetime(2026, 1, 1, 0, n, tzinfo=UTC), "EndTime": datetime(2026, 1, 1, 0, n, 30, tzinfo=UTC),
            "StatusCode": "Successful", "StatusMessage": f"Successfully set desired count to {n}."}


def test_scaling_activities_read_every_page_newest_first(aws_backend: AwsBackend, calls: CallCounter) -> None:
    asked = {**TARGET, "MaxResults": 50}
    with Stubber(aws_backend.client("application-autoscaling")) as stub:
        stub.add_response("describe_scaling_activities",
                          {"ScalingActivities": [_activity(n) for n in (9, 8)], "NextToken": "n"}, asked)
        stub.add_response("describe_scaling_activities",
                          {"ScalingActivities": [_activity(7)]}, {**asked, "NextToken": "n"})
        activities = aws_backend.autoscaling.describe_scaling_activities("ecs", RESOURCE, ECS_DESIRED_COUNT)
        stub.assert_no_pending_responses()
    assert [a.activity_id for a in activities] == ["a9", "a8", "a7"]
    assert activities[0].status_code is ScalingActivityStatusCode.SUCCESSFUL
    assert calls.of("application-autoscaling", "DescribeScalingActivities") == 2


def test_names_are_sent_50_a_call(aws_backend: AwsBackend, calls: CallCounter) -> None:
    resources = [f"service/c/s{i}" for i in range(120)]
    policies = [f"p{i}" for i in range(60)]
    with Stubber(aws_backend.client("application-autoscaling")) as stub:
        for chunk in (resources[:50], resources[50:100], resources[100:]):
            stub.add_response("describe_scalable_targets", {"ScalableTargets": [
                {**TARGET, "ResourceId": r, "MinCapacity": 0, "MaxCapacity": 1,
                 "RoleARN": "arn:r", "CreationTime": datetime(2026, 1, 1, tzinfo=UTC)} for r in chunk]},
                {"ServiceNamespace": "ecs", "ResourceIds": chunk})
        for chunk in (policies[:50], policies[50:]):
            stub.add_response("describe_scaling_policies", {"ScalingPolicies": []},
                              {"ServiceNamespace": "ecs", "PolicyNames": chunk})
        assert len(aws_backend.autoscaling.describe_scalable_targets("ecs", resources)) == 120
        assert aws_backend.autoscaling.describe_scaling_policies("ecs", policy_names=policies) == []
        stub.assert_no_pending_responses()
    assert calls.of("application-autoscaling", "DescribeScalableTargets") == 3
    assert calls.of("application-autoscaling", "DescribeScalingPolicies") == 2


def test_policies_are_read_50_a_page_from_moto(aws_backend: AwsBackend, calls: CallCounter) -> None:
    client = aws_backend.client("application-autoscaling")
    for i in range(60):
        client.put_scaling_policy(PolicyName=f"p{i:02}", PolicyType="TargetTrackingScaling",
                                  TargetTrackingScalingPolicyConfiguration=CPU_AT_50, **TARGET)
    calls.clear()
    policies = aws_backend.autoscaling.describe_scaling_policies("ecs", resource_id=RESOURCE)
    assert sorted(p.policy_name for p in policies) == [f"p{i:02}" for i in range(60)]
    assert calls.of("application-autoscaling", "DescribeScalingPolicies") == 2
