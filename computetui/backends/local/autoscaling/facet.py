"""Application Auto Scaling in the local emulator: scalable targets and policies on ECS services.

Scalable targets, scaling policies and scaling activities are records in the
state store. Only ECS services can be scaled here (namespace ``ecs``,
dimension ``ecs:service:DesiredCount``, resource ``service/<cluster>/<service>``);
other namespaces are refused with a ``ValidationException``. Registering a
target brings the service's desired count inside its bounds at once, as AWS
does. The policies are carried out by the leader's tick in
:mod:`computetui.backends.local.autoscaling.tracking`; every change goes
through the ECS service's UpdateService and is written down as a scaling
activity, in AWS's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from computetui.backends.base import AutoScalingFacet
from computetui.backends.errors import ComputeError, InvalidParameter, NotFound
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import autoscaling as rules
from computetui.backends.rules.validation import validated
from computetui.models import ecs as m
from computetui.models.autoscaling import (
    ECS_NAMESPACE,
    Alarm,
    PolicyType,
    PredefinedMetricType,
    PutScalingPolicyResult,
    ScalableTarget,
    ScalingActivity,
    ScalingActivityStatusCode,
    ScalingPolicy,
    SuspendedState,
    TargetTrackingScalingPolicyConfiguration,
)

TARGET = "application-autoscaling:scalable-target"
POLICY = "application-autoscaling:scaling-policy"
ACTIVITY = "application-autoscaling:scaling-activity"
COOLDOWN = "application-autoscaling:cooldown"

SERVICE_NAMESPACES = ("ecs", "elasticmapreduce", "ec2", "appstream", "dynamodb", "rds", "sagemaker",
                      "custom-resource", "comprehend", "lambda", "cassandra", "kafka", "elasticache", "neptune",
                      "workspaces")
SCALABLE_DIMENSIONS = (
    "ecs:service:DesiredCount", "ec2:spot-fleet-request:TargetCapacity",
    "elasticmapreduce:instancegroup:InstanceCount", "appstream:fleet:DesiredCapacity",
    "dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits", "dynamodb:index:ReadCapacityUnits",
    "dynamodb:index:WriteCapacityUnits", "rds:cluster:ReadReplicaCount", "sagemaker:variant:DesiredInstanceCount",
    "custom-resource:ResourceType:Property", "comprehend:document-classifier-endpoint:DesiredInferenceUnits",
    "comprehend:entity-recognizer-endpoint:DesiredInferenceUnits", "lambda:function:ProvisionedConcurrency",
    "cassandra:table:ReadCapacityUnits", "cassandra:table:WriteCapacityUnits", "kafka:broker-storage:VolumeSize",
    "elasticache:replication-group:NodeGroups", "elasticache:replication-group:Replicas",
    "neptune:cluster:ReadReplicaCount", "sagemaker:variant:DesiredProvisionedConcurrency",
    "sagemaker:inference-component:DesiredCopyCount", "workspaces:workspacespool:DesiredUserSessions",
)
TRACKED_METRICS = {
    PredefinedMetricType.ECS_SERVICE_AVERAGE_CPU_UTILIZATION.value: "CPUUtilization",
    PredefinedMetricType.ECS_SERVICE_AVERAGE_MEMORY_UTILIZATION.value: "MemoryUtilization",
}
"""The predefined metrics the emulator tracks, and the AWS/ECS metric behind each."""
UNSUPPORTED = "Unsupported service namespace, resource type or scalable dimension"
ECS_ROLE = ("role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_ECSService")


def cooldown_key(target: ScalableTarget) -> str:
    """The cooldown record's key: resources are keyed by ARN alone, so it cannot share the target's."""
    return f"{target.scalable_target_arn}#cooldown"


def validation(message: str, field: str | None = None) -> InvalidParameter:
    return InvalidParameter(message, code="ValidationException", field=field)


def not_in_enum(value: Any, field: str, allowed: Sequence[str]) -> InvalidParameter:
    return validation(f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
                      f"Member must satisfy enum value set: [{', '.join(allowed)}]", field)


def target_not_found(namespace: str, resource_id: str, dimension: str) -> NotFound:
    return NotFound(f"No scalable target registered for service namespace: {namespace}, resource ID: "
                    f"{resource_id}, scalable dimension: {dimension}", code="ObjectNotFoundException")


# -- the facet ---------------------------------------------------------------------


class LocalAutoScaling(LocalFacetMixin, AutoScalingFacet):
    """Scalable targets and policies on ECS services; the scaler below acts on them."""

    # -- validation --------------------------------------------------------
    @staticmethod
    def _namespace(namespace: str) -> None:
        if namespace not in SERVICE_NAMESPACES:
            raise not_in_enum(namespace, "serviceNamespace", SERVICE_NAMESPACES)

    def _ecs_service_name(self, namespace: str, resource_id: str, dimension: str) -> tuple[str, str]:
        """``(cluster, service)`` of an ECS scalable target; AWS's errors for anything else."""
        self._namespace(namespace)
        if dimension not in SCALABLE_DIMENSIONS:
            raise not_in_enum(dimension, "scalableDimension", SCALABLE_DIMENSIONS)
        if dimension.split(":", 1)[0] != namespace:
            raise validation(UNSUPPORTED)
        if namespace != ECS_NAMESPACE:
            raise validation(f"The local emulator scales ECS services only; {namespace} resources are not emulated "
                             "(use the aws backend)", "ServiceNamespace")
        parts = resource_id.split("/")
        if len(parts) != 3 or parts[0] != "service" or not parts[1] or not parts[2]:
            raise validation(UNSUPPORTED, "ResourceId")
        return parts[1], parts[2]

    def _service(self, resource_id: str, cluster: str, name: str) -> m.Service:
        try:
            found = self.backend.ecs.describe_services(cluster, [name])
        except ComputeError:
            found = []
        if not found or found[0].status is m.ServiceStatus.INACTIVE:
            raise validation(f"ECS service doesn't exist: {resource_id}", "ResourceId")
        return found[0]

    def _target_body(self, resource_id: str, dimension: str) -> dict[str, Any] | None:
        return self.store.find(TARGET, resource_id, parent=dimension)

    def _policy_body(self, name: str, resource_id: str, dimension: str) -> dict[str, Any] | None:
        return next((b for b in self.store.list(POLICY, parent=resource_id, name=name)
                     if b.get("ScalableDimension") == dimension), None)

    # -- scalable targets ----------------------------------------------------
    @validated(rules.REGISTER_SCALABLE_TARGET)
    def register_scalable_target(
        self,
        service_namespace: str,
        resource_id: str,
        scalable_dimension: str,
        min_capacity: int | None = None,
        max_capacity: int | None = None,
        role_arn: str | None = None,
        suspended_state: dict[str, Any] | None = None,
        **_: Any,
    ) -> ScalableTarget:
        cluster, name = self._ecs_service_name(service_namespace, resource_id, scalable_dimension)
        service = self._service(resource_id, cluster, name)
        for field, value in (("minCapacity", min_capacity), ("maxCapacity", max_capacity)):
            if value is not None and value < 0:
                raise validation(f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
                                 "constraint: Member must have value greater than or equal to 0", field)
        with self.store.transaction():
            body = self._target_body(resource_id, scalable_dimension)
            current = ScalableTarget.model_validate(body) if body else None
            if current is None and (min_capacity is None or max_capacity is None):
                raise validation("MinCapacity and MaxCapacity are required to register a new scalable target",
                                 "MinCapacity" if min_capacity is None else "MaxCapacity")
            lo = min_capacity if min_capacity is not None else current.min_capacity  # type: ignore[union-attr]
            hi = max_capacity if max_capacity is not None else current.max_capacity  # type: ignore[union-attr]
            if lo > hi:
                raise validation(f"Minimum capacity {lo} cannot be greater than maximum capacity {hi}", "MinCapacity")
            target = ScalableTarget(
                service_namespace=service_namespace,
                resource_id=resource_id,
                scalable_dimension=scalable_dimension,
                min_capacity=lo,
                max_capacity=hi,
                role_arn=role_arn or (current.role_arn if current else self.ids.arn("iam", ECS_ROLE, region="")),
                creation_time=current.creation_time if current else self.now,
                suspended_state=SuspendedState.model_validate(suspended_state) if suspended_state is not None
                else (current.suspended_state if current else SuspendedState()),
                scalable_target_arn=current.scalable_target_arn if current else self.ids.arn(
                    "application-autoscaling", f"scalable-target/{self.ids.hex(36)}"),
            )
            self.store.put(TARGET, target.scalable_target_arn or "", target.to_aws(), name=resource_id,
                           parent=scalable_dimension)
        # AWS brings an active resource inside the new bounds at once.
        if service.status is m.ServiceStatus.ACTIVE:
            if service.desired_count < lo:
                self.set_desired(target, lo, f"minimum capacity was set to {lo}")
            elif service.desired_count > hi:
                self.set_desired(target, hi, f"maximum capacity was set to {hi}")
        return target

    @validated(rules.SCALABLE_TARGET)
    def deregister_scalable_target(self, service_namespace: str, resource_id: str, scalable_dimension: str) -> None:
        self._ecs_service_name(service_namespace, resource_id, scalable_dimension)
        body = self._target_body(resource_id, scalable_dimension)
        if body is None:
            raise target_not_found(service_namespace, resource_id, scalable_dimension)
        self.remove_target(ScalableTarget.model_validate(body))

    def remove_target(self, target: ScalableTarget) -> None:
        """Forget a target and its policies (its activities stay, as on AWS)."""
        with self.store.transaction():
            self.store.delete(TARGET, target.scalable_target_arn or "")
            self.store.delete(COOLDOWN, cooldown_key(target))
            for body in self.store.list(POLICY, parent=target.resource_id):
                if body.get("ScalableDimension") == target.scalable_dimension:
                    self.store.delete(POLICY, body["PolicyARN"])

    @validated(rules.DESCRIBE_SCALABLE_TARGETS)
    def describe_scalable_targets(
        self, service_namespace: str, resource_ids: list[str] | None = None, scalable_dimension: str | None = None
    ) -> list[ScalableTarget]:
        self._namespace(service_namespace)
        found = [ScalableTarget.model_validate(b) for b in self.store.list(TARGET)]
        return [t for t in found if t.service_namespace == service_namespace
                and (not resource_ids or t.resource_id in resource_ids)
                and (scalable_dimension is None or t.scalable_dimension == scalable_dimension)]

    # -- scaling policies ------------------------------------------------------
    @validated(rules.PUT_SCALING_POLICY)
    def put_scaling_policy(
        self,
        policy_name: str,
        service_namespace: str,
        resource_id: str,
        scalable_dimension: str,
        policy_type: str = "TargetTrackingScaling",
        target_tracking_scaling_policy_configuration: dict[str, Any] | TargetTrackingScalingPolicyConfiguration
        | None = None,
        **_: Any,
    ) -> PutScalingPolicyResult:
        self._ecs_service_name(service_namespace, resource_id, scalable_dimension)
        kinds = [k.value for k in PolicyType]
        if policy_type not in kinds:
            raise not_in_enum(policy_type, "policyType", sorted(kinds))
        if policy_type != PolicyType.TARGET_TRACKING_SCALING:
            raise validation(f"The local emulator runs TargetTrackingScaling policies only, not {policy_type}",
                             "PolicyType")
        if not policy_name or len(policy_name) > 256:
            raise validation(f"1 validation error detected: Value '{policy_name}' at 'policyName' failed to satisfy "
                             "constraint: Member must have length between 1 and 256", "PolicyName")
        config = self._tracking(target_tracking_scaling_policy_configuration)
        with self.store.transaction():
            if self._target_body(resource_id, scalable_dimension) is None:
                raise target_not_found(service_namespace, resource_id, scalable_dimension)
            existing = self._policy_body(policy_name, resource_id, scalable_dimension)
            old = ScalingPolicy.model_validate(existing) if existing else None
            arn = old.policy_arn if old else self.ids.arn(
                "autoscaling", f"scalingPolicy:{self.ids.uuid()}:resource/{service_namespace}/{resource_id}"
                               f":policyName/{policy_name}")
            kinds_wanted = ["AlarmHigh"] if config.disable_scale_in else ["AlarmHigh", "AlarmLow"]
            alarms = [self._alarm(resource_id, kind, old) for kind in kinds_wanted]
            policy = ScalingPolicy(
                policy_arn=arn, policy_name=policy_name, service_namespace=service_namespace,
                resource_id=resource_id, scalable_dimension=scalable_dimension,
                policy_type=PolicyType.TARGET_TRACKING_SCALING,
                target_tracking_scaling_policy_configuration=config, alarms=alarms,
                creation_time=old.creation_time if old else self.now,
            )
            self.store.put(POLICY, arn, policy.to_aws(), name=policy_name, parent=resource_id)
        return PutScalingPolicyResult(policy_arn=arn, alarms=alarms)

    def _alarm(self, resource_id: str, kind: str, old: ScalingPolicy | None) -> Alarm:
        kept = next((a for a in (old.alarms if old else []) if f"-{kind}-" in a.alarm_name), None)
        if kept is not None:
            return kept
        name = f"TargetTracking-{resource_id}-{kind}-{self.ids.uuid()}"
        return Alarm(alarm_name=name, alarm_arn=self.ids.arn("cloudwatch", f"alarm:{name}"))

    @staticmethod
    def _tracking(raw: Any) -> TargetTrackingScalingPolicyConfiguration:
        if raw is None:
            raise validation("TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling "
                             "policy", "TargetTrackingScalingPolicyConfiguration")
        try:
            config = raw if isinstance(raw, TargetTrackingScalingPolicyConfiguration) else \
                TargetTrackingScalingPolicyConfiguration.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise validation(f"Invalid TargetTrackingScalingPolicyConfiguration: {where}: {first.get('msg')}",
                             "TargetTrackingScalingPolicyConfiguration") from None
        spec = config.predefined_metric_specification
        if spec is None:
            raise validation("The local emulator tracks predefined metrics only: give a "
                             "PredefinedMetricSpecification of " + " or ".join(TRACKED_METRICS),
                             "PredefinedMetricSpecification")
        if spec.predefined_metric_type not in TRACKED_METRICS:
            raise validation(f"The local emulator cannot track {spec.predefined_metric_type} for an ECS service; "
                             "it tracks " + " and ".join(TRACKED_METRICS), "PredefinedMetricType")
        if not config.target_value > 0:
            raise validation(f"TargetValue must be greater than 0, not {config.target_value}", "TargetValue")
        for field, value in (("ScaleOutCooldown", config.scale_out_cooldown),
                             ("ScaleInCooldown", config.scale_in_cooldown)):
            if value is not None and value < 0:
                raise validation(f"{field} must be 0 or more seconds, not {value}", field)
        return config

    @validated(rules.DELETE_SCALING_POLICY)
    def delete_scaling_policy(
        self, policy_name: str, service_namespace: str, resource_id: str, scalable_dimension: str
    ) -> None:
        self._ecs_service_name(service_namespace, resource_id, scalable_dimension)
        with self.store.transaction():
            body = self._policy_body(policy_name, resource_id, scalable_dimension)
            if body is None:
                raise NotFound(f"No scaling policy found for service namespace: {service_namespace}, resource ID: "
                               f"{resource_id}, scalable dimension: {scalable_dimension}, policy name: "
                               f"{policy_name}", code="ObjectNotFoundException")
            self.store.delete(POLICY, body["PolicyARN"])

    @validated(rules.DESCRIBE_SCALING_POLICIES)
    def describe_scaling_policies(
        self,
        service_namespace: str,
        policy_names: list[str] | None = None,
        resource_id: str | None = None,
        scalable_dimension: str | None = None,
    ) -> list[ScalingPolicy]:
        self._namespace(service_namespace)
        bodies = self.store.list(POLICY, parent=resource_id) if resource_id else self.store.list(POLICY)
        found = [ScalingPolicy.model_validate(b) for b in bodies]
        return [p for p in found if p.service_namespace == service_namespace
                and (not policy_names or p.policy_name in policy_names)
                and (scalable_dimension is None or p.scalable_dimension == scalable_dimension)]

    # -- scaling activities ------------------------------------------------------
    @validated(rules.DESCRIBE_SCALING_ACTIVITIES)
    def describe_scaling_activities(
        self, service_namespace: str, resource_id: str | None = None, scalable_dimension: str | None = None,
        **_: Any,
    ) -> list[ScalingActivity]:
        self._namespace(service_namespace)
        bodies = self.store.list(ACTIVITY, parent=resource_id) if resource_id else self.store.list(ACTIVITY)
        found = [ScalingActivity.model_validate(b) for b in reversed(bodies)]  # newest first
        return [a for a in found if a.service_namespace == service_namespace
                and (scalable_dimension is None or a.scalable_dimension == scalable_dimension)]

    def set_desired(self, target: ScalableTarget, capacity: int, cause: str) -> ScalingActivity:
        """Change the service's desired count through UpdateService and write the activity down."""
        started = self.now
        _, cluster, name = target.resource_id.split("/")
        try:
            self.backend.ecs.update_service(cluster=cluster, service=name, desired_count=capacity)
        except ComputeError as exc:
            code = ScalingActivityStatusCode.FAILED
            message = f"Failed to set desired count to {capacity}. Reason: {exc.message}"
        else:
            code = ScalingActivityStatusCode.SUCCESSFUL
            message = f"Successfully set desired count to {capacity}. Change successfully fulfilled by ecs."
        activity = ScalingActivity(
            activity_id=self.ids.uuid(), service_namespace=target.service_namespace,
            resource_id=target.resource_id, scalable_dimension=target.scalable_dimension,
            description=f"Setting desired count to {capacity}.", cause=cause, start_time=started,
            end_time=self.now, status_code=code, status_message=message,
        )
        self.store.put(ACTIVITY, activity.activity_id, activity.to_aws(), name=activity.activity_id,
                       parent=target.resource_id, state=code.value)
        return activity
