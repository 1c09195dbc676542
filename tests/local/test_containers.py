"""The shared container runner on its own, against a real engine: what any record's containers get.

Each test has its own owner label, so it sees only the containers it made, and a
finalizer removes them even when the test fails. Only the local busybox image
is used; the one "missing" image points at a closed port on 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from computetui.backends.docker.engine import LABEL_ARN, LABEL_KIND, LABEL_MANAGED, LABEL_OWNER, Engine
from computetui.backends.errors import Unavailable
from computetui.backends.local.containers import (
    HOST,
    ContainerRunner,
    ContainerSpec,
    HealthCheck,
    ImageUnavailable,
    Mount,
    Pool,
    Port,
    share_network,
    vcpus_of_units,
)
from tests.support.images import BUSYBOX_IMAGE
from tests.support.waits import until as wait_until

JOB = "arn:aws:batch:us-east-1:000000000000:job/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
MISSING_IMAGE = "127.0.0.1:1/no-such-image:1"
MIB = 1024 * 1024


@pytest.fixture
def runner(docker_client, request: pytest.FixtureRequest) -> Iterator[ContainerRunner]:  # noqa: ANN001
    owner = f"test-{uuid.uuid4().hex}"
    engine = Engine(owner=owner)

    def cleanup() -> None:
        import docker.errors

        try:
            for container in docker_client.containers.list(all=True, filters={"label": f"{LABEL_OWNER}={owner}"}):
                try:
                    container.remove(force=True)
                except docker.errors.NotFound:
                    pass
        finally:
            engine.close()

    request.addfinalizer(cleanup)
    yield ContainerRunner(engine)


def until(condition: Callable[[], Any], timeout: float = 15) -> Any:
    return wait_until(condition, timeout)


def sh(script: str, **spec: Any) -> ContainerSpec:
    return ContainerSpec(image=BUSYBOX_IMAGE, command=["sh", "-c", script], **spec)


@pytest.mark.docker
def test_a_spec_reaches_the_container_with_its_limits_environment_and_labels(runner: ContainerRunner) -> None:
    container = runner.run("job", JOB, ContainerSpec(
        image=BUSYBOX_IMAGE,
        name=f"computetui-test-{uuid.uuid4().hex[:12]}",
        entrypoint=["sh", "-c"],
        command=["sleep 60"],
        environment={"GREETING": "hi"},
        working_dir="/www",
        vcpus=vcpus_of_units(256),
        memory_mib=64,
        memory_reservation_mib=32,
        labels={"com.example.attempt": "1"},
    ))
    info = runner.engine.inspect(container.id)
    host, config = info["HostConfig"], info["Config"]
    assert host["NanoCpus"] == 250_000_000
    assert host["Memory"] == host["MemorySwap"] == 64 * MIB, "no swap beyond the memory limit"
    assert host["MemoryReservation"] == 32 * MIB
    assert "GREETING=hi" in config["Env"] and config["WorkingDir"] == "/www"
    assert config["Entrypoint"] == ["sh", "-c"] and config["Cmd"] == ["sleep 60"]
    labels = config["Labels"]
    assert labels[LABEL_MANAGED] == "1" and labels[LABEL_KIND] == "job" and labels[LABEL_ARN] == JOB
    assert labels[LABEL_OWNER] == runner.engine.owner and labels["com.example.attempt"] == "1"
    assert runner.of_kind("job") == {JOB: [runner.engine.container(container.id)]}


@pytest.mark.docker
def test_ports_are_published_on_loopback_only_at_a_port_the_engine_picks(runner: ContainerRunner) -> None:
    container = runner.run("job", JOB, sh("echo up > /www/index.html; exec httpd -f -p 8080 -h /www",
                                          ports=(Port(8080),)))
    bindings = runner.engine.inspect(container.id)["HostConfig"]["PortBindings"]
    assert [b["HostIp"] for b in bindings["8080/tcp"]] == ["127.0.0.1"] and list(bindings) == ["8080/tcp"]
    state = runner.state(container.id)
    [published] = state.host_ports(8080)
    assert published.host_ip == "127.0.0.1" and published.host_port > 0
    assert all(p.host_ip == "127.0.0.1" for p in state.published)
    assert state.address.count(".") == 3, "on the bridge it has an address of its own"

    def answer() -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{published.host_port}/", timeout=2) as response:
                return response.read().decode().strip()
        except OSError:
            return None

    assert until(answer) == "up"


@pytest.mark.docker
def test_a_container_can_join_another_containers_network(runner: ContainerRunner) -> None:
    owner = runner.run("job", JOB, sh("echo shared > /www/index.html; exec httpd -f -p 8080 -h /www",
                                      ports=(Port(8080),)))
    guest = runner.run("job", JOB, sh("for i in 1 2 3 4 5 6 7 8 9 10; do "
                                      "wget -qO- http://127.0.0.1:8080/ && exit 0; sleep 0.3; done; exit 1",
                                      network=share_network(owner.id)))
    assert runner.engine.wait(guest.id, timeout=20) == 0, "127.0.0.1 in the guest is the owner's loopback"
    assert runner.state(guest.id).address == "" and runner.state(guest.id).published == ()


@pytest.mark.docker
def test_a_mount_is_bound_in_and_a_container_removed_on_exit_leaves_nothing(runner: ContainerRunner,
                                                                           tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "greeting").write_text("hello\n")
    tmp_path.chmod(0o755)
    reader = runner.run("job", JOB, sh("cat /data/greeting; touch /data/new 2>/dev/null || echo read-only",
                                       mounts=(Mount(str(tmp_path), "/data", read_only=True),)))
    assert runner.engine.wait(reader.id, timeout=20) == 0
    assert runner.engine.logs(reader.id).split() == [b"hello", b"read-only"] and not (tmp_path / "new").exists()
    writer = runner.engine.inspect(runner.run("job", JOB, sh("sleep 60", mounts=(Mount(str(tmp_path), "/data"),))).id)
    assert [(m["Source"], m["Destination"], m["RW"]) for m in writer["Mounts"]] == [(str(tmp_path), "/data", True)]
    brief = runner.run("job", JOB, sh("true", remove_on_exit=True))
    assert until(lambda: runner.state(brief.id) is None), "the engine removed it when it exited"


def test_ports_can_only_be_published_on_the_bridge() -> None:
    with pytest.raises(ValueError, match="bridge"):
        ContainerSpec(image=BUSYBOX_IMAGE, ports=(Port(80),), network=HOST)


@pytest.mark.docker
def test_stop_sends_sigterm_and_reads_the_exit_code(runner: ContainerRunner) -> None:
    container = runner.run("job", JOB, sh("trap 'exit 3' TERM; while :; do sleep 0.1; done"))
    until(lambda: runner.state(container.id).running)
    started = time.monotonic()
    assert runner.stop(container, grace_s=20) == 3
    assert time.monotonic() - started < 10, "it ended on SIGTERM, long before the grace ran out"


@pytest.mark.docker
def test_a_container_that_outlives_sigterm_is_killed_once_the_grace_is_over(runner: ContainerRunner) -> None:
    container = runner.run("job", JOB, sh("trap 'echo got TERM' TERM; echo ready; while :; do sleep 0.1; done"))
    until(lambda: b"ready" in runner.engine.logs(container.id))
    started = time.monotonic()
    assert runner.stop(container, grace_s=1) == 137, "SIGKILL's exit code"
    assert time.monotonic() - started >= 0.9
    assert b"got TERM" in runner.engine.logs(container.id), "SIGTERM came first"


@pytest.mark.docker
def test_an_exited_container_says_its_exit_code_and_stopping_it_does_not_wait(runner: ContainerRunner) -> None:
    container = runner.run("job", JOB, sh("exit 7"))
    state = until(lambda: (s := runner.state(container.id)).exited and s)
    assert state.exit_code == 7 and not state.running
    found = runner.of_record("job", JOB)[0]
    started = time.monotonic()
    assert runner.stop(found, grace_s=30) == 7
    assert time.monotonic() - started < 10
    runner.remove(container.id)
    runner.remove(container.id)  # already gone: not an error
    assert runner.state(container.id) is None and runner.of_record("job", JOB) == []


@pytest.mark.docker
def test_the_health_check_is_the_engines(runner: ContainerRunner) -> None:
    container = runner.run("job", JOB, sh("sleep 60", health_check=HealthCheck(
        command=["CMD-SHELL", "test -f /www/index.html"], interval_s=1, timeout_s=1, retries=1)))
    assert until(lambda: runner.state(container.id).health == "healthy", timeout=20)
    assert runner.state(runner.run("job", JOB, sh("sleep 60")).id).health is None


@pytest.mark.docker
def test_a_missing_image_says_which_image(runner: ContainerRunner) -> None:
    with pytest.raises(ImageUnavailable) as pulled:
        runner.pull(MISSING_IMAGE)
    assert MISSING_IMAGE in pulled.value.message and pulled.value.image == MISSING_IMAGE
    with pytest.raises(ImageUnavailable) as ran:
        runner.run("job", JOB, ContainerSpec(image=MISSING_IMAGE))
    assert MISSING_IMAGE in ran.value.message
    assert runner.of_record("job", JOB) == []


def test_an_unreachable_engine_is_not_a_missing_image(tmp_path) -> None:  # noqa: ANN001
    runner = ContainerRunner(Engine(f"unix://{tmp_path}/no-docker.sock", owner="test"))
    for attempt in (lambda: runner.pull(BUSYBOX_IMAGE), lambda: runner.run("job", JOB, sh("true"))):
        with pytest.raises(Unavailable) as raised:
            attempt()
        assert not isinstance(raised.value, ImageUnavailable) and "no Docker socket" in raised.value.message


@pytest.mark.docker
def test_reconcile_adopts_what_runs_names_the_records_that_lost_theirs_and_removes_the_rest(
        runner: ContainerRunner) -> None:
    kept, lost, gone = (f"{JOB[:-4]}{n:04d}" for n in (1, 2, 3))
    first = runner.run("job", kept, sh("sleep 60"))
    second = runner.run("job", kept, sh("sleep 60"))
    orphan = runner.run("job", gone, sh("sleep 60"))
    result = runner.reconcile([kept, lost], runner.engine.containers(kind="job"))
    assert {c.id for c in result.adopted[kept]} == {first.id, second.id} and list(result.adopted) == [kept]
    assert result.lost == [lost]
    assert [c.id for c in result.removed] == [orphan.id]
    assert runner.state(orphan.id) is None, "a container of no record is removed"
    assert runner.state(first.id).running and runner.state(second.id).running, "adopted ones are left running"


def test_the_pool_works_in_the_background_until_it_is_closed() -> None:
    pool = Pool("computetui-test-pool", workers=2)
    done = threading.Event()
    release = threading.Event()
    names: list[str] = []

    def work(tag: str) -> None:
        names.append(f"{tag} on {threading.current_thread().name}")
        release.wait(5)
        done.set()

    pool.submit(work, "first")
    assert not done.is_set(), "submit does not wait for the work"
    release.set()
    assert done.wait(5) and names[0].startswith("first on computetui-test-pool")
    pool.submit(lambda: (_ for _ in ()).throw(RuntimeError("boom")))  # a failure is logged, not raised
    pool.close()
    after = threading.Event()
    pool.submit(after.set)
    assert not after.wait(0.2), "work handed in after close is dropped"
