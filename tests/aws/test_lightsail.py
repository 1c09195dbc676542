"""The aws backend's Lightsail adapter. moto has no Lightsail, so every call here is answered by
botocore's Stubber: it checks each request against Lightsail's real service model and against
the parameters the test expects, and each answer against the model too. Nothing is sent."""

from __future__ import annotations

import pytest

from computetui.backends import open_backend
from computetui.backends.aws.lightsail import AwsLightsail
from computetui.backends.errors import ComputeError, InvalidParameter, NotFound, Unavailable
from computetui.models import lightsail as m
from tests.support.aws import CallCounter
from tests.support.aws_stubs import (
    LIGHTSAIL_BLUEPRINTS,
    LIGHTSAIL_BUNDLES,
    assert_read_only,
    closed_port,
    lightsail_instance,
    lightsail_operation,
    stubbed,
)


@pytest.fixture
def stub(aws_backend, calls: CallCounter):  # noqa: ANN001, ANN201
    with stubbed(aws_backend, "lightsail") as stubber:
        yield stubber
    assert calls.sent == []  # the Stubber answered everything: no request left the process


def snapshot(name: str, instance: str, state: str = "available") -> dict:
    return {
        "name": name,
        "arn": f"arn:aws:lightsail:us-east-1:123456789012:InstanceSnapshot/{name}",
        "resourceType": "InstanceSnapshot",
        "state": state,
        "fromInstanceName": instance,
        "fromBlueprintId": "amazon_linux_2023",
        "fromBundleId": "nano_3_0",
        "sizeInGb": 20,
    }


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
        "get_instance_snapshots", {"instanceSnapshots": [snapshot("a", "web-1")], "nextPageToken": "n"}, {}
    )
    stub.add_response("get_instance_snapshots", {"instanceSnapshots": [snapshot("b", "web-2")]}, {"pageToken": "n"})
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
