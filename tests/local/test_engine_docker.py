"""The engine wrapper and the reconcile hook against a real Docker engine.

Every test gets its own owner (a random string, or a fresh state dir's id), so
tests never see each other's containers nor anyone else's on the same engine,
and a finalizer removes whatever a test made, even when it fails.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from computetui.backends.docker.engine import (
    LABEL_ARN,
    LABEL_KIND,
    LABEL_MANAGED,
    LABEL_OWNER,
    Engine,
    ManagedContainer,
)
from computetui.backends.errors import ComputeError, NotFound
from computetui.backends.local import LocalBackend
from computetui.models.common import EngineState
from tests.support.images import BUSYBOX_IMAGE

pytestmark = pytest.mark.docker

TASK_ARN = "arn:aws:ecs:us-east-1:000000000000:task/demo/abc"


def _remove_owned(docker_client, owner: str) -> None:  # noqa: ANN001 - a docker.DockerClient
    """Remove every container labelled with ``owner``, straight through the SDK."""
    import docker.errors

    for container in docker_client.containers.list(all=True, filters={"label": f"{LABEL_OWNER}={owner}"}):
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass


@pytest.fixture
def engine(docker_client, request: pytest.FixtureRequest) -> Iterator[Engine]:  # noqa: ANN001
    owner = f"test-{uuid.uuid4().hex}"
    eng = Engine(owner=owner)

    def cleanup() -> None:
        try:
            _remove_owned(docker_client, owner)
        finally:
            eng.close()

    request.addfinalizer(cleanup)
    yield eng


def _open_backend(docker_client, request: pytest.FixtureRequest, state_dir: str | Path) -> LocalBackend:  # noqa: ANN001
    backend = LocalBackend(state_dir, controller=False)
    owner = backend.store.state_id

    def cleanup() -> None:
        try:
            _remove_owned(docker_client, owner)
        finally:
            backend.close()

    request.addfinalizer(cleanup)
    return backend


@pytest.fixture
def memory_backend(docker_client, request: pytest.FixtureRequest) -> LocalBackend:  # noqa: ANN001
    """An in-memory backend on the real engine, no controller thread yet."""
    return _open_backend(docker_client, request, ":memory:")


@pytest.fixture
def dir_backend(docker_client, request: pytest.FixtureRequest, tmp_path: Path) -> LocalBackend:  # noqa: ANN001
    """A backend with a state dir (so its controller takes the lock there), not started yet."""
    return _open_backend(docker_client, request, tmp_path / "state")


class Recorder:
    """A reconciler that remembers every call, from whichever thread makes it."""

    def __init__(self) -> None:
        self.calls: list[list[ManagedContainer]] = []
        self.called = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, containers: list[ManagedContainer]) -> None:
        with self._lock:
            self.calls.append(list(containers))
        self.called.set()


# -- the engine wrapper --------------------------------------------------------


def test_status_is_ready_with_a_version(engine: Engine) -> None:
    status = engine.status()
    assert status.state is EngineState.READY
    assert status.reachable
    assert status.version
    major_minor = ".".join(status.version.split("+")[0].split(".")[:2])
    assert status.summary == f"ready {major_minor}"  # the header keeps it short


def test_run_labels_lists_and_removes_a_container(engine: Engine) -> None:
    made = engine.run(BUSYBOX_IMAGE, kind="task", arn=TASK_ARN, command=["sh", "-c", "sleep 30"])

    assert made.running, made
    assert made.kind == "task"
    assert made.arn == TASK_ARN
    assert made.image == BUSYBOX_IMAGE
    assert made.exit_code is None
    assert made.labels[LABEL_MANAGED] == "1"
    assert made.labels[LABEL_KIND] == "task"
    assert made.labels[LABEL_ARN] == TASK_ARN
    assert made.labels[LABEL_OWNER] == engine.owner

    assert [c.id for c in engine.containers()] == [made.id]
    assert [c.id for c in engine.containers(kind="task")] == [made.id]
    assert [c.id for c in engine.containers(arn=TASK_ARN)] == [made.id]
    assert [c.id for c in engine.containers(kind="task", arn=TASK_ARN)] == [made.id]
    assert engine.containers(kind="job") == []
    assert engine.containers(arn=TASK_ARN + "-other") == []
    seen = engine.container(made.id)
    assert seen is not None and seen.running and seen.arn == TASK_ARN

    engine.remove(made.id)
    assert engine.containers() == []
    assert engine.container(made.id) is None
    engine.remove(made.id)  # already gone: not an error


def test_owners_do_not_see_each_other(engine: Engine, docker_client) -> None:  # noqa: ANN001
    made = engine.run(BUSYBOX_IMAGE, kind="task", arn=TASK_ARN, command=["sh", "-c", "sleep 30"])
    stranger = Engine(owner=f"test-{uuid.uuid4().hex}")
    try:
        assert stranger.containers() == []
        assert stranger.containers(arn=TASK_ARN) == []
        assert [c.id for c in engine.containers(arn=TASK_ARN)] == [made.id]
    finally:
        _remove_owned(docker_client, stranger.owner)
        stranger.close()


def test_an_exited_container_reports_its_exit_code(engine: Engine) -> None:
    made = engine.run(
        BUSYBOX_IMAGE, kind="job", arn="arn:aws:batch:us-east-1:000000000000:job/j-1", command=["sh", "-c", "exit 3"]
    )

    assert engine.wait(made.id, timeout=30) == 3

    (seen,) = engine.containers(kind="job")
    assert seen.id == made.id
    assert seen.status == "exited"
    assert not seen.running
    assert seen.exit_code == 3
    again = engine.container(made.id)
    assert again is not None and again.status == "exited" and again.exit_code == 3


def test_a_missing_image_raises_image_not_found_and_leaves_no_container(engine: Engine) -> None:
    # The engine tries a pull first; that fails, and the caller must learn that the
    # image is missing, not that the engine broke. The registry named is a closed
    # port on loopback, so the pull attempt never leaves this machine.
    missing = f"127.0.0.1:1/computetui-missing-{uuid.uuid4().hex[:12]}:latest"
    with pytest.raises(NotFound) as raised:
        engine.run(missing, kind="task", arn=TASK_ARN, command=["true"])
    assert raised.value.code == "ImageNotFound"
    assert missing in raised.value.message
    assert engine.containers() == []
    assert engine.status().reachable


def test_a_wait_that_times_out_leaves_the_engine_ready(engine: Engine) -> None:
    made = engine.run(BUSYBOX_IMAGE, kind="task", arn=TASK_ARN, command=["sh", "-c", "sleep 30"])
    with pytest.raises(ComputeError) as raised:
        engine.wait(made.id, timeout=1)
    assert raised.value.code == "Timeout"
    assert engine.status().state is EngineState.READY
    assert engine.container(made.id) is not None


def test_an_auto_removed_container_still_reports_its_exit_code_after_it_is_gone(engine: Engine) -> None:
    watches = []
    made = engine.run(
        BUSYBOX_IMAGE,
        kind="lambda",
        arn="arn:aws:lambda:us-east-1:000000000000:function:fn",
        command=["sh", "-c", "exit 3"],
        auto_remove=True,
        before_start=lambda container_id: watches.append(engine.watch_exit(container_id)),
    )
    assert engine.wait_removed(made.id, timeout=30)  # gone before anyone asks how it ended
    assert engine.container(made.id) is None
    [exit_code] = watches
    assert exit_code() == 3


def test_wait_removed_is_bounded_and_sees_a_removal(engine: Engine) -> None:
    made = engine.run(BUSYBOX_IMAGE, kind="task", arn=TASK_ARN, command=["sh", "-c", "sleep 30"])
    started = time.monotonic()
    assert not engine.wait_removed(made.id, timeout=0.5)
    assert time.monotonic() - started < 5
    assert engine.status().state is EngineState.READY
    engine.remove(made.id)
    assert engine.wait_removed(made.id, timeout=5)


# -- the reconcile hook --------------------------------------------------------


def test_reconcile_hands_each_kind_its_containers(memory_backend: LocalBackend) -> None:
    backend = memory_backend
    assert backend.engine.owner == backend.store.state_id
    made = backend.engine.run(BUSYBOX_IMAGE, kind="task", arn=TASK_ARN, command=["sh", "-c", "sleep 30"])
    tasks, jobs = Recorder(), Recorder()
    backend.register_reconciler("task", tasks)
    backend.register_reconciler("job", jobs)

    counts = backend.reconcile()

    assert counts == {"task": 1}
    assert len(tasks.calls) == 1
    (received,) = tasks.calls[0]
    assert received.id == made.id
    assert received.kind == "task"
    assert received.arn == TASK_ARN
    assert received.running
    assert jobs.calls == [[]]  # a registered kind with no containers is told so


def test_the_controller_reconciles_once_when_it_starts(dir_backend: LocalBackend) -> None:
    backend = dir_backend
    made = backend.engine.run(BUSYBOX_IMAGE, kind="task", arn=TASK_ARN, command=["sh", "-c", "sleep 30"])
    tasks = Recorder()
    backend.register_reconciler("task", tasks)

    assert backend.controller.start() is True
    assert tasks.called.wait(10), "the startup reconcile did not run within 10 s"
    time.sleep(0.3)  # a second call would show up here

    assert len(tasks.calls) == 1
    assert [c.id for c in tasks.calls[0]] == [made.id]
    assert tasks.calls[0][0].arn == TASK_ARN
    assert backend.info().engine.reachable
