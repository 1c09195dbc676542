"""Lightsail container services on the local backend: nodes that run on the engine behind a public
endpoint on 127.0.0.1, deployments that go ACTIVE or FAILED as Lightsail's do, and the records'
rules."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from computetui.backends.errors import ComputeError, NotFound
from computetui.backends.local import LocalBackend
from computetui.pricing import LIGHTSAIL_POWERS
from tests.local.lightsail.conftest import make_backend, remove_owned_images
from tests.support.images import BUSYBOX_IMAGE
from tests.support.operations import snapshot
from tests.support.waits import remove_owned, until

ENDPOINT = {"containerName": "app", "containerPort": 80}


def page(text: str, **extra: Any) -> dict[str, Any]:
    """A container that serves ``text`` (and the node's host name after it) on port 80."""
    script = f"echo {text} $HOSTNAME > /tmp/index.html; exec httpd -f -p 80 -h /tmp"
    return {"image": BUSYBOX_IMAGE, "command": ["sh", "-c", script], "ports": {"80": "HTTP"}, **extra}


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - 127.0.0.1 only
        return answer.read().decode()


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - 127.0.0.1 only
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:  # nothing listens (yet)
        return 0


def service(backend: LocalBackend, name: str = "web") -> Any:
    return backend.lightsail.get_container_services(name)[0]


def reaches(backend: LocalBackend, state: str, name: str = "web", timeout: float = 60) -> Any:
    return until(lambda: (s := service(backend, name)).state.value == state and s, timeout)


def deployments(backend: LocalBackend, name: str = "web") -> list[tuple[int, str]]:
    return [(d.version, d.state.value) for d in backend.lightsail.get_container_service_deployments(name)]


def nodes(docker_client: Any, owner: str) -> list[Any]:
    """The service's node containers now, each described (one removed meanwhile is left out: a
    retiring node goes while the list is read)."""
    import docker.errors

    found = []
    for container in docker_client.containers.list(all=True, sparse=True, filters={"label": [
            f"computetui.owner={owner}", "computetui.kind=container-service"]}):
        try:
            container.reload()
        except docker.errors.NotFound:
            continue
        found.append(container)
    return found


def log_text(backend: LocalBackend, container: str = "app", name: str = "web") -> str:
    return "\n".join(e.message for e in backend.lightsail.get_container_log(name, container))


def running(backend: LocalBackend, containers: dict[str, Any], scale: int = 1, name: str = "web",
            endpoint: dict[str, Any] | None = ENDPOINT) -> Any:
    """A service of ``scale`` nano nodes, RUNNING ``containers``."""
    backend.lightsail.create_container_service(name, "nano", scale)
    reaches(backend, "READY", name)
    backend.lightsail.create_container_service_deployment(name, containers, endpoint)
    return reaches(backend, "RUNNING", name)


@pytest.fixture
def owned(docker_client, tmp_path: Path):  # noqa: ANN001, ANN201
    """A backend factory on one state dir (a restart opens a second backend on it); what its owner
    left on the engine is removed at the end."""
    made: list[LocalBackend] = []
    owners: set[str] = set()

    def open_backend(**options: Any) -> LocalBackend:
        backend = make_backend(tmp_path / "state", **options)
        made.append(backend)
        owners.add(backend.store.state_id)
        return backend
    yield open_backend
    for backend in made:
        backend.close()
    for owner in owners:
        remove_owned(docker_client, owner)
        remove_owned_images(docker_client, owner)


@pytest.mark.docker
def test_a_deployment_runs_its_nodes_at_the_power_and_the_endpoint_balances_over_them(owned, docker_client) -> None:  # noqa: ANN001
    backend = owned()
    made = backend.lightsail.create_container_service("web", "nano", 2)
    assert made.state.value == "PENDING" and made.url.startswith("http://127.0.0.1:")
    reaches(backend, "READY")
    backend.lightsail.create_container_service_deployment("web", {"app": page("hello")}, ENDPOINT)
    up = reaches(backend, "RUNNING")
    assert up.current_deployment.version == 1 and up.current_deployment.state.value == "ACTIVE"
    assert up.next_deployment is None and up.state_detail is None and up.url == made.url
    answers = {get(up.url) for _ in range(6)}
    assert len(answers) == 2 and all(a.startswith("hello ") for a in answers)  # both nodes, in turn
    containers = nodes(docker_client, backend.store.state_id)
    assert len(containers) == 2
    nano = next(p for p in LIGHTSAIL_POWERS if p.power == "nano")
    for container in containers:
        limits = container.attrs["HostConfig"]
        assert limits["Memory"] == int(nano.ram_gb * 1024) * 1024 * 1024
        assert limits["NanoCpus"] == int(nano.cpu_count * 1_000_000_000)
        assert all(b["HostIp"] == "127.0.0.1" for bs in limits["PortBindings"].values() for b in bs)
    [deployment] = backend.lightsail.get_container_service_deployments("web")
    assert deployment.public_endpoint.health_check.path == "/"  # AWS's defaults filled in
    text = log_text(backend)
    assert "[deployment:1] Creating 1 container(s) on 2 node(s) of power nano" in text
    assert "[deployment:1] Reached a steady state" in text


@pytest.mark.docker
def test_a_new_deployment_takes_over_once_healthy_and_the_old_nodes_go(owned, docker_client) -> None:  # noqa: ANN001
    backend = owned()
    up = running(backend, {"app": page("one")})
    first = {c.id for c in nodes(docker_client, backend.store.state_id)}
    deploying = backend.lightsail.create_container_service_deployment("web", {"app": page("two")}, ENDPOINT)
    assert deploying.state.value == "DEPLOYING" and deploying.next_deployment.version == 2
    assert deploying.state_detail.code == "CREATING_DEPLOYMENT"
    assert get(up.url).startswith("one")  # the current deployment serves meanwhile
    reaches(backend, "RUNNING")
    assert deployments(backend) == [(2, "ACTIVE"), (1, "INACTIVE")]
    until(lambda: get(up.url).startswith("two"))
    until(lambda: not first & {c.id for c in nodes(docker_client, backend.store.state_id)})


@pytest.mark.docker
def test_a_deployment_whose_image_cannot_be_had_fails_and_the_previous_one_keeps_serving(owned) -> None:  # noqa: ANN001
    backend = owned()
    up = running(backend, {"app": page("one")})
    backend.lightsail.create_container_service_deployment(
        "web", {"app": {"image": "computetui-test/no-such-image:1", "ports": {"80": "HTTP"}}}, ENDPOINT)
    until(lambda: deployments(backend)[0] == (2, "FAILED"))
    after = reaches(backend, "RUNNING")
    assert after.current_deployment.version == 1 and after.next_deployment is None
    assert get(up.url).startswith("one")
    assert "computetui-test/no-such-image:1 is not on the Docker engine" in log_text(backend)


@pytest.mark.docker
def test_a_container_that_exits_fails_the_first_deployment_and_the_service_stays_ready(owned, docker_client) -> None:  # noqa: ANN001
    backend = owned()
    backend.lightsail.create_container_service("web", "nano", 1)
    reaches(backend, "READY")
    backend.lightsail.create_container_service_deployment(
        "web", {"app": {"image": BUSYBOX_IMAGE, "command": ["sh", "-c", "echo giving up; exit 3"],
                        "ports": {"80": "HTTP"}}}, ENDPOINT)
    until(lambda: deployments(backend) == [(1, "FAILED")])
    after = reaches(backend, "READY")
    assert after.current_deployment is None and after.next_deployment is None
    text = until(lambda: (t := log_text(backend)) and "giving up" in t and "Deployment failed" in t and t)
    assert "Container app on node 1 exited (code 3)" in text
    until(lambda: not nodes(docker_client, backend.store.state_id))


@pytest.mark.docker
def test_nodes_that_fail_their_health_check_fail_the_deployment_at_the_deadline(owned) -> None:  # noqa: ANN001
    backend = owned(lightsail_deploy_timeout=2)
    backend.lightsail.create_container_service("web", "nano", 1)
    reaches(backend, "READY")
    checked = {**ENDPOINT, "healthCheck": {"path": "/missing", "successCodes": "200"}}
    backend.lightsail.create_container_service_deployment("web", {"app": page("one")}, checked)
    until(lambda: deployments(backend) == [(1, "FAILED")], 30)
    text = log_text(backend)
    assert "did not pass their health checks on /missing within 2 s" in text
    assert "[404]" in text


@pytest.mark.docker
def test_two_containers_of_a_node_reach_each_other_on_localhost(owned) -> None:  # noqa: ANN001
    backend = owned()
    sidecar = {"image": BUSYBOX_IMAGE, "command": [
        "sh", "-c", "mkdir -p /w; echo from the sidecar > /w/index.html; exec httpd -f -p 8080 -h /w"]}
    app = {"image": BUSYBOX_IMAGE, "ports": {"80": "HTTP"}, "command": [
        "sh", "-c", "until wget -qO /tmp/index.html http://127.0.0.1:8080/; do sleep 0.1; done; "
                    "exec httpd -f -p 80 -h /tmp"]}
    up = running(backend, {"app": app, "sidecar": sidecar})
    assert get(up.url) == "from the sidecar\n"


@pytest.mark.docker
def test_scale_and_power_bring_up_a_new_node_set(owned, docker_client) -> None:  # noqa: ANN001
    backend = owned()
    up = running(backend, {"app": page("one")})
    changed = backend.lightsail.update_container_service("web", power="micro", scale=3)
    assert (changed.state.value, changed.power, changed.scale) == ("UPDATING", "micro", 3)
    assert changed.power_id == "micro-1"
    reaches(backend, "RUNNING")
    assert deployments(backend) == [(1, "ACTIVE")]
    micro = next(p for p in LIGHTSAIL_POWERS if p.power == "micro")
    until(lambda: len(nodes(docker_client, backend.store.state_id)) == 3)  # the old node has gone
    assert {c.attrs["HostConfig"]["Memory"] for c in nodes(docker_client, backend.store.state_id)} == {
        int(micro.ram_gb * 1024) * 1024 * 1024}
    assert len({get(up.url) for _ in range(9)}) == 3


@pytest.mark.docker
def test_a_disabled_service_has_no_nodes_until_it_is_enabled_again(owned, docker_client) -> None:  # noqa: ANN001
    backend = owned()
    up = running(backend, {"app": page("one")})
    disabled = backend.lightsail.update_container_service("web", is_disabled=True)
    assert (disabled.state.value, disabled.is_disabled) == ("DISABLED", True)
    until(lambda: not nodes(docker_client, backend.store.state_id))
    assert status(up.url) == 503
    with pytest.raises(ComputeError, match="DISABLED"):
        backend.lightsail.create_container_service_deployment("web", {"app": page("two")}, ENDPOINT)
    backend.lightsail.update_container_service("web", is_disabled=False)
    reaches(backend, "RUNNING")
    until(lambda: status(up.url) == 200)
    assert get(up.url).startswith("one")


@pytest.mark.docker
def test_a_deleted_service_leaves_nothing_behind(owned, docker_client) -> None:  # noqa: ANN001
    backend = owned()
    up = running(backend, {"app": page("one")})
    backend.lightsail.delete_container_service("web")
    assert service(backend).state.value == "DELETING"
    until(lambda: not backend.lightsail.get_container_services())
    with pytest.raises(NotFound, match="The ContainerService does not exist: web"):
        backend.lightsail.get_container_services("web")
    assert not nodes(docker_client, backend.store.state_id)
    with pytest.raises(urllib.error.URLError):
        get(up.url)
    assert not [g for g in backend.logs.describe_log_groups() if g.log_group_name.endswith("/web")]


@pytest.mark.docker
def test_a_node_whose_container_ends_is_started_again(owned, docker_client) -> None:  # noqa: ANN001
    backend = owned()
    up = running(backend, {"app": page("one")})
    [first] = nodes(docker_client, backend.store.state_id)
    first.kill()
    until(lambda: [c for c in nodes(docker_client, backend.store.state_id) if c.id != first.id
                   and c.status == "running"])
    until(lambda: status(up.url) == 200)
    assert "the node was started again" in log_text(backend)


@pytest.mark.docker
def test_nodes_outlive_the_backend_and_a_restart_adopts_them_at_the_same_address(owned, docker_client) -> None:  # noqa: ANN001
    backend = owned()
    up = running(backend, {"app": page("one")})
    owner = backend.store.state_id
    before = {c.id for c in nodes(docker_client, owner)}
    backend.close()
    assert {c.id for c in nodes(docker_client, owner) if c.status == "running"} == before
    again = owned()
    adopted = reaches(again, "RUNNING")
    assert adopted.url == up.url
    until(lambda: status(up.url) == 200)
    assert get(up.url).startswith("one")
    assert {c.id for c in nodes(docker_client, owner)} == before


# -- the records' rules (no engine needed: the leader never runs) ------------------------------------
@pytest.fixture
def records(tmp_path: Path):  # noqa: ANN201
    backend = make_backend(tmp_path / "state", controller=False)
    yield backend
    backend.close()


@pytest.mark.parametrize(("arguments", "says"), [
    ({"service_name": "Web"}, "serviceName"),
    ({"service_name": "-web"}, "serviceName"),
    ({"power": "huge"}, "power"),
    ({"scale": 0}, "scale"),
    ({"scale": 21}, "scale"),
    ({"deployment": {"containers": {"app": page("x")}, "publicEndpoint": {"containerName": "other",
                                                                          "containerPort": 80}}},
     "containerName"),
])
def test_create_container_service_refuses_bad_input_and_makes_nothing(records, arguments, says) -> None:  # noqa: ANN001
    before = snapshot(records)
    with pytest.raises(ComputeError, match=says) as refused:
        records.lightsail.create_container_service(**{"service_name": "web", "power": "nano", "scale": 1,
                                                      **arguments})
    assert refused.value.code == "InvalidInputException"
    assert snapshot(records) == before


def test_a_second_service_of_the_same_name_is_refused(records) -> None:  # noqa: ANN001
    records.lightsail.create_container_service("web", "nano", 1)
    with pytest.raises(ComputeError, match="already exists") as refused:
        records.lightsail.create_container_service("web", "micro", 2)
    assert refused.value.code == "InvalidInputException"
    assert service(records).power == "nano"


@pytest.mark.parametrize(("endpoint", "says"), [
    ({"containerName": "nope", "containerPort": 80}, "publicEndpoint.containerName"),
    ({"containerName": "app", "containerPort": 81}, "publicEndpoint.containerPort"),
    ({"containerName": "app", "containerPort": 80, "healthCheck": {"intervalSeconds": 1}}, "intervalSeconds"),
    ({"containerName": "app", "containerPort": 80, "healthCheck": {"successCodes": "100-199"}}, "successCodes"),
])
def test_a_deployment_with_a_bad_endpoint_is_refused(records, endpoint, says) -> None:  # noqa: ANN001
    records.lightsail.create_container_service("web", "nano", 1)
    with pytest.raises(ComputeError, match=says):
        records.lightsail.create_container_service_deployment("web", {"app": page("x")}, endpoint)
    assert deployments(records) == []


def test_one_deployment_at_a_time(records) -> None:  # noqa: ANN001
    records.lightsail.create_container_service("web", "nano", 1)
    pending = records.lightsail.create_container_service_deployment("web", {"app": page("x")}, ENDPOINT)
    assert pending.state.value == "PENDING" and pending.next_deployment.state.value == "ACTIVATING"
    records.store.update("lightsail:container-service", pending.arn, lambda b: {**b, "state": "DEPLOYING"})
    with pytest.raises(ComputeError, match="while the container service web is DEPLOYING") as refused:
        records.lightsail.create_container_service_deployment("web", {"app": page("y")}, ENDPOINT)
    assert refused.value.code == "InvalidInputException"
    with pytest.raises(ComputeError, match="while it is DEPLOYING"):
        records.lightsail.update_container_service("web", scale=2)
    assert deployments(records) == [(1, "ACTIVATING")]


def test_an_unknown_service_is_not_found_everywhere(records) -> None:  # noqa: ANN001
    lightsail = records.lightsail
    for call in (lambda: lightsail.get_container_services("ghost"),
                 lambda: lightsail.get_container_service_deployments("ghost"),
                 lambda: lightsail.get_container_log("ghost", "app"),
                 lambda: lightsail.update_container_service("ghost", scale=2),
                 lambda: lightsail.create_container_service_deployment("ghost", {"app": page("x")}),
                 lambda: lightsail.delete_container_service("ghost")):
        with pytest.raises(NotFound, match="The ContainerService does not exist: ghost"):
            call()


def test_the_powers_are_lightsails_six_with_their_prices(records) -> None:  # noqa: ANN001
    powers = records.lightsail.get_container_service_powers()
    assert [p.name for p in powers] == ["nano", "micro", "small", "medium", "large", "xlarge"]
    nano = powers[0]
    assert (nano.power_id, nano.cpu_count, nano.ram_size_in_gb, nano.price) == ("nano-1", 0.25, 0.5, 7.0)
    assert len(powers) == len(LIGHTSAIL_POWERS)
