"""CreateInstances refuses what Lightsail refuses, with its error codes, and makes nothing then."""

from __future__ import annotations

from pathlib import Path

import pytest

from computetui.backends.errors import ComputeError, NotFound
from tests.local.lightsail.conftest import create, make_backend, reaches
from tests.support.operations import snapshot


@pytest.fixture
def backend(tmp_path: Path):  # noqa: ANN201
    made = make_backend(tmp_path / "state")
    yield made
    made.close()


@pytest.mark.parametrize(("changes", "says"), [
    ({"blueprint_id": "no_such_blueprint"}, "blueprint id no_such_blueprint"),
    ({"bundle_id": "huge_9_9"}, "bundle id huge_9_9"),
    ({"availability_zone": "eu-west-1a"}, "availability zone eu-west-1a"),
    ({"availability_zone": "us-east-1"}, "availability zone us-east-1"),
    ({"instance_names": ["a", "a"]}, "already in use: a"),
    ({"instance_names": ["-starts-with-a-dash"]}, "instanceNames"),
    ({"instance_names": []}, "instanceNames"),
])
def test_create_instances_refuses_bad_input_as_invalid_input_and_makes_nothing(backend, changes, says) -> None:  # noqa: ANN001
    arguments = {"instance_names": ["web"], "availability_zone": "us-east-1a", "blueprint_id": "nginx",
                 "bundle_id": "nano_3_0", **changes}
    before = snapshot(backend)
    with pytest.raises(ComputeError, match=says) as refused:
        backend.lightsail.create_instances(**arguments)
    assert refused.value.code == "InvalidInputException"
    assert snapshot(backend) == before


def test_operations_on_an_unknown_instance_are_not_found(backend) -> None:  # noqa: ANN001
    for operation in ("start_instance", "stop_instance", "reboot_instance", "delete_instance", "get_instance_state"):
        with pytest.raises(NotFound) as refused:
            getattr(backend.lightsail, operation)("nope")
        assert refused.value.code == "NotFoundException"


@pytest.mark.docker
def test_a_name_in_use_is_refused_and_a_running_instance_cannot_be_started(
        docker_client, lightsail_backend) -> None:  # noqa: ANN001
    create(lightsail_backend)
    reaches(lightsail_backend, "web", "running")
    before = snapshot(lightsail_backend)
    with pytest.raises(ComputeError, match="already in use: web") as refused:
        create(lightsail_backend, blueprint_id="debian_12")
    assert refused.value.code == "InvalidInputException"
    assert snapshot(lightsail_backend) == before
    with pytest.raises(ComputeError, match="can't start an instance that is running") as refused:
        lightsail_backend.lightsail.start_instance("web")
    assert refused.value.code == "InvalidInputException"
