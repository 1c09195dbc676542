"""Application Auto Scaling on ECS services, and the ECS metrics it reads, without an engine.

The backend is in memory with a fixed clock and no controller: services have
records but no containers. Metrics come from synthetic task samples written
straight into the store, so the alarm and datapoint logic is exercised on
numbers chosen by hand; the pure functions of target tracking are tested on
their own. The real engine is exercised in tests/local/ecs/test_metrics_docker.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from computetui.backends.errors import InvalidParameter, NotFound, ReadOnly
from computetui.backends.local import LocalBackend
from computetui.backends.local.autoscaling.tracking import (
    Cooldown,
    Proposal,
    TargetTrackingScaler,
    after,
    alarm_high,
    alarm_low,
    decide,
    desired_capacity,
    propose,
)
from computetui.backends.local.ecs.metrics import EcsMetrics, TaskSample, task_reservation
from computetui.backends.local.ecs.services import ServiceScheduler
from computetui.clock import FixedClock
from computetui.models.autoscaling import ScalingPolicy, SuspendedState
from computetui.models.ecs import TaskDefinition
from tests.support.fakes import StaticEngine

RESOURCE = "service/c/web"
DIMENSION = "ecs:service:DesiredCount"
CPU = "ECSServiceAverageCPUUtilization"
WEB = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [{"name": "web", "image": "busybox"}],
}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
MINUTE_MS = 60_000


@pytest.fixture
def ecs(backend: LocalBackend) -> LocalBackend:
    """The in-memory backend with cluster ``c`` and a Fargate service ``web`` at desired count 1."""
    backend.ecs.create_cluster(cluster_name="c")
    backend.ecs.register_task_definition(WEB)
    backend.ecs.create_service(cluster="c", service_name="web", task_definition="web", desired_count=1)
    return backend


def register(backend: LocalBackend, lo: int = 1, hi: int = 4, **kwargs: Any) -> Any:
    return backend.autoscaling.register_scalable_target(
        service_namespace="ecs", resource_id=RESOURCE, scalable_dimension=DIMENSION,
        min_capacity=lo, max_capacity=hi, **kwargs)


def tracking(backend: LocalBackend, name: str = "cpu50", target: float = 50.0, **config: Any) -> Any:
    return backend.autoscaling.put_scaling_policy(
        policy_name=name, service_namespace="ecs", resource_id=RESOURCE, scalable_dimension=DIMENSION,
        policy_type="TargetTrackingScaling",
        target_tracking_scaling_policy_configuration={
            "TargetValue": target, "PredefinedMetricSpecification": {"PredefinedMetricType": CPU}, **config})


def desired(backend: LocalBackend) -> int:
    return backend.ecs.describe_services("c", ["web"])[0].desired_count


def now_ms(backend: LocalBackend) -> int:
    return int(backend.clock.time() * 1000)


def samples(backend: LocalBackend, percents: list[float], *, tasks: int = 1, period_ms: int = MINUTE_MS,
            service: str | None = "web", cpu_reserved: int = 256) -> int:
    """One sample per task in each of the periods before now (oldest first); returns the last period's end."""
    end = now_ms(backend) - now_ms(backend) % period_ms
    cluster = backend.ids.ecs_cluster("c")
    rows = []
    for i, percent in enumerate(percents):
        ts = end - (len(percents) - i) * period_ms + period_ms // 2
        for n in range(tasks):
            rows.append(TaskSample(ts, cluster, service, backend.ids.ecs_task("c", f"t{n}"), False,
                                   cpu_reserved * percent / 100, cpu_reserved, 100.0, 512))
    backend.part(EcsMetrics).record(rows)
    return end


def metric(backend: LocalBackend, namespace: str, name: str, dims: dict[str, str], stat: str = "Average",
           period: int = 60) -> Any:
    query = {"Id": "m", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": [
        {"Name": k, "Value": v} for k, v in dims.items()]}, "Period": period, "Stat": stat}}
    start = datetime.fromtimestamp(backend.clock.time() - 3600, tz=UTC)
    [result] = backend.metrics.get_metric_data([query], start, backend.clock.now())
    return result


# -- scalable targets -----------------------------------------------------------------


def test_registering_describes_the_target_as_aws_does(ecs: LocalBackend) -> None:
    target = register(ecs, 1, 4)
    body = target.to_aws()
    assert set(body) >= {"ServiceNamespace", "ResourceId", "ScalableDimension", "MinCapacity", "MaxCapacity",
                         "RoleARN", "CreationTime", "SuspendedState", "ScalableTargetARN"}
    assert re.fullmatch(r"arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/[0-9a-f]{36}",
                        body["ScalableTargetARN"])
    assert body["RoleARN"].startswith("arn:aws:iam::000000000000:role/aws-service-role/ecs.application-autoscaling")
    assert ecs.autoscaling.describe_scalable_targets("ecs") == [target]
    assert ecs.autoscaling.describe_scalable_targets("ecs", resource_ids=["service/c/other"]) == []
    assert ecs.autoscaling.describe_scalable_targets("dynamodb") == []


def test_registering_again_changes_only_the_bounds_given(ecs: LocalBackend) -> None:
    first = register(ecs, 1, 4)
    again = ecs.autoscaling.register_scalable_target(service_namespace="ecs", resource_id=RESOURCE,
                                                     scalable_dimension=DIMENSION, max_capacity=6)
    assert (again.min_capacity, again.max_capacity) == (1, 6)
    assert again.scalable_target_arn == first.scalable_target_arn
    assert len(ecs.autoscaling.describe_scalable_targets("ecs")) == 1


def test_registering_clamps_the_desired_count_at_once_and_records_it(ecs: LocalBackend) -> None:
    ecs.ecs.update_service(cluster="c", service="web", desired_count=6)
    register(ecs, 1, 3)
    assert desired(ecs) == 3
    register(ecs, 5, 8)
    assert desired(ecs) == 5
    newest, oldest = ecs.autoscaling.describe_scaling_activities("ecs", resource_id=RESOURCE)
    assert oldest.description == "Setting desired count to 3."
    assert oldest.cause == "maximum capacity was set to 3"
    assert newest.cause == "minimum capacity was set to 5"
    assert newest.status_code.value == "Successful"
    assert newest.status_message == "Successfully set desired count to 5. Change successfully fulfilled by ecs."
    assert re.fullmatch(UUID, newest.activity_id)
    assert set(newest.to_aws()) >= {"ActivityId", "ServiceNamespace", "ResourceId", "ScalableDimension",
                                    "Description", "Cause", "StartTime", "EndTime", "StatusCode", "StatusMessage"}


def test_a_desired_count_inside_the_bounds_is_left_alone(ecs: LocalBackend) -> None:
    register(ecs, 0, 3)
    assert desired(ecs) == 1
    assert ecs.autoscaling.describe_scaling_activities("ecs") == []


@pytest.mark.parametrize(("namespace", "resource", "dimension", "message"), [
    ("nope", RESOURCE, DIMENSION, "Value 'nope' at 'serviceNamespace' failed to satisfy constraint"),
    ("ecs", RESOURCE, "ecs:service:Nope", "Value 'ecs:service:Nope' at 'scalableDimension'"),
    ("ecs", RESOURCE, "dynamodb:table:ReadCapacityUnits", "Unsupported service namespace, resource type or"),
    ("ecs", "service/c", DIMENSION, "Unsupported service namespace, resource type or scalable dimension"),
    ("ecs", "cluster/c/web", DIMENSION, "Unsupported service namespace, resource type or scalable dimension"),
    ("dynamodb", "table/t", "dynamodb:table:ReadCapacityUnits", "scales ECS services only"),
    ("ecs", "service/c/nope", DIMENSION, "ECS service doesn't exist: service/c/nope"),
    ("ecs", "service/nocluster/web", DIMENSION, "ECS service doesn't exist: service/nocluster/web"),
])
def test_registering_something_else_is_a_validation_exception(
        ecs: LocalBackend, namespace: str, resource: str, dimension: str, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        ecs.autoscaling.register_scalable_target(service_namespace=namespace, resource_id=resource,
                                                 scalable_dimension=dimension, min_capacity=1, max_capacity=2)
    assert caught.value.code == "ValidationException"
    assert message in caught.value.message


@pytest.mark.parametrize(("lo", "hi"), [(None, 3), (1, None), (3, 2), (-1, 2)])
def test_a_new_target_needs_sane_bounds(ecs: LocalBackend, lo: int | None, hi: int | None) -> None:
    with pytest.raises(InvalidParameter) as caught:
        register(ecs, lo, hi)  # type: ignore[arg-type]
    assert caught.value.code == "ValidationException"
    assert ecs.autoscaling.describe_scalable_targets("ecs") == []


def test_deregistering_deletes_the_policies_and_a_second_time_is_not_found(ecs: LocalBackend) -> None:
    register(ecs)
    tracking(ecs)
    ecs.autoscaling.deregister_scalable_target("ecs", RESOURCE, DIMENSION)
    assert ecs.autoscaling.describe_scalable_targets("ecs") == []
    assert ecs.autoscaling.describe_scaling_policies("ecs") == []
    with pytest.raises(NotFound) as caught:
        ecs.autoscaling.deregister_scalable_target("ecs", RESOURCE, DIMENSION)
    assert caught.value.code == "ObjectNotFoundException"
    assert caught.value.message == ("No scalable target registered for service namespace: ecs, resource ID: "
                                    "service/c/web, scalable dimension: ecs:service:DesiredCount")


# -- scaling policies -----------------------------------------------------------------


def test_a_policy_needs_a_registered_target(ecs: LocalBackend) -> None:
    with pytest.raises(NotFound) as caught:
        tracking(ecs)
    assert caught.value.code == "ObjectNotFoundException"
    assert "No scalable target registered for service namespace: ecs" in caught.value.message


def test_a_target_tracking_policy_gets_its_arn_and_two_alarms(ecs: LocalBackend) -> None:
    register(ecs)
    result = tracking(ecs, ScaleOutCooldown=60, ScaleInCooldown=120)
    assert re.fullmatch(rf"arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:{UUID}:resource/ecs/"
                        r"service/c/web:policyName/cpu50", result.policy_arn)
    high, low = result.alarms
    assert re.fullmatch(rf"TargetTracking-service/c/web-AlarmHigh-{UUID}", high.alarm_name)
    assert re.fullmatch(rf"TargetTracking-service/c/web-AlarmLow-{UUID}", low.alarm_name)
    assert high.alarm_arn == f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{high.alarm_name}"
    [policy] = ecs.autoscaling.describe_scaling_policies("ecs", resource_id=RESOURCE)
    body = policy.to_aws()
    assert body["PolicyARN"] == result.policy_arn and body["PolicyType"] == "TargetTrackingScaling"
    assert body["TargetTrackingScalingPolicyConfiguration"] == {
        "TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": CPU},
        "ScaleOutCooldown": 60, "ScaleInCooldown": 120}
    assert [a["AlarmName"] for a in body["Alarms"]] == [high.alarm_name, low.alarm_name]
    assert "CreationTime" in body


def test_putting_a_policy_again_keeps_its_arn_and_disabling_scale_in_drops_the_low_alarm(ecs: LocalBackend) -> None:
    register(ecs)
    first = tracking(ecs)
    again = tracking(ecs, target=70, DisableScaleIn=True)
    assert again.policy_arn == first.policy_arn
    assert [a.alarm_name for a in again.alarms] == [first.alarms[0].alarm_name]
    [policy] = ecs.autoscaling.describe_scaling_policies("ecs", policy_names=["cpu50"])
    assert policy.target_tracking_scaling_policy_configuration.target_value == 70


@pytest.mark.parametrize(("policy_type", "config", "message"), [
    ("Nope", {"TargetValue": 50}, "Value 'Nope' at 'policyType' failed to satisfy constraint"),
    ("StepScaling", None, "TargetTrackingScaling policies only"),
    ("TargetTrackingScaling", None, "TargetTrackingScalingPolicyConfiguration is required"),
    ("TargetTrackingScaling", {"TargetValue": 50}, "PredefinedMetricSpecification"),
    ("TargetTrackingScaling", {"TargetValue": 50, "PredefinedMetricSpecification": {
        "PredefinedMetricType": "ALBRequestCountPerTarget"}}, "cannot track ALBRequestCountPerTarget"),
    ("TargetTrackingScaling", {"TargetValue": 0, "PredefinedMetricSpecification": {
        "PredefinedMetricType": CPU}}, "TargetValue must be greater than 0"),
    ("TargetTrackingScaling", {"TargetValue": 50, "ScaleOutCooldown": -1, "PredefinedMetricSpecification": {
        "PredefinedMetricType": CPU}}, "ScaleOutCooldown"),
    ("TargetTrackingScaling", {"PredefinedMetricSpecification": {"PredefinedMetricType": CPU}},
     "Value null at 'targetTrackingScalingPolicyConfiguration.targetValue'"),
])
def test_policies_the_emulator_cannot_run_are_validation_exceptions(
        ecs: LocalBackend, policy_type: str, config: dict | None, message: str) -> None:
    register(ecs)
    with pytest.raises(InvalidParameter) as caught:
        ecs.autoscaling.put_scaling_policy(policy_name="p", service_namespace="ecs", resource_id=RESOURCE,
                                           scalable_dimension=DIMENSION, policy_type=policy_type,
                                           target_tracking_scaling_policy_configuration=config)
    assert caught.value.code == "ValidationException"
    assert message in caught.value.message
    assert ecs.autoscaling.describe_scaling_policies("ecs") == []


def test_deleting_a_policy_that_is_not_there_is_object_not_found(ecs: LocalBackend) -> None:
    register(ecs)
    tracking(ecs)
    ecs.autoscaling.delete_scaling_policy("cpu50", "ecs", RESOURCE, DIMENSION)
    assert ecs.autoscaling.describe_scaling_policies("ecs") == []
    with pytest.raises(NotFound) as caught:
        ecs.autoscaling.delete_scaling_policy("cpu50", "ecs", RESOURCE, DIMENSION)
    assert caught.value.code == "ObjectNotFoundException"
    assert caught.value.message == ("No scaling policy found for service namespace: ecs, resource ID: service/c/web, "
                                    "scalable dimension: ecs:service:DesiredCount, policy name: cpu50")


# -- target tracking as pure functions ------------------------------------------------


def test_the_high_alarm_needs_three_datapoints_in_a_row_above_the_target() -> None:
    assert alarm_high([10, 60, 61, 70], 50)
    assert not alarm_high([60, 61], 50)  # not enough datapoints yet
    assert alarm_high([60, None, 61, 70, 80], 50)  # three in a row after a gap
    assert not alarm_high([61, 70, None], 50)  # a missing datapoint breaks the run
    assert not alarm_high([61, 50, 70], 50)  # equal is not above


def test_the_low_alarm_needs_fifteen_datapoints_below_ninety_percent_of_the_target() -> None:
    assert alarm_low([44.9] * 15, 50)
    assert not alarm_low([44.9] * 14, 50)
    assert not alarm_low([44.9] * 14 + [45.0], 50)  # 45 is 90 % of 50: not below
    assert not alarm_low([30] * 7 + [None] + [30] * 7, 50)


@pytest.mark.parametrize(("current", "metric", "expected"), [
    (1, 100, 2), (2, 100, 4), (3, 60, 4), (2, 50, 2), (4, 10, 1), (4, 0, 1), (5, 300, 8), (3, 49.9, 3)])
def test_the_new_desired_count_is_ceil_current_times_metric_over_target_within_bounds(
        current: int, metric: float, expected: int) -> None:
    assert desired_capacity(current, metric, 50, 1, 8) == expected


def policy(name: str = "cpu50", target: float = 50, **config: Any) -> ScalingPolicy:
    return ScalingPolicy.model_validate({
        "PolicyARN": "arn", "PolicyName": name, "ServiceNamespace": "ecs", "ResourceId": RESOURCE,
        "ScalableDimension": DIMENSION, "PolicyType": "TargetTrackingScaling",
        "Alarms": [{"AlarmName": f"TargetTracking-{RESOURCE}-AlarmHigh-1", "AlarmARN": "a"},
                   {"AlarmName": f"TargetTracking-{RESOURCE}-AlarmLow-2", "AlarmARN": "b"}],
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": target, "PredefinedMetricSpecification": {"PredefinedMetricType": CPU}, **config}})


def test_a_policy_proposes_a_scale_out_with_its_high_alarm_and_the_ecs_default_cooldown() -> None:
    proposal = propose(policy(), [80, 90, 100], 1, 1, 10, Cooldown(), now=1000)
    assert proposal == Proposal("cpu50", f"TargetTracking-{RESOURCE}-AlarmHigh-1", True, 2, 300)
    assert propose(policy(), [80, 90, 100], 10, 1, 10, Cooldown(), now=1000) is None  # already at max


def test_during_a_scale_out_cooldown_only_a_larger_scale_out_goes_ahead() -> None:
    scaled = propose(policy(ScaleOutCooldown=60), [80, 90, 100], 1, 1, 10, Cooldown(), now=1000)
    cooldown = after(scaled, Cooldown(), current=1, now=1000)
    assert cooldown == Cooldown(1060, 1, 0.0)
    # Still at 100 %: the task just added counts as there, so 1 x 100 / 50 = 2 asks for nothing more.
    assert propose(policy(), [90, 100, 100], 2, 1, 10, cooldown, now=1030) is None
    # At 200 % the same base asks for 4: a larger scale-out, allowed during the cooldown.
    larger = propose(policy(), [90, 150, 200], 2, 1, 10, cooldown, now=1030)
    assert larger is not None and larger.capacity == 4
    assert after(larger, cooldown, current=2, now=1030).scale_out_from == 1
    # Once the cooldown is over, the current count is the base again.
    assert propose(policy(), [90, 100, 100], 2, 1, 10, cooldown, now=1061).capacity == 4


def test_scale_in_waits_for_its_cooldown_but_scale_out_does_not() -> None:
    low = [10.0] * 15
    scale_in = propose(policy(ScaleInCooldown=120), low, 4, 1, 10, Cooldown(), now=0)
    assert scale_in is not None and not scale_in.scale_out and scale_in.capacity == 1
    assert scale_in.alarm_name.endswith("-AlarmLow-2") and scale_in.cooldown_s == 120
    cooldown = after(scale_in, Cooldown(), current=4, now=0)
    assert decide([scale_in], cooldown, now=60) is None
    assert decide([scale_in], cooldown, now=121) == scale_in
    out = propose(policy(), [90, 100, 100], 1, 1, 10, cooldown, now=60)
    assert decide([out], cooldown, now=60) == out
    assert after(out, cooldown, current=1, now=60).scale_in_until == 0.0  # the scale-out ended the scale-in cooldown


def test_disabling_scale_in_means_the_low_alarm_never_acts() -> None:
    assert propose(policy(DisableScaleIn=True), [10.0] * 15, 4, 1, 10, Cooldown(), now=0) is None


def test_with_two_policies_any_may_scale_out_but_scale_in_needs_both() -> None:
    out_small = Proposal("a", "high-a", True, 3, 300)
    out_big = Proposal("b", "high-b", True, 5, 300)
    in_a = Proposal("a", "low-a", False, 1, 300)
    in_b = Proposal("b", "low-b", False, 2, 300)
    assert decide([out_small, out_big], Cooldown(), now=0) == out_big
    assert decide([out_small, in_b], Cooldown(), now=0) == out_small
    assert decide([in_a, None], Cooldown(), now=0) is None
    assert decide([in_a, in_b], Cooldown(), now=0) == in_b  # the smaller step in


def test_suspended_dynamic_scaling_stops_the_matching_direction() -> None:
    out = Proposal("a", "high", True, 3, 300)
    scale_in = Proposal("a", "low", False, 1, 300)
    assert decide([out], Cooldown(), 0, SuspendedState(dynamic_scaling_out_suspended=True)) is None
    assert decide([scale_in], Cooldown(), 0, SuspendedState(dynamic_scaling_in_suspended=True)) is None
    assert decide([scale_in], Cooldown(), 0, SuspendedState(dynamic_scaling_out_suspended=True)) == scale_in


# -- the scaler on synthetic samples --------------------------------------------------


def test_three_hot_minutes_scale_the_service_out_and_record_the_alarm(ecs: LocalBackend) -> None:
    register(ecs, 1, 4)
    result = tracking(ecs, ScaleOutCooldown=120)
    end = samples(ecs, [90, 95, 100])
    [activity] = ecs.part(TargetTrackingScaler).evaluate(end)
    assert desired(ecs) == 2
    assert activity.description == "Setting desired count to 2."
    assert activity.cause == f"monitor alarm {result.alarms[0].alarm_name} in state ALARM triggered policy cpu50"
    assert activity.status_code.value == "Successful"
    assert ecs.autoscaling.describe_scaling_activities("ecs", resource_id=RESOURCE)[0] == activity
    # The alarm stays in ALARM, but the cooldown holds the count: 1 x 100 / 50 asks for no more than 2.
    assert ecs.part(TargetTrackingScaler).evaluate(end) == []
    ecs.clock.advance(121)
    assert [a.description for a in ecs.part(TargetTrackingScaler).evaluate(end)] == ["Setting desired count to 4."]
    assert desired(ecs) == 4


def test_two_hot_minutes_are_not_enough(ecs: LocalBackend) -> None:
    register(ecs, 1, 4)
    tracking(ecs)
    end = samples(ecs, [30, 95, 100])
    assert ecs.part(TargetTrackingScaler).evaluate(end) == []
    assert desired(ecs) == 1


def test_fifteen_quiet_minutes_scale_the_service_in_to_its_minimum(ecs: LocalBackend) -> None:
    ecs.ecs.update_service(cluster="c", service="web", desired_count=4)
    register(ecs, 2, 6)
    result = tracking(ecs)
    end = samples(ecs, [5.0] * 15, tasks=4)
    [activity] = ecs.part(TargetTrackingScaler).evaluate(end)
    assert desired(ecs) == 2
    assert activity.cause == f"monitor alarm {result.alarms[1].alarm_name} in state ALARM triggered policy cpu50"


def test_the_tick_evaluates_once_per_period_and_not_at_all_in_read_only_mode(ecs: LocalBackend) -> None:
    register(ecs, 1, 4)
    tracking(ecs, ScaleOutCooldown=0)
    samples(ecs, [90, 95, 100])
    ecs.part(TargetTrackingScaler).tick()
    ecs.part(TargetTrackingScaler).tick()  # the same period: nothing new to evaluate
    assert desired(ecs) == 2
    ecs.read_only = True
    ecs.clock.advance(60)
    ecs.part(TargetTrackingScaler).tick()
    assert desired(ecs) == 2


def test_deleting_the_service_deregisters_its_target(ecs: LocalBackend) -> None:
    register(ecs, 0, 4)
    tracking(ecs)
    ecs.ecs.update_service(cluster="c", service="web", desired_count=0)
    ecs.ecs.delete_service(cluster="c", service="web")
    ecs.part(ServiceScheduler).tick()  # no tasks: DRAINING becomes INACTIVE
    ecs.part(TargetTrackingScaler).evaluate(samples(ecs, []))
    assert ecs.autoscaling.describe_scalable_targets("ecs") == []
    assert ecs.autoscaling.describe_scaling_policies("ecs") == []


def test_read_only_mode_refuses_every_change_but_describes(clock: FixedClock) -> None:
    backend = LocalBackend(":memory:", clock=clock, engine=StaticEngine(), controller=False, read_only=True)
    try:
        scaling = backend.autoscaling
        for call in (lambda: scaling.register_scalable_target("ecs", RESOURCE, DIMENSION, 1, 2),
                     lambda: scaling.deregister_scalable_target("ecs", RESOURCE, DIMENSION),
                     lambda: scaling.put_scaling_policy("p", "ecs", RESOURCE, DIMENSION),
                     lambda: scaling.delete_scaling_policy("p", "ecs", RESOURCE, DIMENSION)):
            with pytest.raises(ReadOnly) as caught:
                call()
            assert caught.value.operation.startswith("application-autoscaling.")
        assert scaling.describe_scalable_targets("ecs") == []
        assert scaling.describe_scaling_activities("ecs") == []
    finally:
        backend.close()


# -- the metrics it reads -------------------------------------------------------------


def test_service_cpu_utilization_is_used_over_reserved_with_the_extreme_tasks_as_min_and_max(
        ecs: LocalBackend) -> None:
    cluster = ecs.ids.ecs_cluster("c")
    end = now_ms(ecs) - now_ms(ecs) % MINUTE_MS
    ts = end - MINUTE_MS + 1000
    ecs.part(EcsMetrics).record([
        TaskSample(ts, cluster, "web", "t1", False, 256.0, 256, 64.0, 512),  # 100 %
        TaskSample(ts, cluster, "web", "t2", False, 0.0, 256, 64.0, 512),  # 0 %
        TaskSample(ts + 10_000, cluster, "web", "t1", False, 128.0, 256, 64.0, 512),
        TaskSample(ts + 10_000, cluster, "web", "t2", False, 128.0, 256, 64.0, 512),
        TaskSample(ts, cluster, None, "t3", False, 1024.0, 1024, 64.0, 512),  # not the service's
    ])
    dims = {"ClusterName": "c", "ServiceName": "web"}
    average = metric(ecs, "AWS/ECS", "CPUUtilization", dims)
    assert average.values == [pytest.approx(50.0)]
    assert average.timestamps == [datetime.fromtimestamp((end - MINUTE_MS) / 1000, tz=UTC)]
    assert metric(ecs, "AWS/ECS", "CPUUtilization", dims, "Minimum").values == [0.0]
    assert metric(ecs, "AWS/ECS", "CPUUtilization", dims, "Maximum").values == [100.0]
    assert metric(ecs, "AWS/ECS", "CPUUtilization", dims, "SampleCount").values == [4.0]
    assert metric(ecs, "AWS/ECS", "MemoryUtilization", dims).values == [pytest.approx(12.5)]
    # The cluster has no container instances: its tasks' reservations are the denominator.
    assert metric(ecs, "AWS/ECS", "CPUUtilization", {"ClusterName": "c"}).values == [pytest.approx(
        (1280 / 1536 + 256 / 512) / 2 * 100)]


def test_a_cluster_with_container_instances_divides_by_what_they_register(ecs: LocalBackend) -> None:
    ecs.ecs.register_container_instance(cluster="c", instance_type="t3.medium")  # 2048 CPU units
    cluster = ecs.ids.ecs_cluster("c")
    end = now_ms(ecs) - now_ms(ecs) % MINUTE_MS
    ecs.part(EcsMetrics).record([TaskSample(end - 30_000, cluster, None, "t1", True, 512.0, 512, 64.0, 256),
                            TaskSample(end - 30_000, cluster, "web", "t2", False, 512.0, 256, 64.0, 512)])
    assert metric(ecs, "AWS/ECS", "CPUUtilization", {"ClusterName": "c"}).values == [pytest.approx(25.0)]


def test_container_insights_give_units_per_task_and_per_service(ecs: LocalBackend) -> None:
    end = samples(ecs, [50, 100], tasks=2)
    task = {"ClusterName": "c", "TaskId": "t0"}
    assert metric(ecs, "ECS/ContainerInsights", "CpuUtilized", task).values == [256.0, 128.0]  # newest first
    assert metric(ecs, "ECS/ContainerInsights", "CpuReserved", task, "Maximum").values == [256.0, 256.0]
    service = {"ClusterName": "c", "ServiceName": "web"}
    assert metric(ecs, "ECS/ContainerInsights", "CpuUtilized", service, "Sum").values == [512.0, 256.0]
    assert metric(ecs, "ECS/ContainerInsights", "MemoryUtilized", service, "Average").values == [100.0, 100.0]
    both = metric(ecs, "ECS/ContainerInsights", "CpuUtilized", service, "Sum", period=120)
    assert both.values == [768.0] and len(both.timestamps) == 1
    assert end % MINUTE_MS == 0


def test_unknown_ecs_metrics_and_statistics_are_invalid_but_unknown_dimensions_are_empty(ecs: LocalBackend) -> None:
    with pytest.raises(InvalidParameter):
        metric(ecs, "AWS/ECS", "CPUReservationNope", {"ClusterName": "c"})
    with pytest.raises(InvalidParameter):
        metric(ecs, "AWS/ECS", "CPUUtilization", {"ClusterName": "c"}, stat="p99.9")
    samples(ecs, [50])
    assert metric(ecs, "AWS/ECS", "CPUUtilization", {"ClusterName": "c", "TaskId": "t0"}).values == []
    assert metric(ecs, "AWS/ECS", "CPUUtilization", {"ClusterName": "other", "ServiceName": "web"}).values == []


def test_samples_older_than_a_day_are_pruned(ecs: LocalBackend) -> None:
    samples(ecs, [50])
    ecs.clock.advance(25 * 3600)
    ecs.part(EcsMetrics).record([])
    with ecs.store.reading() as db:
        assert db.execute("SELECT COUNT(*) FROM ecs_task_samples").fetchone()[0] == 0


def test_a_task_reserves_its_task_level_size_else_its_containers_soft_limits() -> None:
    assert task_reservation(TaskDefinition.model_validate(WEB)) == (256, 512)
    ec2 = TaskDefinition.model_validate({"family": "f", "containerDefinitions": [
        {"name": "a", "image": "x", "cpu": 128, "memory": 256, "memoryReservation": 128},
        {"name": "b", "image": "x", "cpu": 64, "memory": 100}]})
    assert task_reservation(ec2) == (192, 228)
