"""Without a Docker engine: the emulator says why, and everything else still works.

These tests never need an engine: they point ``DOCKER_HOST`` at a socket that
does not exist (or at one nobody listens on), so they run everywhere.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from computetui.backends.docker.engine import Engine, diagnose
from computetui.backends.errors import Unavailable
from computetui.backends.local import LocalBackend
from computetui.models.common import EngineState

MISSING_PATH = "/nonexistent/docker.sock"
MISSING_HOST = f"unix://{MISSING_PATH}"
TASK_ARN = "arn:aws:ecs:us-east-1:000000000000:task/demo/abc"


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> str:
    """``DOCKER_HOST`` names a socket that is not there. Construct engines after this."""
    monkeypatch.setenv("DOCKER_HOST", MISSING_HOST)
    return MISSING_HOST


@pytest.fixture
def lonely_backend(no_engine: str) -> Iterator[LocalBackend]:
    backend = LocalBackend(":memory:", controller=False)
    yield backend
    backend.close()


def test_engine_reports_the_missing_socket(no_engine: str) -> None:
    engine = Engine()
    assert engine.host == MISSING_HOST
    status = engine.status()
    assert status.state is EngineState.SOCKET_MISSING
    assert not status.reachable
    assert MISSING_PATH in status.reason
    assert status.summary == "socket missing"


def test_backend_info_names_the_missing_socket(lonely_backend: LocalBackend) -> None:
    engine = lonely_backend.info().engine
    assert engine is not None
    assert engine.state is EngineState.SOCKET_MISSING
    assert MISSING_PATH in engine.reason


def test_container_operations_raise_unavailable_with_the_reason(lonely_backend: LocalBackend) -> None:
    with pytest.raises(Unavailable) as listed:
        lonely_backend.engine.containers()
    assert MISSING_PATH in listed.value.reason
    assert listed.value.code == "ServiceUnavailable"

    with pytest.raises(Unavailable) as ran:
        lonely_backend.engine.run("computetui-test/busybox:latest", kind="task", arn=TASK_ARN, command=["true"])
    assert MISSING_PATH in ran.value.reason
    assert "no Docker socket" in ran.value.reason


def test_reconcile_is_deferred_without_an_engine(lonely_backend: LocalBackend) -> None:
    calls: list[object] = []
    lonely_backend.register_reconciler("task", calls.append)
    assert lonely_backend.reconcile() == {}
    assert calls == []  # records are left alone until the engine can be asked


def test_record_only_operations_still_work(lonely_backend: LocalBackend) -> None:
    ecs = lonely_backend.ecs
    assert ecs is not None
    cluster = ecs.create_cluster(cluster_name="x")
    assert cluster.cluster_name == "x"
    assert cluster.cluster_arn.endswith(":cluster/x")
    assert [c.cluster_name for c in ecs.describe_clusters(clusters=["x"])] == ["x"]
    assert ecs.list_clusters() == [cluster.cluster_arn]


# -- diagnose ------------------------------------------------------------------


def test_diagnose_permission_denied() -> None:
    status = diagnose(PermissionError(13, "Permission denied"), "unix:///var/run/docker.sock")
    assert status.state is EngineState.PERMISSION_DENIED
    assert "/var/run/docker.sock" in status.reason
    assert "docker group" in status.reason


def test_diagnose_connection_refused() -> None:
    status = diagnose(ConnectionRefusedError(111, "Connection refused"), "unix:///var/run/docker.sock")
    assert status.state is EngineState.STOPPED
    assert "/var/run/docker.sock" in status.reason


def test_diagnose_finds_the_cause_under_a_wrapper() -> None:
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as inner:
            raise RuntimeError("Error while fetching server API version") from inner
    except RuntimeError as outer:
        status = diagnose(outer, "unix:///run/docker.sock")
    assert status.state is EngineState.STOPPED


def test_diagnose_missing_socket() -> None:
    status = diagnose(FileNotFoundError(2, "No such file or directory"), MISSING_HOST)
    assert status.state is EngineState.SOCKET_MISSING
    assert MISSING_PATH in status.reason


@pytest.fixture
def dead_socket(tmp_path: Path) -> Iterator[str]:
    """A unix socket file that exists but where nothing listens."""
    folder = tmp_path
    if len(str(folder / "d.sock")) > 100:  # sun_path holds 108 bytes
        folder = Path(tempfile.mkdtemp(prefix="ctui-"))
    path = folder / "d.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()
    assert path.exists()
    yield str(path)
    path.unlink(missing_ok=True)
    if folder != tmp_path:
        folder.rmdir()


def test_a_socket_nobody_listens_on_is_stopped(dead_socket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    engine = Engine(f"unix://{dead_socket}", timeout=5)
    status = engine.status()
    assert status.state is EngineState.STOPPED
    assert dead_socket in status.reason
    with pytest.raises(Unavailable) as raised:
        engine.containers()
    assert dead_socket in raised.value.reason
    engine.close()


# -- the console ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_header_says_the_socket_is_missing(
    no_engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.worker import WorkerCancelled

    from computetui.app import ComputeApp
    from computetui.settings import Settings
    from computetui.ui.widgets.header import ConsoleHeader

    for name in list(os.environ):
        if name.startswith("COMPUTETUI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    app = ComputeApp(Settings(state_dir=tmp_path / "state", refresh=0))
    async with app.run_test(size=(120, 36)) as pilot:
        text = ""
        # The backend opens in one thread worker, then the overview refreshes in another
        # (an exclusive one: a newer refresh cancels an older, and waiting on it says so).
        for _ in range(50):
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass
            await pilot.pause()
            header = app.screen.query_one(ConsoleHeader)
            text = str(header.render())
            engine = app.overview.info.engine if app.overview.info is not None else None
            if engine is not None and "socket missing" in text:
                break
            await pilot.pause(0.1)
        assert app.backend is not None
        assert engine is not None, f"the overview never got the engine status; header: {text!r}"
        assert engine.state is EngineState.SOCKET_MISSING
        assert MISSING_PATH in engine.reason
        assert "socket missing" in text
        assert "Docker" in text


def test_an_engine_lost_mid_call_is_unavailable_but_a_slow_answer_is_only_a_timeout() -> None:
    import requests.exceptions
    import urllib3.exceptions

    from computetui.backends.docker.engine import Engine
    from computetui.backends.errors import ComputeError
    from computetui.models.common import EngineState, EngineStatus

    engine = Engine("unix:///var/run/docker.sock", owner="t")
    engine._status = EngineStatus(state=EngineState.READY, host=engine.host)
    slow = requests.exceptions.ConnectionError(urllib3.exceptions.ReadTimeoutError(None, "/wait", "Read timed out."))
    with pytest.raises(ComputeError) as timed_out:
        with engine._translating("wait abc"):
            raise slow
    assert timed_out.value.code == "Timeout"
    assert engine._status.state is EngineState.READY

    with pytest.raises(Unavailable) as lost:
        with engine._translating("list containers"):
            raise requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    assert engine._status.state is EngineState.STOPPED
    assert "stopped" in lost.value.reason


def test_a_batch_job_waits_runnable_without_an_engine(lonely_backend: LocalBackend) -> None:
    batch = lonely_backend.batch
    batch.create_compute_environment("ce", compute_resources={"type": "FARGATE", "maxvCpus": 4})
    batch.create_job_queue("q", 1, [{"order": 1, "computeEnvironment": "ce"}])
    batch.register_job_definition("jd", platform_capabilities=["FARGATE"], container_properties={
        "image": "busybox", "resourceRequirements": [{"type": "VCPU", "value": "0.25"},
                                                     {"type": "MEMORY", "value": "512"}]})
    job = batch.submit_job("j", "q", "jd")
    assert batch.scheduler.schedule() == []  # no engine, no capacity: nothing is placed
    [waiting] = batch.describe_jobs([job.job_id])
    assert waiting.status.value == "RUNNABLE" and waiting.attempts == []
