"""Application Auto Scaling through boto3: scalable targets, scaling policies, scaling activities.

The console scales ECS services (namespace ``ecs``, resource
``service/<cluster>/<service>``, dimension ``ecs:service:DesiredCount``); the
calls pass any namespace through, and AWS answers for it. Lists read every
page; names are sent at most 50 a call (the API's limit on ``ResourceIds`` and
``PolicyNames``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, parse
from computetui.backends.base import AutoScalingFacet
from computetui.models.autoscaling import PutScalingPolicyResult, ScalableTarget, ScalingActivity, ScalingPolicy

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

SERVICE = "application-autoscaling"
NAMES_MAX = 50
"""DescribeScalableTargets' ResourceIds and DescribeScalingPolicies' PolicyNames: most a call takes."""
PAGE = 50
"""The most a page of these lists holds."""


class AwsAutoScaling(AutoScalingFacet):
    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.aas = Caller(backend, SERVICE, invalid_code="ValidationException")

    # -- scalable targets ----------------------------------------------------------
    def register_scalable_target(
        self,
        service_namespace: str,
        resource_id: str,
        scalable_dimension: str,
        min_capacity: int | None = None,
        max_capacity: int | None = None,
        **kwargs: Any,
    ) -> ScalableTarget:
        """RegisterScalableTarget, then the target as DescribeScalableTargets shows it."""
        params = self.aas.params("register_scalable_target", {
            "service_namespace": service_namespace, "resource_id": resource_id,
            "scalable_dimension": scalable_dimension, "min_capacity": min_capacity,
            "max_capacity": max_capacity, **kwargs,
        })
        self.aas.call("register_scalable_target", **params)
        found = self.describe_scalable_targets(service_namespace, [resource_id], scalable_dimension)
        if found:
            return found[0]
        # Registered, yet not listed (yet): what the call was given is what is known.
        return ScalableTarget(service_namespace=service_namespace, resource_id=resource_id,
                              scalable_dimension=scalable_dimension, min_capacity=min_capacity or 0,
                              max_capacity=max_capacity or 0)

    def deregister_scalable_target(self, service_namespace: str, resource_id: str, scalable_dimension: str) -> None:
        self.aas.call("deregister_scalable_target", ServiceNamespace=service_namespace, ResourceId=resource_id,
                      ScalableDimension=scalable_dimension)

    def describe_scalable_targets(
        self, service_namespace: str, resource_ids: list[str] | None = None, scalable_dimension: str | None = None
    ) -> list[ScalableTarget]:
        if resource_ids:
            found = self.aas.batched_pages("describe_scalable_targets", "ScalableTargets", "ResourceIds",
                                           resource_ids, NAMES_MAX, ServiceNamespace=service_namespace,
                                           ScalableDimension=scalable_dimension)
        else:
            found = self.aas.pages("describe_scalable_targets", "ScalableTargets", page_size=PAGE,
                                   ServiceNamespace=service_namespace, ScalableDimension=scalable_dimension)
        return [parse(ScalableTarget, t) for t in found]

    # -- scaling policies ----------------------------------------------------------
    def put_scaling_policy(
        self,
        policy_name: str,
        service_namespace: str,
        resource_id: str,
        scalable_dimension: str,
        policy_type: str = "TargetTrackingScaling",
        target_tracking_scaling_policy_configuration: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PutScalingPolicyResult:
        """The configuration is AWS's JSON (PascalCase) or the model."""
        params = self.aas.params("put_scaling_policy", {
            "policy_name": policy_name, "service_namespace": service_namespace, "resource_id": resource_id,
            "scalable_dimension": scalable_dimension, "policy_type": policy_type,
            "target_tracking_scaling_policy_configuration": target_tracking_scaling_policy_configuration,
            **kwargs,
        })
        return parse(PutScalingPolicyResult, self.aas.call("put_scaling_policy", **params))

    def delete_scaling_policy(
        self, policy_name: str, service_namespace: str, resource_id: str, scalable_dimension: str
    ) -> None:
        self.aas.call("delete_scaling_policy", PolicyName=policy_name, ServiceNamespace=service_namespace,
                      ResourceId=resource_id, ScalableDimension=scalable_dimension)

    def describe_scaling_policies(
        self,
        service_namespace: str,
        policy_names: list[str] | None = None,
        resource_id: str | None = None,
        scalable_dimension: str | None = None,
    ) -> list[ScalingPolicy]:
        common = {"ServiceNamespace": service_namespace, "ResourceId": resource_id,
                  "ScalableDimension": scalable_dimension}
        if policy_names:
            found = self.aas.batched_pages("describe_scaling_policies", "ScalingPolicies", "PolicyNames",
                                           policy_names, NAMES_MAX, **common)
        else:
            found = self.aas.pages("describe_scaling_policies", "ScalingPolicies", page_size=PAGE, **common)
        return [parse(ScalingPolicy, p) for p in found]

    # -- scaling activities ----------------------------------------------------------
    def describe_scaling_activities(
        self, service_namespace: str, resource_id: str | None = None, scalable_dimension: str | None = None
    ) -> list[ScalingActivity]:
        """Newest first, as AWS lists them; every page."""
        found = self.aas.pages("describe_scaling_activities", "ScalingActivities", page_size=PAGE,
                               ServiceNamespace=service_namespace, ResourceId=resource_id,
                               ScalableDimension=scalable_dimension)
        return [parse(ScalingActivity, a) for a in found]
