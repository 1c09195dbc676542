"""Amazon Lightsail through boto3: instances, bundles, blueprints, snapshots.

Lightsail's listings page with ``pageToken``/``nextPageToken``; botocore has
paginators for all four (GetInstances, GetBundles, GetBlueprints,
GetInstanceSnapshots). A change (create, start, stop, reboot, delete, snapshot)
answers with ``operations``; one AWS reports as ``Failed`` becomes an error with
AWS's code. Bad input is ``InvalidInputException`` in Lightsail's words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, parse
from computetui.backends.base import LightsailFacet
from computetui.backends.errors import ComputeError
from computetui.models import lightsail as m

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend


def _check_operations(answer: dict[str, Any]) -> list[m.Operation]:
    """The answer's operations (``operations``, or ``operation`` for the calls that answer one);
    one AWS reports as ``Failed`` is an error with AWS's code."""
    operations = answer.get("operations") or ([answer["operation"]] if answer.get("operation") else [])
    for operation in operations:
        if operation.get("status") == "Failed":
            raise ComputeError(
                operation.get("errorDetails") or f"{operation.get('operationType')} failed",
                code=operation.get("errorCode") or "OperationFailureException",
            )
    return [parse(m.Operation, o) for o in operations]


class AwsLightsail(LightsailFacet):
    backend: AwsBackend

    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.api = Caller(
            backend, "lightsail", invalid_code="InvalidInputException", kinds={"InvalidInputException": "invalid"}
        )

    def _change(self, operation: str, **params: Any) -> list[m.Operation]:
        return _check_operations(self.api.call(operation, **params))

    # -- instances -------------------------------------------------------
    def get_instances(self) -> list[m.Instance]:
        return [parse(m.Instance, i) for i in self.api.pages("get_instances", "instances")]

    def get_instance(self, instance_name: str) -> m.Instance:
        return parse(m.Instance, self.api.call("get_instance", instanceName=instance_name)["instance"])

    def create_instances(
        self, instance_names: list[str], availability_zone: str, blueprint_id: str, bundle_id: str, **kwargs: Any
    ) -> list[m.Operation]:
        """CreateInstances: AWS's operations, one per instance."""
        names = list(instance_names)
        return self._change(
            "create_instances",
            instanceNames=names,
            availabilityZone=availability_zone,
            blueprintId=blueprint_id,
            bundleId=bundle_id,
            **self.api.params("create_instances", kwargs),
        )

    def delete_instance(self, instance_name: str) -> list[m.Operation]:
        return self._change("delete_instance", instanceName=instance_name)

    def start_instance(self, instance_name: str) -> list[m.Operation]:
        return self._change("start_instance", instanceName=instance_name)

    def stop_instance(self, instance_name: str) -> list[m.Operation]:
        return self._change("stop_instance", instanceName=instance_name)

    def reboot_instance(self, instance_name: str) -> list[m.Operation]:
        return self._change("reboot_instance", instanceName=instance_name)

    # -- the catalogue ---------------------------------------------------
    def get_bundles(self) -> list[m.Bundle]:
        """The active bundles (AWS leaves inactive ones out unless asked)."""
        return [parse(m.Bundle, b) for b in self.api.pages("get_bundles", "bundles")]

    def get_blueprints(self) -> list[m.Blueprint]:
        return [parse(m.Blueprint, b) for b in self.api.pages("get_blueprints", "blueprints")]

    # -- snapshots -------------------------------------------------------
    def create_instance_snapshot(self, instance_snapshot_name: str, instance_name: str, **kwargs: Any
                                 ) -> list[m.Operation]:
        return self._change(
            "create_instance_snapshot", instanceSnapshotName=instance_snapshot_name, instanceName=instance_name,
            **self.api.params("create_instance_snapshot", kwargs),
        )

    def get_instance_snapshots(self) -> list[m.InstanceSnapshot]:
        return [parse(m.InstanceSnapshot, s) for s in self.api.pages("get_instance_snapshots", "instanceSnapshots")]

    def delete_instance_snapshot(self, instance_snapshot_name: str) -> list[m.Operation]:
        return self._change("delete_instance_snapshot", instanceSnapshotName=instance_snapshot_name)
