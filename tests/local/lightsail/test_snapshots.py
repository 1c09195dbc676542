"""Instance snapshots on the real engine: the filesystem kept as an image, instances made from it."""

from __future__ import annotations

import pytest

from computetui.backends.errors import ComputeError, NotFound
from tests.local.lightsail.conftest import create, reaches
from tests.support.waits import until

pytestmark = pytest.mark.docker


def exec_in(backend, name: str, command: str) -> str:  # noqa: ANN001
    import docker

    container_id = backend.store.find("lightsail:instance", name)["_run"]["containerId"]
    return docker.from_env().containers.get(container_id).exec_run(["sh", "-c", command]).output.decode()


def test_a_snapshot_keeps_the_disk_and_a_bigger_bundle_makes_an_instance_of_it(lightsail_backend) -> None:  # noqa: ANN001
    ls = lightsail_backend.lightsail
    ls.create_instances(["web"], "us-east-1a", "debian_12", "micro_3_0", user_data="echo first > /first")
    reaches(lightsail_backend, "web", "running")
    exec_in(lightsail_backend, "web", "echo mine > /data.txt")
    made = ls.create_instance_snapshot("web-snap", "web")
    assert [(o.operation_type, o.resource_type) for o in made] == [
        ("CreateInstanceSnapshot", "InstanceSnapshot"), ("CreateInstanceSnapshot", "Instance")]
    assert ls.get_instance_snapshot("web-snap").state in ("pending", "available")
    snapshot = until(lambda: (s := ls.get_instance_snapshot("web-snap")).state == "available" and s, 30)
    assert (snapshot.from_instance_name, snapshot.from_bundle_id, snapshot.from_blueprint_id, snapshot.size_in_gb) \
        == ("web", "micro_3_0", "debian_12", 40)
    assert reaches(lightsail_backend, "web", "running")  # a snapshot leaves the instance running

    with pytest.raises(ComputeError, match="smaller than the 40 GB") as refused:
        ls.create_instances_from_snapshot(["copy"], "us-east-1a", "nano_3_0", "web-snap")
    assert (refused.value.code, refused.value.field) == ("InvalidInputException", "bundleId")
    [operation] = ls.create_instances_from_snapshot(["copy"], "us-east-1a", "small_3_0", "web-snap",
                                                    user_data="echo second")
    assert operation.operation_type == "CreateInstancesFromSnapshot"
    copy = reaches(lightsail_backend, "copy", "running")
    assert (copy.bundle_id, copy.blueprint_id, copy.hardware.ram_size_in_gb) == ("small_3_0", "debian_12", 2.0)
    assert exec_in(lightsail_backend, "copy", "cat /data.txt /first") == "mine\nfirst\n"
    assert ls.launch_output("copy") == "second\n"  # its own launch script ran, once

    ls.delete_instance_snapshot("web-snap")
    with pytest.raises(NotFound):
        ls.get_instance_snapshot("web-snap")
    ls.stop_instance("copy")
    reaches(lightsail_backend, "copy", "stopped")
    ls.start_instance("copy")  # its container keeps the image it uses
    reaches(lightsail_backend, "copy", "running")


def test_a_snapshot_of_a_pending_instance_or_a_name_in_use_is_refused(lightsail_backend) -> None:  # noqa: ANN001
    ls = lightsail_backend.lightsail
    create(lightsail_backend)
    with pytest.raises(ComputeError, match="can't snapshot an instance that is pending"):
        ls.create_instance_snapshot("s", "web")
    reaches(lightsail_backend, "web", "running")
    ls.create_instance_snapshot("s", "web")
    with pytest.raises(ComputeError, match="already in use: s") as refused:
        ls.create_instance_snapshot("s", "web")
    assert refused.value.code == "InvalidInputException"
    with pytest.raises(NotFound):
        ls.create_instance_snapshot("t", "nope")
    with pytest.raises(ComputeError, match="is pending|already in use"):
        ls.create_instances_from_snapshot(["web"], "us-east-1a", "nano_3_0", "s")
