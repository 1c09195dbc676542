"""Target tracking in the local emulator: the alarms, the arithmetic, and the leader's tick.

Works as AWS's target tracking does. A policy has a high alarm and (unless it
disables scale-in) a low alarm on the service's ``AWS/ECS`` CPUUtilization or
MemoryUtilization Average, one datapoint per ``period`` seconds (AWS's one
minute). The high alarm fires after 3 consecutive datapoints above the target,
the low alarm after 15 consecutive datapoints below 90 % of it; a missing
datapoint breaks the run. The new desired count is ceil(desired x metric /
target), kept within the target's bounds. With several policies, any one may
scale out (the largest wins); scale-in needs all of them to agree (the
smallest step wins). Cooldowns, 300 s each for ECS unless the policy says
otherwise: during a scale-out cooldown the capacity just added counts as there,
so only a larger scale-out goes ahead; during a scale-in cooldown there is no
scale-in, but a scale-out may come at once (and ends that cooldown). An
alarm that stays in ALARM acts again at each new datapoint, as AWS's do.

The decisions are pure functions (:func:`alarm_high`, :func:`alarm_low`,
:func:`desired_capacity`, :func:`propose`, :func:`decide`, :func:`after`);
:class:`TargetTrackingScaler` feeds them the stored samples and carries out
what they decide.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from computetui.backends.errors import NotFound
from computetui.backends.local.autoscaling.facet import (
    ACTIVITY,
    COOLDOWN,
    POLICY,
    TARGET,
    TRACKED_METRICS,
    LocalAutoScaling,
    cooldown_key,
)
from computetui.backends.local.ecs.metrics import EcsMetrics
from computetui.models import ecs as m
from computetui.models.autoscaling import (
    ECS_DESIRED_COUNT,
    ECS_NAMESPACE,
    ScalableTarget,
    ScalingActivity,
    ScalingActivityStatusCode,
    ScalingPolicy,
    SuspendedState,
)

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

ECS_DEFAULT_COOLDOWN_S = 300
SCALE_OUT_DATAPOINTS = 3
SCALE_IN_DATAPOINTS = 15
SCALE_IN_FRACTION = 0.9
ACTIVITY_RETENTION_S = 6 * 7 * 24 * 3600
"""AWS lists the scaling activities of the last six weeks."""
PRUNE_EVERY_S = 3600


def alarm_high(datapoints: Sequence[float | None], target: float) -> bool:
    """AlarmHigh: the last 3 datapoints all exist and are above the target."""
    last = datapoints[-SCALE_OUT_DATAPOINTS:]
    return len(last) == SCALE_OUT_DATAPOINTS and all(d is not None and d > target for d in last)


def alarm_low(datapoints: Sequence[float | None], target: float) -> bool:
    """AlarmLow: the last 15 datapoints all exist and are below 90 % of the target."""
    last = datapoints[-SCALE_IN_DATAPOINTS:]
    threshold = target * SCALE_IN_FRACTION
    return len(last) == SCALE_IN_DATAPOINTS and all(d is not None and d < threshold for d in last)


def desired_capacity(current: int, metric: float, target: float, minimum: int, maximum: int) -> int:
    """ceil(current x metric / target), within [minimum, maximum]."""
    wanted = math.ceil(current * metric / target - 1e-9)  # 2 x 50.0 / 50 is 2, not 3 by a rounding error
    return max(minimum, min(maximum, wanted))


class Cooldown(NamedTuple):
    """Where a scalable target's cooldowns stand (epoch seconds)."""

    scale_out_until: float = 0.0
    scale_out_from: int | None = None
    """The capacity before the scale-out that started the cooldown."""
    scale_in_until: float = 0.0


class Proposal(NamedTuple):
    """What one policy would do now."""

    policy_name: str
    alarm_name: str
    scale_out: bool
    capacity: int
    cooldown_s: int


def propose(policy: ScalingPolicy, datapoints: Sequence[float | None], current: int, minimum: int, maximum: int,
            cooldown: Cooldown, now: float) -> Proposal | None:
    """The change a target tracking policy asks for, given its metric's datapoints (oldest first)."""
    config = policy.target_tracking_scaling_policy_configuration
    if config is None or not datapoints or datapoints[-1] is None:
        return None
    latest, target = datapoints[-1], config.target_value
    if alarm_high(datapoints, target):
        cooling = now < cooldown.scale_out_until and cooldown.scale_out_from is not None
        base = cooldown.scale_out_from if cooling and cooldown.scale_out_from is not None else current
        capacity = desired_capacity(base, latest, target, minimum, maximum)
        if capacity > current:
            return Proposal(policy.policy_name, _alarm_name(policy, "AlarmHigh"), True, capacity,
                            ECS_DEFAULT_COOLDOWN_S if config.scale_out_cooldown is None else config.scale_out_cooldown)
    elif not config.disable_scale_in and alarm_low(datapoints, target):
        capacity = desired_capacity(current, latest, target, minimum, maximum)
        if capacity < current:
            return Proposal(policy.policy_name, _alarm_name(policy, "AlarmLow"), False, capacity,
                            ECS_DEFAULT_COOLDOWN_S if config.scale_in_cooldown is None else config.scale_in_cooldown)
    return None


def decide(proposals: Sequence[Proposal | None], cooldown: Cooldown, now: float,
           suspended: SuspendedState | None = None) -> Proposal | None:
    """Any policy may scale out (the largest wins); scale-in needs every policy, outside the scale-in cooldown."""
    suspended = suspended or SuspendedState()
    outs = [p for p in proposals if p is not None and p.scale_out]
    if outs:
        return None if suspended.dynamic_scaling_out_suspended else max(outs, key=lambda p: p.capacity)
    if not proposals or suspended.dynamic_scaling_in_suspended or now < cooldown.scale_in_until:
        return None
    if all(p is not None and not p.scale_out for p in proposals):
        return max((p for p in proposals if p is not None), key=lambda p: p.capacity)
    return None


def after(chosen: Proposal, cooldown: Cooldown, current: int, now: float) -> Cooldown:
    """The cooldowns once ``chosen`` has been carried out."""
    if chosen.scale_out:
        cooling = now < cooldown.scale_out_until and cooldown.scale_out_from is not None
        base = cooldown.scale_out_from if cooling else current
        return Cooldown(now + chosen.cooldown_s, base, 0.0)  # a scale-out ends a scale-in cooldown
    return cooldown._replace(scale_in_until=now + chosen.cooldown_s)


def _alarm_name(policy: ScalingPolicy, kind: str) -> str:
    return next((a.alarm_name for a in policy.alarms if f"-{kind}-" in a.alarm_name),
                f"TargetTracking-{policy.resource_id}-{kind}")


class TargetTrackingScaler:
    """Evaluates every target tracking policy once per datapoint and carries out what they decide."""

    def __init__(self, backend: Emulator, *, period: float = 60.0) -> None:
        self.backend = backend
        self.period = period
        self._evaluated_until: int | None = None
        self._pruned_at = 0.0

    @property
    def store(self):  # noqa: ANN201
        return self.backend.store

    def tick(self) -> None:
        """Called often; evaluates when a new datapoint period has completed."""
        if self.backend.read_only:
            return
        period_ms = max(1, int(self.period * 1000))
        now_ms = int(self.backend.clock.time() * 1000)
        end_ms = now_ms - now_ms % period_ms
        if end_ms == self._evaluated_until:
            return
        self._evaluated_until = end_ms
        self.evaluate(end_ms)
        if now_ms / 1000 - self._pruned_at >= PRUNE_EVERY_S:
            self._pruned_at = now_ms / 1000
            self._prune_activities(now_ms / 1000)

    def evaluate(self, end_ms: int) -> list[ScalingActivity]:
        """One evaluation of every ECS scalable target on the datapoints that end at ``end_ms``."""
        done = []
        for body in self.store.list(TARGET):
            target = ScalableTarget.model_validate(body)
            if target.service_namespace != ECS_NAMESPACE or target.scalable_dimension != ECS_DESIRED_COUNT:
                continue
            try:
                activity = self._evaluate(target, end_ms)
            except Exception:  # one target's trouble must not stop the others
                log.exception("auto scaling %s failed", target.resource_id)
                continue
            if activity is not None:
                done.append(activity)
        return done

    def datapoints(self, cluster_arn: str, service: str, metric: str, end_ms: int) -> list[float | None]:
        """The last 15 datapoints of a service's metric, oldest first; None where there was no sample."""
        period_ms = max(1, int(self.period * 1000))
        since = end_ms - SCALE_IN_DATAPOINTS * period_ms
        found = self.backend.part(EcsMetrics).service_average(cluster_arn, service, metric, period_ms, since, end_ms)
        return [found.get(since + i * period_ms) for i in range(SCALE_IN_DATAPOINTS)]

    def _evaluate(self, target: ScalableTarget, end_ms: int) -> ScalingActivity | None:
        facet = self.backend.part(LocalAutoScaling)
        _, cluster, name = target.resource_id.split("/")
        try:
            services = self.backend.ecs.describe_services(cluster, [name])
        except NotFound:
            services = []
        if not services or services[0].status is m.ServiceStatus.INACTIVE:
            facet.remove_target(target)  # AWS forgets the targets of deleted services
            return None
        service = services[0]
        policies = [ScalingPolicy.model_validate(b) for b in self.store.list(POLICY, parent=target.resource_id)
                    if b.get("ScalableDimension") == target.scalable_dimension]
        if service.status is not m.ServiceStatus.ACTIVE or not policies:
            return None
        now = self.backend.clock.time()
        cooldown = self._cooldown(target)
        series: dict[str, list[float | None]] = {}
        proposals = []
        for policy in policies:
            config = policy.target_tracking_scaling_policy_configuration
            spec = config.predefined_metric_specification if config else None
            metric = TRACKED_METRICS.get(spec.predefined_metric_type) if spec else None
            if metric is None:
                proposals.append(None)
                continue
            if metric not in series:
                series[metric] = self.datapoints(service.cluster_arn, name, metric, end_ms)
            proposals.append(propose(policy, series[metric], service.desired_count, target.min_capacity,
                                     target.max_capacity, cooldown, now))
        chosen = decide(proposals, cooldown, now, target.suspended_state)
        if chosen is None:
            return None
        cause = f"monitor alarm {chosen.alarm_name} in state ALARM triggered policy {chosen.policy_name}"
        activity = facet.set_desired(target, chosen.capacity, cause)
        if activity.status_code is ScalingActivityStatusCode.SUCCESSFUL:
            self._save_cooldown(target, after(chosen, cooldown, service.desired_count, now))
        return activity

    def _cooldown(self, target: ScalableTarget) -> Cooldown:
        body = self.store.get(COOLDOWN, cooldown_key(target))
        if body is None:
            return Cooldown()
        return Cooldown(body.get("scaleOutUntil", 0.0), body.get("scaleOutFrom"), body.get("scaleInUntil", 0.0))

    def _save_cooldown(self, target: ScalableTarget, cooldown: Cooldown) -> None:
        with self.store.transaction():
            if self.store.get(TARGET, target.scalable_target_arn or "") is None:
                return  # deregistered meanwhile (in another process): its cooldown went with it
            self.store.put(COOLDOWN, cooldown_key(target), {
                "scaleOutUntil": cooldown.scale_out_until, "scaleOutFrom": cooldown.scale_out_from,
                "scaleInUntil": cooldown.scale_in_until}, name=target.resource_id, parent=target.scalable_dimension)

    def _prune_activities(self, now: float) -> None:
        for body in self.store.list(ACTIVITY):
            activity = ScalingActivity.model_validate(body)
            if now - activity.start_time.timestamp() > ACTIVITY_RETENTION_S:
                self.store.delete(ACTIVITY, activity.activity_id)
