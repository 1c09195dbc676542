"""The contract, on every backend: Lightsail's catalogue, instances and what hangs off them (public
ports, static IPs, snapshots, metric data, the operations history) and container services.

local: the emulator on the real engine, every blueprint run by the busybox test image (nothing is
pulled). aws: moto has no Lightsail, so botocore's Stubber answers each call in AWS's shape
(tests/support/aws_stubs.py): ``aws(...)`` queues AWS's answer just before the call it answers and
does nothing on local, so each scenario reads once for both. The answers follow the AWS CLI's
examples (two operations for an attach, a detach and a snapshot; one ``operation`` for a port).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from computetui.backends import open_backend
from computetui.backends.base import Backend
from computetui.backends.errors import InvalidParameter, NotFound
from computetui.backends.local import LocalBackend
from computetui.models import lightsail as m
from tests.contract.conftest import BACKENDS
from tests.local.lightsail.conftest import remove_owned_images
from tests.support.aws import reset_moto
from tests.support.aws_stubs import (
    LIGHTSAIL_POWERS,
    REGION,
    is_aws,
    lightsail_catalogue_answers,
    lightsail_container_service,
    lightsail_deployment,
    lightsail_instance,
    lightsail_operation,
    lightsail_port_state,
    lightsail_snapshot,
    lightsail_static_ip,
    stubbed,
)
from tests.support.images import BUSYBOX_IMAGE
from tests.support.waits import remove_owned, until

ZONE = f"{REGION}a"
BLUEPRINT = "debian_12"  # an OS blueprint: 22 and 80 open when new (app blueprints open more)
WAIT_S = 60
# Every blueprint a scenario names runs the busybox test image on local.
IMAGES = {"nginx": BUSYBOX_IMAGE, "debian_12": BUSYBOX_IMAGE}
BUNDLE_RAM_GB = {"nano_3_0": 0.5, "small_3_0": 2.0, "medium_3_0": 4.0}
STATIC_ZONE = {"availabilityZone": "all", "regionName": REGION}  # a static IP's or a snapshot's location


def test_lightsail_catalogue(contract_backend) -> None:  # noqa: ANN001
    # aws: moto has no Lightsail; botocore's Stubber answers with AWS's catalogue in AWS's shape
    # (tests/support/aws_stubs.py; tests/aws/test_lightsail.py covers the rest). local: no-op.
    with lightsail_catalogue_answers(contract_backend):
        bundles = {b.bundle_id: b for b in contract_backend.lightsail.get_bundles()}
        assert bundles["nano_3_0"].price == 5.0 and bundles["nano_3_0"].ram_size_in_gb == 0.5
        assert {b.blueprint_id for b in contract_backend.lightsail.get_blueprints()} >= {"wordpress", "nginx"}
        assert contract_backend.lightsail.get_instances() == []
        with pytest.raises(NotFound):
            contract_backend.lightsail.get_instance("nope")


# -- the backends and AWS's answers ------------------------------------------------------------
class AwsAnswers:
    """AWS's answers, queued on botocore's Stubber on aws; nothing on local."""

    def __init__(self, stub: Any | None) -> None:
        self.stub = stub

    def __call__(self, method: str, response: dict[str, Any], params: dict[str, Any] | None = None) -> None:
        if self.stub is not None:
            self.stub.add_response(method, response, params)

    def refuses(self, method: str, code: str, message: str, params: dict[str, Any] | None = None) -> None:
        if self.stub is not None:
            self.stub.add_client_error(method, service_error_code=code, service_message=message,
                                       http_status_code=400, expected_params=params)

    def instance(self, name: str, *states: str, bundle_id: str = "nano_3_0", **extra: Any) -> None:
        """GetInstance answered once per state, in order (what a wait for the last one reads)."""
        hardware = {"cpuCount": 2, "ramSizeInGb": BUNDLE_RAM_GB[bundle_id]}
        for state in states:
            self("get_instance", {"instance": lightsail_instance(name, state, bundle_id, blueprintId=BLUEPRINT,
                                                                  hardware=hardware, **extra)},
                 {"instanceName": name})


@pytest.fixture(params=[pytest.param(name, marks=pytest.mark.docker) if name == "local" else name
                        for name in BACKENDS])
def lightsail_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """local on the real engine with its controller (instances run); aws on moto's server, with
    Lightsail answered by the ``aws`` fixture's Stubber."""
    if request.param == "local":
        docker_client = request.getfixturevalue("docker_client")
        backend = LocalBackend(tmp_path / "state", tick_seconds=0.2, lambda_sandbox="process",
                               lightsail_images=IMAGES, lightsail_health_check_interval=0.2)
        owner = backend.store.state_id
        try:
            yield backend
        finally:
            backend.close()
            remove_owned(docker_client, owner)
            remove_owned_images(docker_client, owner)
        return
    endpoint = request.getfixturevalue("moto_server")
    request.getfixturevalue("aws_credentials")
    reset_moto(endpoint)
    backend = open_backend("aws", region=REGION, endpoint_url=endpoint)
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture
def aws(lightsail_backend: Backend) -> Iterator[AwsAnswers]:
    if not is_aws(lightsail_backend):
        yield AwsAnswers(None)
        return
    with stubbed(lightsail_backend, "lightsail") as stub:  # every answer queued must have been asked for
        yield AwsAnswers(stub)


def operation(resource: str, kind: str, status: str = "Succeeded", **extra: Any) -> dict[str, Any]:
    return lightsail_operation(resource, kind, status, **extra)


def create(backend: Backend, aws: AwsAnswers, name: str = "web", bundle_id: str = "nano_3_0") -> list[m.Operation]:
    aws("create_instances", {"operations": [operation(name, "CreateInstance", "Started")]},
        {"instanceNames": [name], "availabilityZone": ZONE, "blueprintId": BLUEPRINT, "bundleId": bundle_id})
    return backend.lightsail.create_instances([name], ZONE, BLUEPRINT, bundle_id)


def reaches(backend: Backend, name: str, state: str) -> m.Instance:
    """The instance once it is in ``state`` (bounded)."""
    return until(lambda: (i := backend.lightsail.get_instance(name)).state.name.value == state and i, WAIT_S)


def gone(read: Any) -> None:
    """``read`` raises NotFound within the wait (a deletion may take a while to finish on local)."""
    def still_there() -> bool:
        read()
        return False

    with pytest.raises(NotFound):
        until(still_there, WAIT_S)


def running(backend: Backend, aws: AwsAnswers, name: str = "web", bundle_id: str = "nano_3_0") -> m.Instance:
    """An instance made and running (on aws: AWS says pending once, then running)."""
    create(backend, aws, name, bundle_id)
    aws.instance(name, "pending", "running", bundle_id=bundle_id)
    return reaches(backend, name, "running")


# -- instances -----------------------------------------------------------------------------------
def test_an_instance_is_created_with_an_operation_and_reaches_running(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    [made] = create(backend, aws)
    assert (made.resource_name, made.resource_type, made.operation_type) == ("web", "Instance", "CreateInstance")
    aws.instance("web", "pending")
    assert backend.lightsail.get_instance("web").state.name.value in ("pending", "running")
    aws.instance("web", "running")
    instance = reaches(backend, "web", "running")
    assert (instance.blueprint_id, instance.bundle_id, instance.location.availability_zone) == (
        BLUEPRINT, "nano_3_0", ZONE)
    assert instance.hardware.ram_size_in_gb == 0.5 and instance.private_ip_address
    aws("get_instance_state", {"state": {"code": 16, "name": "running"}}, {"instanceName": "web"})
    assert backend.lightsail.get_instance_state("web").code == 16


def test_stop_start_and_reboot_answer_operations_kept_in_the_history(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    running(backend, aws)
    for method, kind, passes in (
        ("stop_instance", "StopInstance", ("stopping", "stopped")),
        ("start_instance", "StartInstance", ("pending", "running")),
        ("reboot_instance", "RebootInstance", ("rebooting", "running")),
    ):
        aws(method, {"operations": [operation("web", kind, "Started")]}, {"instanceName": "web"})
        [done] = getattr(backend.lightsail, method)("web")
        assert (done.resource_name, done.operation_type) == ("web", kind)
        aws.instance("web", *passes)
        reaches(backend, "web", passes[-1])
    aws("get_operations_for_resource", {"operations": [
        operation("web", kind) for kind in ("RebootInstance", "StartInstance", "StopInstance", "CreateInstance")]},
        {"resourceName": "web"})
    history = backend.lightsail.get_operations_for_resource("web")
    assert [o.operation_type for o in history] == ["RebootInstance", "StartInstance", "StopInstance", "CreateInstance"]
    assert {o.resource_name for o in history} == {"web"}


def test_a_second_instance_of_the_same_name_is_refused(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    create(backend, aws)
    aws.refuses("create_instances", "InvalidInputException", "Some names are already in use: web")
    with pytest.raises(InvalidParameter) as caught:
        backend.lightsail.create_instances(["web"], ZONE, BLUEPRINT, "nano_3_0")
    assert caught.value.code == "InvalidInputException" and "web" in caught.value.message


# -- public ports ----------------------------------------------------------------------------------
def open_ports(backend: Backend, aws: AwsAnswers, *ports: int) -> set[tuple[int, int, str]]:
    """The instance's open ports, as (from, to, protocol); on aws, AWS answers ``ports``."""
    aws("get_instance_port_states", {"portStates": [lightsail_port_state(p) for p in ports]}, {"instanceName": "web"})
    return {(p.from_port, p.to_port, p.protocol) for p in backend.lightsail.get_instance_port_states("web")
            if p.state == "open"}


def test_a_new_instance_has_22_and_80_open_and_its_ports_open_close_and_put(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    running(backend, aws)
    assert open_ports(backend, aws, 22, 80) == {(22, 22, "tcp"), (80, 80, "tcp")}

    aws("open_instance_public_ports", {"operation": operation("web", "OpenInstancePublicPorts",
                                                              operationDetails="8080/tcp")},
        {"instanceName": "web", "portInfo": {"fromPort": 8080, "toPort": 8080, "protocol": "tcp"}})
    opened = backend.lightsail.open_instance_public_ports("web", m.PortInfo(from_port=8080, to_port=8080))
    assert (opened.resource_name, opened.operation_type) == ("web", "OpenInstancePublicPorts")
    assert open_ports(backend, aws, 22, 80, 8080) == {(22, 22, "tcp"), (80, 80, "tcp"), (8080, 8080, "tcp")}

    aws("close_instance_public_ports", {"operation": operation("web", "CloseInstancePublicPorts",
                                                               operationDetails="22/tcp")},
        {"instanceName": "web", "portInfo": {"fromPort": 22, "toPort": 22, "protocol": "tcp"}})
    closed = backend.lightsail.close_instance_public_ports("web", {"fromPort": 22, "toPort": 22, "protocol": "tcp"})
    assert closed.operation_type == "CloseInstancePublicPorts"
    assert open_ports(backend, aws, 80, 8080) == {(80, 80, "tcp"), (8080, 8080, "tcp")}

    aws("put_instance_public_ports", {"operation": operation("web", "PutInstancePublicPorts")},
        {"instanceName": "web", "portInfos": [{"fromPort": 443, "toPort": 443, "protocol": "tcp"}]})
    put = backend.lightsail.put_instance_public_ports("web", [m.PortInfo(from_port=443, to_port=443)])
    assert put.operation_type == "PutInstancePublicPorts"
    assert open_ports(backend, aws, 443) == {(443, 443, "tcp")}


# -- static IPs --------------------------------------------------------------------------------------
def static_ip_operation(kind: str, details: str | None = None) -> dict[str, Any]:
    extra = {"operationDetails": details} if details else {}
    return operation("ip-1", kind, resourceType="StaticIp", location=STATIC_ZONE, **extra)


def test_a_static_ip_is_allocated_attached_detached_and_released(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    running(backend, aws)
    aws("allocate_static_ip", {"operations": [static_ip_operation("AllocateStaticIp")]}, {"staticIpName": "ip-1"})
    [allocated] = backend.lightsail.allocate_static_ip("ip-1")
    assert (allocated.resource_type, allocated.resource_name, allocated.operation_type) == (
        "StaticIp", "ip-1", "AllocateStaticIp")
    aws("get_static_ip", {"staticIp": lightsail_static_ip("ip-1")}, {"staticIpName": "ip-1"})
    free = backend.lightsail.get_static_ip("ip-1")
    assert (free.is_attached, free.attached_to) == (False, None) and free.ip_address

    aws("attach_static_ip", {"operations": [
        static_ip_operation("AttachStaticIp", "web"), operation("web", "AttachStaticIp", operationDetails="ip-1")]},
        {"staticIpName": "ip-1", "instanceName": "web"})
    attached = backend.lightsail.attach_static_ip("ip-1", "web")
    assert {(o.resource_type, o.resource_name, o.operation_type) for o in attached} >= {
        ("StaticIp", "ip-1", "AttachStaticIp")}
    aws("get_static_ips", {"staticIps": [lightsail_static_ip("ip-1", "web")]}, {})
    [listed] = backend.lightsail.get_static_ips()
    assert (listed.name, listed.is_attached, listed.attached_to, listed.ip_address) == (
        "ip-1", True, "web", free.ip_address)
    aws.instance("web", "running", isStaticIp=True, publicIpAddress=lightsail_static_ip("ip-1")["ipAddress"])
    instance = backend.lightsail.get_instance("web")
    assert instance.is_static_ip and instance.public_ip_address == free.ip_address

    aws("detach_static_ip", {"operations": [
        static_ip_operation("DetachStaticIp", "web"), operation("web", "DetachStaticIp", operationDetails="ip-1")]},
        {"staticIpName": "ip-1"})
    detached = backend.lightsail.detach_static_ip("ip-1")
    assert ("StaticIp", "ip-1", "DetachStaticIp") in {(o.resource_type, o.resource_name, o.operation_type)
                                                       for o in detached}
    aws("get_static_ip", {"staticIp": lightsail_static_ip("ip-1")}, {"staticIpName": "ip-1"})
    assert backend.lightsail.get_static_ip("ip-1").is_attached is False
    aws.instance("web", "running")
    assert backend.lightsail.get_instance("web").is_static_ip is False

    aws("release_static_ip", {"operations": [static_ip_operation("ReleaseStaticIp")]}, {"staticIpName": "ip-1"})
    [released] = backend.lightsail.release_static_ip("ip-1")
    assert released.operation_type == "ReleaseStaticIp"
    aws.refuses("get_static_ip", "NotFoundException", "The StaticIp does not exist: ip-1", {"staticIpName": "ip-1"})
    with pytest.raises(NotFound):
        backend.lightsail.get_static_ip("ip-1")
    aws("get_static_ips", {"staticIps": []}, {})
    assert backend.lightsail.get_static_ips() == []


def test_a_detached_static_ip_attaches_to_another_instance(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    running(backend, aws, "web")
    running(backend, aws, "web-2")
    aws("allocate_static_ip", {"operations": [static_ip_operation("AllocateStaticIp")]}, {"staticIpName": "ip-1"})
    backend.lightsail.allocate_static_ip("ip-1")
    for instance in ("web", "web-2"):
        aws("attach_static_ip", {"operations": [static_ip_operation("AttachStaticIp", instance),
                                                operation(instance, "AttachStaticIp", operationDetails="ip-1")]},
            {"staticIpName": "ip-1", "instanceName": instance})
        backend.lightsail.attach_static_ip("ip-1", instance)
        aws("get_static_ip", {"staticIp": lightsail_static_ip("ip-1", instance)}, {"staticIpName": "ip-1"})
        assert backend.lightsail.get_static_ip("ip-1").attached_to == instance
        aws("detach_static_ip", {"operations": [static_ip_operation("DetachStaticIp", instance),
                                                operation(instance, "DetachStaticIp", operationDetails="ip-1")]},
            {"staticIpName": "ip-1"})
        backend.lightsail.detach_static_ip("ip-1")
    aws.instance("web", "running")
    assert backend.lightsail.get_instance("web").is_static_ip is False


# -- snapshots --------------------------------------------------------------------------------------
def snapshot_is(backend: Backend, aws: AwsAnswers, state: str, *before: str) -> m.InstanceSnapshot:
    """The snapshot once it is ``state`` (on aws: AWS says each of ``before`` first)."""
    for passing in (*before, state):
        aws("get_instance_snapshot", {"instanceSnapshot": lightsail_snapshot("snap", "web", passing, "small_3_0")},
            {"instanceSnapshotName": "snap"})
    return until(lambda: (s := backend.lightsail.get_instance_snapshot("snap")).state == state and s, WAIT_S)


def test_a_snapshot_becomes_available_and_makes_instances_no_smaller_than_its_bundle(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    running(backend, aws, "web", "small_3_0")
    aws("create_instance_snapshot", {"operations": [
        operation("snap", "CreateInstanceSnapshot", "Started", resourceType="InstanceSnapshot", location=STATIC_ZONE,
                  operationDetails="web"),
        operation("web", "CreateInstanceSnapshot", "Started", operationDetails="snap")]},
        {"instanceSnapshotName": "snap", "instanceName": "web"})
    made = backend.lightsail.create_instance_snapshot("snap", "web")
    assert ("InstanceSnapshot", "snap", "CreateInstanceSnapshot") in {
        (o.resource_type, o.resource_name, o.operation_type) for o in made}
    snap = snapshot_is(backend, aws, "available", "pending")
    assert (snap.from_instance_name, snap.from_bundle_id, snap.from_blueprint_id is not None) == (
        "web", "small_3_0", True)
    aws("get_instance_snapshots", {"instanceSnapshots": [lightsail_snapshot("snap", "web", bundle_id="small_3_0")]},
        {})
    assert [s.name for s in backend.lightsail.get_instance_snapshots()] == ["snap"]

    aws("create_instances_from_snapshot", {"operations": [operation("big", "CreateInstancesFromSnapshot", "Started")]},
        {"instanceNames": ["big"], "availabilityZone": ZONE, "bundleId": "medium_3_0", "instanceSnapshotName": "snap"})
    [op] = backend.lightsail.create_instances_from_snapshot(["big"], ZONE, "medium_3_0", "snap")
    assert (op.resource_name, op.operation_type) == ("big", "CreateInstancesFromSnapshot")
    aws.instance("big", "pending", "running", bundle_id="medium_3_0")
    big = reaches(backend, "big", "running")
    assert (big.bundle_id, big.hardware.ram_size_in_gb) == ("medium_3_0", 4.0)

    aws.refuses("create_instances_from_snapshot", "InvalidInputException",
                "The bundle nano_3_0 is smaller than the snapshot's bundle small_3_0",
                {"instanceNames": ["small"], "availabilityZone": ZONE, "bundleId": "nano_3_0",
                 "instanceSnapshotName": "snap"})
    with pytest.raises(InvalidParameter) as caught:
        backend.lightsail.create_instances_from_snapshot(["small"], ZONE, "nano_3_0", "snap")
    assert caught.value.code == "InvalidInputException"
    aws.refuses("get_instance", "NotFoundException", "The Instance does not exist: small", {"instanceName": "small"})
    with pytest.raises(NotFound):
        backend.lightsail.get_instance("small")

    aws("delete_instance_snapshot", {"operations": [operation("snap", "DeleteInstanceSnapshot", "Started",
                                                              resourceType="InstanceSnapshot")]},
        {"instanceSnapshotName": "snap"})
    backend.lightsail.delete_instance_snapshot("snap")
    aws.refuses("get_instance_snapshot", "NotFoundException", "The InstanceSnapshot does not exist: snap",
                {"instanceSnapshotName": "snap"})
    gone(lambda: backend.lightsail.get_instance_snapshot("snap"))


# -- metrics ------------------------------------------------------------------------------------------
def test_metric_data_has_aws_shape_oldest_first_within_the_window(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    running(backend, aws)
    end = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=1)
    start = end - dt.timedelta(minutes=15)
    minute = dt.timedelta(minutes=1)
    aws("get_instance_metric_data", {"metricName": "CPUUtilization", "metricData": [
        {"average": 1.5, "timestamp": start + 2 * minute, "unit": "Percent"},
        {"average": 0.5, "timestamp": start + minute, "unit": "Percent"}]},
        {"instanceName": "web", "metricName": "CPUUtilization", "period": 60, "startTime": start, "endTime": end,
         "unit": "Percent", "statistics": ["Average"]})
    points = until(lambda: backend.lightsail.get_instance_metric_data(
        "web", "CPUUtilization", 60, start, end, "Percent", ["Average"]), 90)
    assert [p.timestamp for p in points] == sorted(p.timestamp for p in points)
    assert all(start <= p.timestamp <= end and p.unit == "Percent" and p.average is not None for p in points)
    assert all(0 <= p.average <= 100 for p in points)


# -- container services -----------------------------------------------------------------------------------
HTTP_CONTAINER = {"image": BUSYBOX_IMAGE, "command": ["httpd", "-f", "-p", "80"], "ports": {"80": "HTTP"}}
ENDPOINT = {"containerName": "app", "containerPort": 80}


def service_is(backend: Backend, aws: AwsAnswers, state: str, *before: tuple[str, dict[str, Any]],
               **extra: Any) -> m.ContainerService:
    """The container service once it is ``state`` (on aws: AWS says each of ``before`` first)."""
    for passing, more in (*before, (state, extra)):
        aws("get_container_services", {"containerServices": [lightsail_container_service("web", passing, **more)]},
            {"serviceName": "web"})
    return until(lambda: (s := backend.lightsail.get_container_services("web")[0]).state.value == state and s, 120)


def test_a_container_service_becomes_ready_and_its_deployment_active(lightsail_backend, aws) -> None:  # noqa: ANN001
    backend = lightsail_backend
    aws("get_container_service_powers", {"powers": LIGHTSAIL_POWERS}, {})
    nano = {p.name: p for p in backend.lightsail.get_container_service_powers()}["nano"]
    assert (nano.cpu_count, nano.ram_size_in_gb, nano.price) == (0.25, 0.5, 7.0)

    aws("create_container_service", {"containerService": lightsail_container_service("web")},
        {"serviceName": "web", "power": "nano", "scale": 1})
    made = backend.lightsail.create_container_service("web", "nano", 1)
    assert (made.container_service_name, made.power, made.scale) == ("web", "nano", 1)
    assert made.state in (m.ContainerServiceState.PENDING, m.ContainerServiceState.READY)
    service_is(backend, aws, "READY", ("PENDING", {}))

    containers = {"app": HTTP_CONTAINER}
    activating = lightsail_deployment(1, "ACTIVATING", containers, ENDPOINT)
    aws("create_container_service_deployment",
        {"containerService": lightsail_container_service("web", "DEPLOYING", nextDeployment=activating)},
        {"serviceName": "web", "containers": containers, "publicEndpoint": ENDPOINT})
    deploying = backend.lightsail.create_container_service_deployment("web", containers, ENDPOINT)
    assert deploying.state in (m.ContainerServiceState.DEPLOYING, m.ContainerServiceState.RUNNING)
    active = lightsail_deployment(1, "ACTIVE", containers, ENDPOINT)
    up = service_is(backend, aws, "RUNNING", ("DEPLOYING", {"nextDeployment": activating}), currentDeployment=active)
    assert (up.current_deployment.version, up.current_deployment.state) == (1, m.ContainerServiceDeploymentState.ACTIVE)
    assert up.current_deployment.public_endpoint.container_name == "app" and up.url

    aws("get_container_service_deployments", {"deployments": [active]}, {"serviceName": "web"})
    [deployment] = backend.lightsail.get_container_service_deployments("web")
    assert (deployment.version, deployment.containers["app"].ports) == (1, {"80": "HTTP"})

    aws("delete_container_service", {}, {"serviceName": "web"})
    backend.lightsail.delete_container_service("web")
    aws.refuses("get_container_services", "NotFoundException", "The ContainerService does not exist: web",
                {"serviceName": "web"})
    gone(lambda: backend.lightsail.get_container_services("web"))
