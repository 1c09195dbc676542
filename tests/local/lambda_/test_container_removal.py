"""A container environment that ends by itself, against an engine that auto-removes it.

A container that exits on its own (the OOM killer, a crash) is auto-removed
by the engine. Two things can go wrong: the exit code is asked for after the
container is already gone (and lost), and closing the environment hits
"removal already in progress" while the container is still listed. On Docker
both happen only some of the time; the engine in memory here makes them
happen on every run.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from computetui.backends.errors import Conflict
from computetui.backends.local.containers import ContainerRunner
from computetui.backends.local.lambda_ import container as container_module
from computetui.backends.local.lambda_.container import ContainerSandbox
from computetui.backends.local.lambda_.sandbox import EnvironmentSpec
from tests.support.fakes import FakeEngine

IMAGE = "computetui-test/lambda-in-memory:1"


class AutoRemovingEngine(FakeEngine):
    """Containers that exit are deleted ``removal_s`` seconds later, as Docker's auto-remove does;
    until then a remove is refused with a conflict (``removal_s=None``: the removal never ends).
    With ``exit_at_start``, each container exits with that code the moment it starts."""

    def __init__(self, removal_s: float | None, exit_at_start: int | None = None) -> None:
        super().__init__()
        self.removal_s = removal_s
        self.exit_at_start = exit_at_start
        self._removing: dict[str, threading.Event] = {}
        self._watchers: dict[str, list[tuple[threading.Event, list[int]]]] = {}

    def run(self, image: str, **options):  # noqa: ANN003, ANN201
        made = super().run(image, **options)
        if self.exit_at_start is not None:
            self.exit_and_auto_remove(made.id, self.exit_at_start)
        return made

    def watch_exit(self, container_id: str):  # noqa: ANN201
        exited, code = threading.Event(), []
        self._watchers.setdefault(container_id, []).append((exited, code))

        def exit_code() -> int:
            exited.wait(10)
            return code[0] if code else -1

        return exit_code

    def _exited(self, container_id: str, code: int) -> None:
        self.exit(container_id, code)
        for exited, seen in self._watchers.pop(container_id, []):
            seen.append(code)
            exited.set()

    def exit_and_auto_remove(self, container_id: str, code: int) -> None:
        self._exited(container_id, code)
        gone = self._removing[container_id] = threading.Event()

        def finish() -> None:
            FakeEngine.remove(self, container_id)
            gone.set()

        if self.removal_s == 0:
            finish()
        elif self.removal_s is not None:
            timer = threading.Timer(self.removal_s, finish)
            timer.daemon = True
            timer.start()

    def remove(self, container_id: str, force: bool = True) -> None:
        if container_id in self._removing and self.container(container_id) is not None:
            raise Conflict(f"remove {container_id[:12]}: removal of container {container_id} is already in progress")
        running = self.container(container_id)
        if running is not None and running.running:
            self._exited(container_id, 137)  # a forced remove SIGKILLs it
        super().remove(container_id, force)

    def inspect(self, container_id: str):  # noqa: ANN201
        info = super().inspect(container_id)
        if info is not None:
            info["State"]["OOMKilled"] = False  # the engine has not handled an OOM event (yet)
        return info

    def wait_removed(self, container_id: str, timeout: float) -> bool:
        gone = self._removing.get(container_id)
        if gone is not None:
            gone.wait(timeout)
        return super().wait_removed(container_id, timeout)


def sandbox_on(engine: AutoRemovingEngine, tmp_path: Path) -> ContainerSandbox:
    spec = EnvironmentSpec(
        function_name="fn",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:fn",
        version="$LATEST",
        runtime="python3.12",
        handler="lambda_function.handler",
        memory_mb=128,
        timeout_s=3,
        task_root=tmp_path,
        environment={},
        log_group="/aws/lambda/fn",
        log_stream="stream",
        region="us-east-1",
    )
    return ContainerSandbox(spec, lambda line, at: None, ContainerRunner(engine), {"python3.12": IMAGE})


def exited_sandbox(engine: AutoRemovingEngine, tmp_path: Path, code: int) -> ContainerSandbox:
    """A sandbox whose container has just exited and is being auto-removed."""
    sandbox = sandbox_on(engine, tmp_path)
    sandbox.container_id = engine.run(IMAGE, kind="lambda", arn=sandbox.spec.function_arn).id
    engine.exit_and_auto_remove(sandbox.container_id, code)
    sandbox.exit_code = code
    return sandbox


async def close_exited(sandbox: ContainerSandbox) -> None:
    sandbox.exited = asyncio.get_running_loop().create_future()
    sandbox.exited.set_result(sandbox.exit_code)
    await sandbox.close()


@pytest.mark.parametrize("code", [137, 1], ids=["out-of-memory", "crash"])
def test_closing_an_exited_environment_waits_until_its_auto_removed_container_is_gone(
    code: int, tmp_path: Path
) -> None:
    engine = AutoRemovingEngine(removal_s=0.3)
    sandbox = exited_sandbox(engine, tmp_path, code)
    started = time.monotonic()
    asyncio.run(close_exited(sandbox))
    assert engine.containers(kind="lambda") == [], "close returned while the engine still had the container"
    assert time.monotonic() - started < 5


def test_closing_an_environment_whose_container_the_engine_never_removes_is_bounded(
    monkeypatch, tmp_path: Path  # noqa: ANN001
) -> None:
    monkeypatch.setattr(container_module, "REMOVE_TIMEOUT_S", 0.5)
    engine = AutoRemovingEngine(removal_s=None)
    sandbox = exited_sandbox(engine, tmp_path, 137)
    started = time.monotonic()
    asyncio.run(close_exited(sandbox))
    assert time.monotonic() - started < 3


async def start_until_exit(sandbox: ContainerSandbox) -> int:
    await sandbox.start("127.0.0.1:9")
    assert sandbox.exited is not None
    try:
        return await asyncio.wait_for(sandbox.exited, 10)
    finally:
        await sandbox.close()


@pytest.mark.parametrize(
    ("code", "description"), [(137, "signal: killed"), (3, "exit status 3")], ids=["out-of-memory", "crash"]
)
def test_the_exit_of_a_container_auto_removed_at_once_is_not_lost(code: int, description: str, tmp_path: Path) -> None:
    engine = AutoRemovingEngine(removal_s=0, exit_at_start=code)
    sandbox = sandbox_on(engine, tmp_path)
    assert asyncio.run(start_until_exit(sandbox)) == code
    assert sandbox.exit_description() == description
    assert sandbox.killed_for_memory is (code == 137)


def test_an_out_of_memory_kill_the_engine_has_not_flagged_yet_is_out_of_memory(tmp_path: Path) -> None:
    # The container is still there, with OOMKilled false: the engine reported the exit before its OOM event.
    engine = AutoRemovingEngine(removal_s=0.3, exit_at_start=137)
    sandbox = sandbox_on(engine, tmp_path)
    assert asyncio.run(start_until_exit(sandbox)) == 137
    assert sandbox.killed_for_memory
    assert engine.containers(kind="lambda") == []


def test_a_container_the_emulator_kills_itself_is_not_out_of_memory(tmp_path: Path) -> None:
    engine = AutoRemovingEngine(removal_s=0)
    sandbox = sandbox_on(engine, tmp_path)

    async def start_and_close() -> int:
        await sandbox.start("127.0.0.1:9")
        await sandbox.close()
        assert sandbox.exited is not None
        return sandbox.exited.result()

    assert asyncio.run(start_and_close()) == 137
    assert not sandbox.killed_for_memory
    assert engine.containers(kind="lambda") == []
