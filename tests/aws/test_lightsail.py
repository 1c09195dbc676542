"""The aws backend's Lightsail adapter. moto has no Lightsail, so every call here is answered by
botocore's Stubber: it checks each request against Lightsail's real service model and against
the parameters the test expects, and each answer against the model too. Nothing is sent."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from computetui.backends import open_backend
from computetui.backends.aws.lightsail import AwsLightsail
from computetui.backends.errors import ComputeError, InvalidParameter, NotFound, Unavailable, Unsupported
from computetui.models import lightsail as m
from tests.support.aws import CallCounter
from tests.support.aws_stubs import (
    LIGHTSAIL_BLUEPRINTS,
    LIGHTSAIL_BUNDLES,
    LIGHTSAIL_POWERS,
    assert_read_only,
    closed_port,
    lightsail_container_service,
    lightsail_deployment,
    lightsail_instance,
    lightsail_operation,
    lightsail_port_state,
    lightsail_snapshot,
    lightsail_static_ip,
    stubbed,
)


@pytest.fixture
def stub(aws_backend, calls: CallCounter):  # noqa: ANN001, ANN201
    with stubbed(aws_backend, "lightsail") as stubber:
        yield stubber
    assert calls.sent == []  # the Stubber answered everything: no request left the process


def test_the_adapter_is_the_lightsail_facet(aws_backend) -> None:  # noqa: ANN001
    assert isinstance(aws_backend.lightsail, AwsLightsail)


def test_the_catalogue_reads_every_page(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    stub.add_response("get_bundles", {"bundles": LIGHTSAIL_BUNDLES[:3], "nextPageToken": "p2"}, {})
    stub.add_response("get_bundles", {"bundles": LIGHTSAIL_BUNDLES[3:]}, {"pageToken": "p2"})
    stub.add_response("get_blueprints", {"blueprints": LIGHTSAIL_BLUEPRINTS}, {})
    bundles = {b.bundle_id: b for b in aws_backend.lightsail.get_bundles()}
    assert list(bundles) == [b["bundleId"] for b in LIGHTSAIL_BUNDLES]
    nano = bundles["nano_3_0"]
    assert (nano.price, nano.cpu_count, nano.ram_size_in_gb, nano.disk_size_in_gb, nano.transfer_per_month_in_gb) == (
        5.0,
        2,
        0.5,
        20,
        1024,
    )
    assert bundles["nano_win_3_0"].supported_platforms == ["WINDOWS"]
    blueprints = {b.blueprint_id: b for b in aws_backend.lightsail.get_blueprints()}
    assert blueprints["wordpress"].type == "app" and blueprints["amazon_linux_2023"].type == "os"
    assert blueprints["windows_server_2022"].platform == "WINDOWS"
    assert (calls.of("lightsail", "GetBundles"), calls.of("lightsail", "GetBlueprints")) == (2, 1)


def test_instances_read_every_page_and_one_by_name(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    stub.add_response("get_instances", {"instances": [lightsail_instance("web-1")], "nextPageToken": "n"}, {})
    stub.add_response("get_instances", {"instances": [lightsail_instance("web-2", "stopped")]}, {"pageToken": "n"})
    stub.add_response("get_instance", {"instance": lightsail_instance("web-1")}, {"instanceName": "web-1"})
    stub.add_client_error(
        "get_instance",
        service_error_code="NotFoundException",
        service_message="The Instance does not exist: nope",
        http_status_code=400,
        expected_params={"instanceName": "nope"},
    )
    instances = aws_backend.lightsail.get_instances()
    assert [(i.name, i.state.name) for i in instances] == [
        ("web-1", m.InstanceStateName.RUNNING),
        ("web-2", m.InstanceStateName.STOPPED),
    ]
    one = aws_backend.lightsail.get_instance("web-1")
    assert (one.bundle_id, one.location.availability_zone, one.hardware.ram_size_in_gb) == (
        "nano_3_0",
        "us-east-1a",
        0.5,
    )
    assert one.public_ip_address == "3.80.1.10" and one.created_at is not None
    with pytest.raises(NotFound) as caught:
        aws_backend.lightsail.get_instance("nope")
    assert caught.value.code == "NotFoundException"
    assert (calls.of("lightsail", "GetInstances"), calls.of("lightsail", "GetInstance")) == (2, 2)


def test_create_instances_sends_aws_names_and_answers_aws_operations(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    names = ["web-1", "web-2"]
    stub.add_response(
        "create_instances",
        {"operations": [lightsail_operation(n, "CreateInstance") for n in names]},
        {
            "instanceNames": names,
            "availabilityZone": "us-east-1a",
            "blueprintId": "amazon_linux_2023",
            "bundleId": "nano_3_0",
            "keyPairName": "mine",
            "userData": "#!/bin/sh\necho hi",
            "tags": [{"key": "team", "value": "web"}],
        },
    )
    made = aws_backend.lightsail.create_instances(
        names,
        "us-east-1a",
        "amazon_linux_2023",
        "nano_3_0",
        key_pair_name="mine",
        user_data="#!/bin/sh\necho hi",
        tags=[{"key": "team", "value": "web"}],
    )
    assert [(o.resource_name, o.operation_type) for o in made] == [
        ("web-1", "CreateInstance"),
        ("web-2", "CreateInstance"),
    ]
    assert calls.total() == 1


def test_state_changes_send_the_instance_name(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    for method, kind in (
        ("stop_instance", "StopInstance"),
        ("start_instance", "StartInstance"),
        ("reboot_instance", "RebootInstance"),
        ("delete_instance", "DeleteInstance"),
    ):
        stub.add_response(method, {"operations": [lightsail_operation("web-1", kind)]}, {"instanceName": "web-1"})
    lightsail = aws_backend.lightsail
    assert [o.operation_type for o in lightsail.stop_instance("web-1")] == ["StopInstance"]
    lightsail.start_instance("web-1")
    lightsail.reboot_instance("web-1")
    lightsail.delete_instance("web-1")
    assert calls.total() == 4


def test_an_operation_aws_reports_failed_is_an_error_with_its_code(aws_backend, stub) -> None:  # noqa: ANN001
    failed = lightsail_operation(
        "web-1", "StartInstance", status="Failed", errorCode="InstanceStateError", errorDetails="instance is stopping"
    )
    stub.add_response("start_instance", {"operations": [failed]}, {"instanceName": "web-1"})
    with pytest.raises(ComputeError) as caught:
        aws_backend.lightsail.start_instance("web-1")
    assert (caught.value.code, caught.value.message) == ("InstanceStateError", "instance is stopping")


def test_invalid_input_is_an_invalid_parameter_with_lightsails_code(aws_backend, stub) -> None:  # noqa: ANN001
    stub.add_client_error(
        "create_instances",
        service_error_code="InvalidInputException",
        service_message="The bundle ID is not valid: huge_3_0",
        http_status_code=400,
    )
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.lightsail.create_instances(["web-1"], "us-east-1a", "debian_12", "huge_3_0")
    assert caught.value.code == "InvalidInputException"


def test_snapshots(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    stub.add_response(
        "create_instance_snapshot",
        {"operations": [lightsail_operation("web-1-snap", "CreateInstanceSnapshot")]},
        {"instanceSnapshotName": "web-1-snap", "instanceName": "web-1"},
    )
    stub.add_response(
        "get_instance_snapshots", {"instanceSnapshots": [lightsail_snapshot("a", "web-1")], "nextPageToken": "n"}, {}
    )
    stub.add_response("get_instance_snapshots", {"instanceSnapshots": [lightsail_snapshot("b", "web-2")]}, {"pageToken": "n"})
    stub.add_response(
        "delete_instance_snapshot",
        {"operations": [lightsail_operation("a", "DeleteInstanceSnapshot")]},
        {"instanceSnapshotName": "a"},
    )
    [made] = aws_backend.lightsail.create_instance_snapshot("web-1-snap", "web-1")
    assert (made.resource_name, made.operation_type) == ("web-1-snap", "CreateInstanceSnapshot")
    assert [(s.name, s.from_instance_name) for s in aws_backend.lightsail.get_instance_snapshots()] == [
        ("a", "web-1"),
        ("b", "web-2"),
    ]
    aws_backend.lightsail.delete_instance_snapshot("a")
    assert calls.of("lightsail", "GetInstanceSnapshots") == 2 and calls.total() == 4


def test_snapshot_by_name_and_instances_from_it_on_a_bigger_bundle(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    stub.add_response(
        "create_instance_snapshot",
        {"operations": [
            lightsail_operation("snap", "CreateInstanceSnapshot", resourceType="InstanceSnapshot",
                                operationDetails="web-1"),
            lightsail_operation("web-1", "CreateInstanceSnapshot", operationDetails="snap"),
        ]},
        {"instanceSnapshotName": "snap", "instanceName": "web-1", "tags": [{"key": "keep", "value": "yes"}]},
    )
    stub.add_response("get_instance_snapshot", {"instanceSnapshot": lightsail_snapshot("snap", "web-1")},
                      {"instanceSnapshotName": "snap"})
    stub.add_response(
        "create_instances_from_snapshot",
        {"operations": [lightsail_operation("web-2", "CreateInstancesFromSnapshot")]},
        {"instanceNames": ["web-2"], "availabilityZone": "us-east-1a", "bundleId": "small_3_0",
         "instanceSnapshotName": "snap", "userData": "echo again", "keyPairName": "mine"},
    )
    lightsail = aws_backend.lightsail
    made = lightsail.create_instance_snapshot("snap", "web-1", tags=[{"key": "keep", "value": "yes"}])
    assert [(o.resource_type, o.resource_name, o.operation_details) for o in made] == [
        ("InstanceSnapshot", "snap", "web-1"), ("Instance", "web-1", "snap")]
    snap = lightsail.get_instance_snapshot("snap")
    assert (snap.state, snap.from_bundle_id, snap.size_in_gb, snap.location.availability_zone) == (
        "available", "nano_3_0", 20, "all")
    [op] = lightsail.create_instances_from_snapshot(
        ["web-2"], "us-east-1a", "small_3_0", "snap", user_data="echo again", key_pair_name="mine")
    assert (op.resource_name, op.operation_type, op.is_terminal) == ("web-2", "CreateInstancesFromSnapshot", False)
    assert calls.total() == 3


def test_a_bundle_smaller_than_the_snapshots_is_refused_as_invalid_input(aws_backend, stub) -> None:  # noqa: ANN001
    stub.add_client_error(
        "create_instances_from_snapshot",
        service_error_code="InvalidInputException",
        service_message="The bundle nano_3_0 is smaller than the snapshot's bundle small_3_0",
        http_status_code=400,
    )
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.lightsail.create_instances_from_snapshot(["web-2"], "us-east-1a", "nano_3_0", "snap")
    assert caught.value.code == "InvalidInputException"


def test_instance_state_and_operation_history_every_page(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    stub.add_response("get_instance_state", {"state": {"code": 16, "name": "running"}}, {"instanceName": "web-1"})
    newest = lightsail_operation("web-1", "RebootInstance", status="Succeeded")
    older = lightsail_operation("web-1", "CreateInstance", status="Succeeded")
    stub.add_response("get_operations_for_resource",
                      {"operations": [newest], "nextPageCount": "1", "nextPageToken": "t2"}, {"resourceName": "web-1"})
    stub.add_response("get_operations_for_resource", {"operations": [older]},
                      {"resourceName": "web-1", "pageToken": "t2"})
    state = aws_backend.lightsail.get_instance_state("web-1")
    assert (state.code, state.name) == (16, m.InstanceStateName.RUNNING)
    history = aws_backend.lightsail.get_operations_for_resource("web-1")
    assert [(o.operation_type, o.status) for o in history] == [
        ("RebootInstance", m.OperationStatus.SUCCEEDED), ("CreateInstance", m.OperationStatus.SUCCEEDED)]
    assert calls.of("lightsail", "GetOperationsForResource") == 2


def test_public_ports_send_aws_port_infos_and_answer_one_operation(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    stub.add_response("get_instance_port_states",
                      {"portStates": [lightsail_port_state(22), lightsail_port_state(80)]}, {"instanceName": "web-1"})
    stub.add_response(
        "open_instance_public_ports",
        {"operation": lightsail_operation("web-1", "OpenInstancePublicPorts", "Succeeded",
                                          operationDetails="8080/tcp")},
        {"instanceName": "web-1", "portInfo": {"fromPort": 8080, "toPort": 8080, "protocol": "tcp"}},
    )
    stub.add_response(
        "close_instance_public_ports",
        {"operation": lightsail_operation("web-1", "CloseInstancePublicPorts", "Succeeded", operationDetails="22/tcp")},
        {"instanceName": "web-1", "portInfo": {"fromPort": 22, "toPort": 22, "protocol": "tcp"}},
    )
    stub.add_response(
        "put_instance_public_ports",
        {"operation": lightsail_operation("web-1", "PutInstancePublicPorts", "Succeeded")},
        {"instanceName": "web-1", "portInfos": [
            {"fromPort": 443, "toPort": 443, "protocol": "tcp", "cidrs": ["203.0.113.0/24"]},
            {"fromPort": 8000, "toPort": 8100, "protocol": "udp"}]},
    )
    lightsail = aws_backend.lightsail
    states = lightsail.get_instance_port_states("web-1")
    assert [(p.from_port, p.protocol, p.state, p.cidrs, p.ipv6_cidrs) for p in states] == [
        (22, "tcp", "open", ["0.0.0.0/0"], ["::/0"]), (80, "tcp", "open", ["0.0.0.0/0"], ["::/0"])]
    opened = lightsail.open_instance_public_ports("web-1", m.PortInfo(from_port=8080, to_port=8080))
    assert (opened.operation_type, opened.operation_details) == ("OpenInstancePublicPorts", "8080/tcp")
    lightsail.close_instance_public_ports("web-1", {"fromPort": 22, "toPort": 22, "protocol": "tcp"})
    put = lightsail.put_instance_public_ports("web-1", [
        m.PortInfo(from_port=443, to_port=443, cidrs=["203.0.113.0/24"]),
        m.PortInfo(from_port=8000, to_port=8100, protocol="udp")])
    assert put.operation_type == "PutInstancePublicPorts"
    assert lightsail.local_port("web-1", 80) is None
    assert calls.total() == 4


def test_a_port_change_aws_reports_failed_is_an_error(aws_backend, stub) -> None:  # noqa: ANN001
    failed = lightsail_operation("web-1", "OpenInstancePublicPorts", "Failed", errorCode="InvalidInput",
                                 errorDetails="the port range overlaps one already open")
    stub.add_response("open_instance_public_ports", {"operation": failed})
    with pytest.raises(ComputeError) as caught:
        aws_backend.lightsail.open_instance_public_ports("web-1", {"fromPort": 80, "toPort": 80, "protocol": "tcp"})
    assert (caught.value.code, caught.value.message) == ("InvalidInput", "the port range overlaps one already open")


def test_static_ips_every_page_and_their_changes(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    def static_op(kind: str, details: str | None = None) -> dict:
        extra = {"operationDetails": details} if details else {}
        return lightsail_operation("ip-1", kind, "Succeeded", resourceType="StaticIp",
                                   location={"availabilityZone": "all", "regionName": "us-east-1"}, **extra)

    stub.add_response("allocate_static_ip", {"operations": [static_op("AllocateStaticIp")]}, {"staticIpName": "ip-1"})
    stub.add_response("attach_static_ip", {"operations": [
        static_op("AttachStaticIp", "web-1"),
        lightsail_operation("web-1", "AttachStaticIp", "Succeeded", operationDetails="ip-1")]},
        {"staticIpName": "ip-1", "instanceName": "web-1"})
    stub.add_response("get_static_ips", {"staticIps": [lightsail_static_ip("ip-1", "web-1")], "nextPageToken": "p"},
                      {})
    stub.add_response("get_static_ips", {"staticIps": [lightsail_static_ip("ip-2", ip="3.80.200.2")]},
                      {"pageToken": "p"})
    stub.add_response("detach_static_ip", {"operations": [
        static_op("DetachStaticIp", "web-1"),
        lightsail_operation("web-1", "DetachStaticIp", "Succeeded", operationDetails="ip-1")]},
        {"staticIpName": "ip-1"})
    stub.add_response("get_static_ip", {"staticIp": lightsail_static_ip("ip-1")}, {"staticIpName": "ip-1"})
    stub.add_response("release_static_ip", {"operations": [static_op("ReleaseStaticIp")]}, {"staticIpName": "ip-1"})
    stub.add_client_error("get_static_ip", service_error_code="NotFoundException",
                          service_message="The StaticIp does not exist: ip-1", http_status_code=400,
                          expected_params={"staticIpName": "ip-1"})
    lightsail = aws_backend.lightsail
    [allocated] = lightsail.allocate_static_ip("ip-1")
    assert (allocated.resource_type, allocated.operation_type) == ("StaticIp", "AllocateStaticIp")
    attached = lightsail.attach_static_ip("ip-1", "web-1")
    assert [(o.resource_type, o.resource_name) for o in attached] == [("StaticIp", "ip-1"), ("Instance", "web-1")]
    assert [(s.name, s.is_attached, s.attached_to, s.ip_address) for s in lightsail.get_static_ips()] == [
        ("ip-1", True, "web-1", "3.80.200.1"), ("ip-2", False, None, "3.80.200.2")]
    assert len(lightsail.detach_static_ip("ip-1")) == 2
    assert lightsail.get_static_ip("ip-1").is_attached is False
    lightsail.release_static_ip("ip-1")
    with pytest.raises(NotFound):
        lightsail.get_static_ip("ip-1")
    assert calls.of("lightsail", "GetStaticIps") == 2 and calls.total() == 8


def test_metric_data_sends_aws_names_and_comes_back_oldest_first(aws_backend, stub) -> None:  # noqa: ANN001
    start, end = dt.datetime(2024, 6, 1, 10, tzinfo=dt.UTC), dt.datetime(2024, 6, 1, 13, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    stub.add_response(
        "get_instance_metric_data",
        {"metricName": "CPUUtilization", "metricData": [  # AWS answers them in no order
            {"average": 0.31, "maximum": 2.5, "timestamp": start + 2 * hour, "unit": "Percent"},
            {"average": 0.26, "maximum": 1.0, "timestamp": start, "unit": "Percent"},
            {"average": 0.28, "maximum": 1.5, "timestamp": start + hour, "unit": "Percent"},
        ]},
        {"instanceName": "web-1", "metricName": "CPUUtilization", "period": 3600, "startTime": start,
         "endTime": end, "unit": "Percent", "statistics": ["Average", "Maximum"]},
    )
    points = aws_backend.lightsail.get_instance_metric_data(
        "web-1", "CPUUtilization", 3600, start, end, "Percent", ["Average", "Maximum"])
    assert [(p.timestamp, p.average, p.maximum, p.unit) for p in points] == [
        (start, 0.26, 1.0, "Percent"), (start + hour, 0.28, 1.5, "Percent"), (start + 2 * hour, 0.31, 2.5, "Percent")]


def test_shell_is_ssh_with_the_temporary_key_in_a_private_place(aws_backend, stub) -> None:  # noqa: ANN001
    stub.add_response(
        "get_instance_access_details",
        {"accessDetails": {
            "certKey": "ssh-rsa-cert-v01@openssh.com AAAAcert",
            "expiresAt": dt.datetime(2024, 6, 1, 13, 0, tzinfo=dt.UTC),
            "ipAddress": "3.80.1.10",
            "privateKey": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
            "protocol": "ssh",
            "instanceName": "web-1",
            "username": "ec2-user",
            "hostKeys": [{"algorithm": "ssh-ed25519", "publicKey": "AAAAC3Nza",
                          "witnessedAt": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
                          "fingerprintSHA1": "SHA1:x", "fingerprintSHA256": "SHA256:y"}],
        }},
        {"instanceName": "web-1", "protocol": "ssh"},
    )
    argv = aws_backend.lightsail.shell_argv("web-1")
    assert argv[:2] == ["ssh", "-i"] and argv[3:] == ["-o", "StrictHostKeyChecking=accept-new", "ec2-user@3.80.1.10"]
    key = Path(argv[2])
    cert = key.with_name(f"{key.name}-cert.pub")
    assert key.read_text().startswith("-----BEGIN RSA PRIVATE KEY-----") and cert.read_text().startswith("ssh-rsa-cert")
    assert [stat.S_IMODE(p.stat().st_mode) for p in (key.parent, key, cert)] == [0o700, 0o600, 0o600]
    aws_backend.lightsail.close()
    assert not key.parent.exists()


def test_shell_on_an_ipv6_only_instance_uses_its_ipv6_address_and_one_without_a_key_says_so(aws_backend, stub) -> None:  # noqa: ANN001
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"
    stub.add_response("get_instance_access_details", {"accessDetails": {
        "ipv6Addresses": ["2600:1f18::10"], "privateKey": key, "protocol": "ssh", "instanceName": "v6",
        "username": "admin"}}, {"instanceName": "v6", "protocol": "ssh"})
    stub.add_response("get_instance_access_details", {"accessDetails": {
        "protocol": "ssh", "instanceName": "off", "username": "admin"}}, {"instanceName": "off", "protocol": "ssh"})
    argv = aws_backend.lightsail.shell_argv("v6")
    assert argv[-1] == "admin@2600:1f18::10" and not Path(argv[2]).with_name("v6-cert.pub").exists()
    with pytest.raises(ComputeError) as caught:
        aws_backend.lightsail.shell_argv("off")
    assert "off" in caught.value.message


def test_a_named_container_service_aws_does_not_list_is_not_found(aws_backend, stub) -> None:  # noqa: ANN001
    stub.add_response("get_container_services", {"containerServices": []}, {"serviceName": "gone"})
    with pytest.raises(NotFound):
        aws_backend.lightsail.get_container_services("gone")


def test_launch_output_is_not_offered_on_aws_and_says_where_to_read_it(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    with pytest.raises(Unsupported) as caught:
        aws_backend.lightsail.launch_output("web-1")
    assert "/var/log/cloud-init-output.log" in caught.value.message and "SSH" in caught.value.message
    assert calls.total() == 0


def test_container_services_send_aws_names_and_read_aws_shapes(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    containers = {"app": {"image": "nginx:latest", "command": [], "environment": {"MODE": "prod"},
                          "ports": {"80": "HTTP"}}}
    endpoint = {"containerName": "app", "containerPort": 80,
                "healthCheck": {"healthyThreshold": 2, "unhealthyThreshold": 2, "timeoutSeconds": 2,
                                "intervalSeconds": 5, "path": "/", "successCodes": "200-499"}}
    active = lightsail_deployment(1, "ACTIVE", containers, endpoint)
    stub.add_response("get_container_service_powers", {"powers": LIGHTSAIL_POWERS}, {})
    stub.add_response("create_container_service", {"containerService": lightsail_container_service("web")},
                      {"serviceName": "web", "power": "nano", "scale": 1, "tags": [{"key": "team", "value": "web"}],
                       "publicDomainNames": {"cert": ["example.com"]}})
    stub.add_response("get_container_services", {"containerServices": [lightsail_container_service("web", "READY")]},
                      {"serviceName": "web"})
    stub.add_response(
        "create_container_service_deployment",
        {"containerService": lightsail_container_service(
            "web", "DEPLOYING", nextDeployment=lightsail_deployment(1, "ACTIVATING", containers, endpoint))},
        {"serviceName": "web", "containers": containers, "publicEndpoint": {"containerName": "app",
                                                                           "containerPort": 80}},
    )
    stub.add_response("get_container_services", {"containerServices": [
        lightsail_container_service("web", "RUNNING", currentDeployment=active),
        lightsail_container_service("api", "READY", power="micro", scale=2)]}, {})
    stub.add_response("get_container_service_deployments", {"deployments": [active]}, {"serviceName": "web"})
    stub.add_response("update_container_service",
                      {"containerService": lightsail_container_service("web", "UPDATING", scale=3)},
                      {"serviceName": "web", "scale": 3, "isDisabled": False})
    stub.add_response("delete_container_service", {}, {"serviceName": "web"})
    stub.add_client_error("get_container_services", service_error_code="NotFoundException",
                          service_message="The ContainerService does not exist: web", http_status_code=400,
                          expected_params={"serviceName": "web"})
    lightsail = aws_backend.lightsail
    powers = {p.name: p for p in lightsail.get_container_service_powers()}
    assert (powers["nano"].power_id, powers["nano"].price, powers["nano"].cpu_count) == ("nano-1", 7.0, 0.25)
    made = lightsail.create_container_service("web", "nano", 1, tags=[{"key": "team", "value": "web"}],
                                              public_domain_names={"cert": ["example.com"]})
    assert (made.state, made.power_id, made.private_domain_name) == (
        m.ContainerServiceState.PENDING, "nano-1", "web.service.local")
    [ready] = lightsail.get_container_services("web")
    assert ready.state == m.ContainerServiceState.READY
    deploying = lightsail.create_container_service_deployment(
        "web", {"app": m.Container(image="nginx:latest", environment={"MODE": "prod"}, ports={"80": "HTTP"})},
        public_endpoint={"containerName": "app", "containerPort": 80})
    assert (deploying.state, deploying.next_deployment.state) == (
        m.ContainerServiceState.DEPLOYING, m.ContainerServiceDeploymentState.ACTIVATING)
    web, api = lightsail.get_container_services()
    assert (web.current_deployment.version, web.current_deployment.public_endpoint.health_check.success_codes) == (
        1, "200-499")
    assert web.current_deployment.containers["app"].ports == {"80": "HTTP"} and (api.power, api.scale) == ("micro", 2)
    [deployment] = lightsail.get_container_service_deployments("web")
    assert deployment.state == m.ContainerServiceDeploymentState.ACTIVE
    assert lightsail.update_container_service("web", scale=3, is_disabled=False).scale == 3
    assert lightsail.delete_container_service("web") is None
    with pytest.raises(NotFound) as caught:
        lightsail.get_container_services("web")
    assert caught.value.code == "NotFoundException"
    assert calls.total() == 9


def test_container_log_reads_every_page_with_aws_names(aws_backend, calls: CallCounter, stub) -> None:  # noqa: ANN001
    start = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    stub.add_response(
        "get_container_log",
        {"logEvents": [{"createdAt": start, "message": "GET / 200"}], "nextPageToken": "n"},
        {"serviceName": "web", "containerName": "app", "startTime": start, "filterPattern": "GET"},
    )
    stub.add_response(
        "get_container_log",
        {"logEvents": [{"createdAt": start + dt.timedelta(seconds=5), "message": "GET /health 200"}]},
        {"serviceName": "web", "containerName": "app", "startTime": start, "filterPattern": "GET", "pageToken": "n"},
    )
    events = aws_backend.lightsail.get_container_log("web", "app", start_time=start, filter_pattern="GET")
    assert [e.message for e in events] == ["GET / 200", "GET /health 200"]
    assert calls.of("lightsail", "GetContainerLog") == 2


def test_read_only_refuses_every_change_and_sends_nothing(moto_server: str, aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_server, read_only=True)
    try:
        operations = assert_read_only(backend, "lightsail", CallCounter(backend))
    finally:
        backend.close()
    assert operations == [
        "allocate_static_ip",
        "attach_static_ip",
        "close_instance_public_ports",
        "create_container_service",
        "create_container_service_deployment",
        "create_instance_snapshot",
        "create_instances",
        "create_instances_from_snapshot",
        "delete_container_service",
        "delete_instance",
        "delete_instance_snapshot",
        "detach_static_ip",
        "open_instance_public_ports",
        "put_instance_public_ports",
        "reboot_instance",
        "release_static_ip",
        "start_instance",
        "stop_instance",
        "update_container_service",
    ]


def test_an_unreachable_endpoint_is_unavailable(aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend(
        "aws", region="us-east-1", endpoint_url=f"http://127.0.0.1:{closed_port()}", max_attempts=1, connect_timeout=1
    )
    try:
        with pytest.raises(Unavailable):
            backend.lightsail.get_bundles()
    finally:
        backend.close()
