"""Lightsail instances on the real engine: one long-lived container each, the launch script once."""

from __future__ import annotations

from pathlib import Path

import pytest

from computetui.backends.errors import NotFound
from tests.local.lightsail.conftest import containers, create, make_backend, reaches
from tests.support.waits import remove_owned, until

pytestmark = pytest.mark.docker

COUNT_BOOTS = "echo launched; mkdir -p /data; echo boot >> /data/boots"


def exec_in(docker_client, container_id: str, command: str) -> str:  # noqa: ANN001
    return docker_client.containers.get(container_id).exec_run(["sh", "-c", command]).output.decode()


def test_instance_runs_its_launch_script_once_in_one_container_limited_to_its_bundle(
        lightsail_backend, docker_client) -> None:  # noqa: ANN001
    made = create(lightsail_backend, user_data=COUNT_BOOTS)
    assert made.state.name.value == "pending"
    running = reaches(lightsail_backend, "web", "running")
    assert running.private_ip_address
    assert lightsail_backend.lightsail.get_instance_state("web").code == 16
    assert lightsail_backend.lightsail.launch_output("web") == "launched\n"
    [container] = containers(docker_client, lightsail_backend.store.state_id)
    host = container.attrs["HostConfig"]
    assert host["Memory"] == 512 * 1024 * 1024
    assert host["NanoCpus"] > 0
    assert exec_in(docker_client, container.id, "cat /data/boots") == "boot\n"


def test_stop_and_start_keep_the_container_and_its_files_and_do_not_run_the_script_again(
        lightsail_backend, docker_client) -> None:  # noqa: ANN001
    create(lightsail_backend, user_data=COUNT_BOOTS)
    reaches(lightsail_backend, "web", "running")
    [container] = containers(docker_client, lightsail_backend.store.state_id)
    exec_in(docker_client, container.id, "echo kept > /data/mine")
    lightsail_backend.lightsail.stop_instance("web")
    assert lightsail_backend.lightsail.get_instance_state("web").name.value == "stopping"
    reaches(lightsail_backend, "web", "stopped")
    assert docker_client.containers.get(container.id).status == "exited"
    lightsail_backend.lightsail.start_instance("web")
    reaches(lightsail_backend, "web", "running")
    assert [c.id for c in containers(docker_client, lightsail_backend.store.state_id)] == [container.id]
    assert exec_in(docker_client, container.id, "cat /data/mine /data/boots") == "kept\nboot\n"


def test_reboot_goes_through_rebooting_back_to_running(lightsail_backend, docker_client) -> None:  # noqa: ANN001
    create(lightsail_backend, user_data=COUNT_BOOTS)
    reaches(lightsail_backend, "web", "running")
    [container] = containers(docker_client, lightsail_backend.store.state_id)
    lightsail_backend.lightsail.reboot_instance("web")
    assert lightsail_backend.lightsail.get_instance_state("web").name.value == "rebooting"
    reaches(lightsail_backend, "web", "running")
    assert exec_in(docker_client, container.id, "cat /data/boots") == "boot\n"


def test_delete_removes_the_instance_and_its_container(lightsail_backend, docker_client) -> None:  # noqa: ANN001
    create(lightsail_backend)
    reaches(lightsail_backend, "web", "running")
    lightsail_backend.lightsail.delete_instance("web")
    assert containers(docker_client, lightsail_backend.store.state_id) == []
    with pytest.raises(NotFound):
        lightsail_backend.lightsail.get_instance("web")


def test_missing_image_stops_the_instance_saying_which_and_how_to_map_one(
        docker_client, tmp_path: Path) -> None:  # noqa: ANN001
    backend = make_backend(tmp_path / "state", lightsail_images={"nginx": "127.0.0.1:1/no-such-lightsail-image:1"})
    owner = backend.store.state_id
    try:
        create(backend)
        stopped = reaches(backend, "web", "stopped")
        assert "127.0.0.1:1/no-such-lightsail-image:1" in stopped.status_reason
        assert '[lightsail_images] nginx = "my/local:image"' in stopped.status_reason
        assert containers(docker_client, owner) == []
    finally:
        backend.close()
        remove_owned(docker_client, owner)


def test_instances_outlive_the_emulator_and_are_adopted_when_it_starts_again(
        docker_client, tmp_path: Path) -> None:  # noqa: ANN001
    first = make_backend(tmp_path / "state")
    owner = first.store.state_id
    try:
        create(first, "up", user_data=COUNT_BOOTS)
        create(first, "down")
        create(first, "gone")
        for name in ("up", "down", "gone"):
            reaches(first, name, "running")
        first.lightsail.stop_instance("down")
        reaches(first, "down", "stopped")
        first.close()
        by_name = {c.labels["computetui.lightsail.instance"]: c for c in containers(docker_client, owner)}
        assert by_name["up"].status == "running"
        by_name["gone"].remove(force=True)

        second = make_backend(tmp_path / "state")
        try:
            assert second.lightsail.get_instance("up").state.name.value == "running"
            assert second.lightsail.get_instance("down").state.name.value == "stopped"
            gone = until(lambda: (i := second.lightsail.get_instance("gone")).status_reason and i)
            assert gone.state.name.value == "stopped" and "gone from the Docker engine" in gone.status_reason
            second.lightsail.start_instance("down")
            reaches(second, "down", "running")
            assert second.lightsail.launch_output("up") == "launched\n"
        finally:
            second.close()
    finally:
        first.close()
        remove_owned(docker_client, owner)
