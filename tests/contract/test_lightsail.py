"""The contract, on every backend: Lightsail's catalogue, instances and what hangs off them (public
ports, static IPs, snapshots, metric data, the operations history) and container services.

local: the emulator on the real engine, every blueprint run by the busybox test image (nothing is
pulled). aws: moto has no Lightsail, so botocore's Stubber answers each call in AWS's shape
(tests/support/aws_stubs.py): ``aws(...)`` queues AWS's answer just before the call it answers and
does nothing on local, so each scenario reads once for both. The answers follow the AWS CLI's
examples (two operations for an attach, a detach and a snapshot; one ``operation`` for a port).
"""

from __future__ import annotations

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
from tests.support.aws import reset_moto
from tests.support.aws_stubs import (
    REGION,
    is_aws,
    lightsail_catalogue_answers,
    lightsail_instance,
    lightsail_operation,
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
                               lightsail_images=IMAGES)
        owner = backend.store.state_id
        try:
            yield backend
        finally:
            backend.close()
            remove_owned(docker_client, owner)
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
