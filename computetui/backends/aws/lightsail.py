"""Amazon Lightsail through boto3: instances, the catalogue, public ports, static IPs, snapshots,
metrics and container services.

Lightsail's listings page with ``pageToken``/``nextPageToken``. botocore has paginators for
GetInstances, GetBundles, GetBlueprints, GetStaticIps and GetInstanceSnapshots; GetOperationsForResource
and GetContainerLog page the same way without one, so they are followed here. A change answers with
``operations`` (the port calls with a single ``operation``); one AWS reports as ``Failed`` becomes
an error with AWS's code. Bad input is ``InvalidInputException`` in Lightsail's words.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, aws_json, parse
from computetui.backends.base import LightsailFacet
from computetui.backends.errors import ComputeError, NotFound, Unsupported
from computetui.models import lightsail as m

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

MAX_TOKEN_PAGES = 1000
"""A bound on the pages followed by hand (an endpoint that always answers a token ends)."""


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
        self._key_dirs: list[Path] = []
        self._key_lock = threading.Lock()

    def _change(self, operation: str, **params: Any) -> list[m.Operation]:
        return _check_operations(self.api.call(operation, **params))

    def _one_change(self, operation: str, **params: Any) -> m.Operation:
        """A change that answers with one ``operation`` (the public port calls)."""
        [done] = self._change(operation, **params)
        return done

    def _token_pages(self, operation: str, key: str, **params: Any) -> list[Any]:
        """Every item under ``key``, following ``nextPageToken`` where botocore has no paginator."""
        items: list[Any] = []
        token = None
        for _ in range(MAX_TOKEN_PAGES):
            answer = self.api.call(operation, **params, pageToken=token)
            items.extend(answer.get(key) or [])
            token = answer.get("nextPageToken")
            if not token:
                break
        return items

    # -- instances -------------------------------------------------------
    def get_instances(self) -> list[m.Instance]:
        return [parse(m.Instance, i) for i in self.api.pages("get_instances", "instances")]

    def get_instance(self, instance_name: str) -> m.Instance:
        return parse(m.Instance, self.api.call("get_instance", instanceName=instance_name)["instance"])

    def get_instance_state(self, instance_name: str) -> m.InstanceState:
        return parse(m.InstanceState, self.api.call("get_instance_state", instanceName=instance_name)["state"])

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

    def get_operations_for_resource(self, resource_name: str) -> list[m.Operation]:
        """GetOperationsForResource, every page (AWS lists them newest first)."""
        found = self._token_pages("get_operations_for_resource", "operations", resourceName=resource_name)
        return [parse(m.Operation, o) for o in found]

    def launch_output(self, instance_name: str) -> str:
        raise Unsupported(
            "Lightsail has no API for what a launch script printed: on AWS it is read in the instance "
            f"itself (/var/log/cloud-init-output.log), over SSH to {instance_name}",
            code="LaunchScriptOutput",
        )

    def shell_argv(self, instance_name: str) -> list[str]:
        """ssh with the temporary key GetInstanceAccessDetails hands out (the Lightsail console's
        browser SSH uses the same): the key, and its certificate beside it as ``<key>-cert.pub``,
        in a directory only this user can read, removed when the backend closes."""
        details = self.api.call("get_instance_access_details", instanceName=instance_name, protocol="ssh")
        access = details.get("accessDetails") or {}
        address = access.get("ipAddress") or next(iter(access.get("ipv6Addresses") or []), None)
        private_key, username = access.get("privateKey"), access.get("username")
        if not (address and private_key and username):
            raise ComputeError(
                f"AWS gave no SSH address, user or key for {instance_name} (is it running, with a public IP?)",
                code="UnreadableResponse",
            )
        key = self._write_key(instance_name, private_key, access.get("certKey"))
        return ["ssh", "-i", str(key), "-o", "StrictHostKeyChecking=accept-new", f"{username}@{address}"]

    def _write_key(self, instance_name: str, private_key: str, cert_key: str | None) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="computetui-ssh-"))  # 0700, as mkdtemp makes it
        with self._key_lock:
            self._key_dirs.append(folder)
        key = folder / instance_name
        _write_private(key, private_key)
        if cert_key:
            _write_private(folder / f"{instance_name}-cert.pub", cert_key)
        return key

    def close(self) -> None:
        with self._key_lock:
            folders, self._key_dirs = self._key_dirs, []
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    # -- the catalogue ---------------------------------------------------
    def get_bundles(self) -> list[m.Bundle]:
        """The active bundles (AWS leaves inactive ones out unless asked)."""
        return [parse(m.Bundle, b) for b in self.api.pages("get_bundles", "bundles")]

    def get_blueprints(self) -> list[m.Blueprint]:
        return [parse(m.Blueprint, b) for b in self.api.pages("get_blueprints", "blueprints")]

    # -- public ports ------------------------------------------------------
    def get_instance_port_states(self, instance_name: str) -> list[m.InstancePortState]:
        answer = self.api.call("get_instance_port_states", instanceName=instance_name)
        return [parse(m.InstancePortState, p) for p in answer.get("portStates") or []]

    def open_instance_public_ports(self, instance_name: str, port_info: m.PortInfo | dict[str, Any]) -> m.Operation:
        return self._one_change("open_instance_public_ports", instanceName=instance_name, portInfo=aws_json(port_info))

    def close_instance_public_ports(self, instance_name: str, port_info: m.PortInfo | dict[str, Any]) -> m.Operation:
        return self._one_change("close_instance_public_ports", instanceName=instance_name, portInfo=aws_json(port_info))

    def put_instance_public_ports(
        self, instance_name: str, port_infos: list[m.PortInfo] | list[dict[str, Any]]
    ) -> m.Operation:
        return self._one_change(
            "put_instance_public_ports", instanceName=instance_name, portInfos=aws_json(list(port_infos))
        )

    # -- static IPs --------------------------------------------------------
    def get_static_ips(self) -> list[m.StaticIp]:
        return [parse(m.StaticIp, s) for s in self.api.pages("get_static_ips", "staticIps")]

    def get_static_ip(self, static_ip_name: str) -> m.StaticIp:
        return parse(m.StaticIp, self.api.call("get_static_ip", staticIpName=static_ip_name)["staticIp"])

    def allocate_static_ip(self, static_ip_name: str) -> list[m.Operation]:
        return self._change("allocate_static_ip", staticIpName=static_ip_name)

    def attach_static_ip(self, static_ip_name: str, instance_name: str) -> list[m.Operation]:
        return self._change("attach_static_ip", staticIpName=static_ip_name, instanceName=instance_name)

    def detach_static_ip(self, static_ip_name: str) -> list[m.Operation]:
        return self._change("detach_static_ip", staticIpName=static_ip_name)

    def release_static_ip(self, static_ip_name: str) -> list[m.Operation]:
        return self._change("release_static_ip", staticIpName=static_ip_name)

    # -- snapshots -------------------------------------------------------
    def create_instance_snapshot(self, instance_snapshot_name: str, instance_name: str, **kwargs: Any
                                 ) -> list[m.Operation]:
        return self._change(
            "create_instance_snapshot", instanceSnapshotName=instance_snapshot_name, instanceName=instance_name,
            **self.api.params("create_instance_snapshot", kwargs),
        )

    def get_instance_snapshots(self) -> list[m.InstanceSnapshot]:
        return [parse(m.InstanceSnapshot, s) for s in self.api.pages("get_instance_snapshots", "instanceSnapshots")]

    def get_instance_snapshot(self, instance_snapshot_name: str) -> m.InstanceSnapshot:
        answer = self.api.call("get_instance_snapshot", instanceSnapshotName=instance_snapshot_name)
        return parse(m.InstanceSnapshot, answer["instanceSnapshot"])

    def create_instances_from_snapshot(
        self, instance_names: list[str], availability_zone: str, bundle_id: str, instance_snapshot_name: str,
        **kwargs: Any,
    ) -> list[m.Operation]:
        return self._change(
            "create_instances_from_snapshot",
            instanceNames=list(instance_names),
            availabilityZone=availability_zone,
            bundleId=bundle_id,
            instanceSnapshotName=instance_snapshot_name,
            **self.api.params("create_instances_from_snapshot", kwargs),
        )

    def delete_instance_snapshot(self, instance_snapshot_name: str) -> list[m.Operation]:
        return self._change("delete_instance_snapshot", instanceSnapshotName=instance_snapshot_name)

    # -- metrics -----------------------------------------------------------
    def get_instance_metric_data(
        self, instance_name: str, metric_name: str, period: int, start_time: datetime, end_time: datetime,
        unit: str, statistics: list[str],
    ) -> list[m.MetricDatapoint]:
        """GetInstanceMetricData's datapoints, oldest first (AWS answers them in no set order)."""
        answer = self.api.call(
            "get_instance_metric_data", instanceName=instance_name, metricName=metric_name, period=period,
            startTime=start_time, endTime=end_time, unit=unit, statistics=list(statistics),
        )
        points = [parse(m.MetricDatapoint, d) for d in answer.get("metricData") or []]
        return sorted(points, key=lambda d: d.timestamp)

    # -- container services --------------------------------------------------
    def get_container_service_powers(self) -> list[m.ContainerServicePower]:
        answer = self.api.call("get_container_service_powers")
        return [parse(m.ContainerServicePower, p) for p in answer.get("powers") or []]

    def get_container_services(self, service_name: str | None = None) -> list[m.ContainerService]:
        answer = self.api.call("get_container_services", serviceName=service_name)
        services = [parse(m.ContainerService, s) for s in answer.get("containerServices") or []]
        if service_name is not None and not services:  # AWS says NotFoundException; this is belt and braces
            raise NotFound(f"The container service does not exist: {service_name}", code="NotFoundException")
        return services

    def create_container_service(self, service_name: str, power: str, scale: int, **kwargs: Any
                                 ) -> m.ContainerService:
        answer = self.api.call(
            "create_container_service", serviceName=service_name, power=power, scale=scale,
            **self.api.params("create_container_service", kwargs),
        )
        return parse(m.ContainerService, answer["containerService"])

    def update_container_service(self, service_name: str, **kwargs: Any) -> m.ContainerService:
        answer = self.api.call(
            "update_container_service", serviceName=service_name, **self.api.params("update_container_service", kwargs)
        )
        return parse(m.ContainerService, answer["containerService"])

    def delete_container_service(self, service_name: str) -> None:
        self.api.call("delete_container_service", serviceName=service_name)

    def create_container_service_deployment(
        self, service_name: str, containers: dict[str, Any], public_endpoint: dict[str, Any] | None = None
    ) -> m.ContainerService:
        answer = self.api.call(
            "create_container_service_deployment", serviceName=service_name, containers=aws_json(dict(containers)),
            publicEndpoint=aws_json(public_endpoint),
        )
        return parse(m.ContainerService, answer["containerService"])

    def get_container_service_deployments(self, service_name: str) -> list[m.ContainerServiceDeployment]:
        answer = self.api.call("get_container_service_deployments", serviceName=service_name)
        return [parse(m.ContainerServiceDeployment, d) for d in answer.get("deployments") or []]

    def get_container_log(
        self, service_name: str, container_name: str, start_time: datetime | None = None,
        end_time: datetime | None = None, filter_pattern: str | None = None,
    ) -> list[m.ContainerServiceLogEvent]:
        """GetContainerLog, every page."""
        events = self._token_pages(
            "get_container_log", "logEvents", serviceName=service_name, containerName=container_name,
            startTime=start_time, endTime=end_time, filterPattern=filter_pattern,
        )
        return [parse(m.ContainerServiceLogEvent, e) for e in events]


def _write_private(path: Path, text: str) -> None:
    """``text`` into a new file only its owner can read or write (0600 from the start)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text if text.endswith("\n") else f"{text}\n")
