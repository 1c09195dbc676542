"""What a handler starts in the process sandbox ends with its environment, even when the emulator is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.reaper import LEDGER_DIR, alive, start_time
from tests.support.fakes import StaticEngine

ROOT = Path(__file__).resolve().parents[3]

SPAWNS = (
    "import os, subprocess\n"
    "def handler(event, context):\n"
    "    plain = subprocess.Popen(['sleep', '1000'])\n"
    "    own = subprocess.Popen(['sleep', '1001'], start_new_session=True)\n"  # setsid: a session of its own
    "    if event.get('exit'):\n"
    "        print('bye', flush=True)\n"
    "        os._exit(3)\n"
    "    return [plain.pid, own.pid]\n"
)


def processes(pids: list[int]) -> list[tuple[int, int]]:
    return [(pid, start_time(pid) or -1) for pid in pids]


def gone(started: list[tuple[int, int]], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(alive(p) for p in started):
            return True
        time.sleep(0.05)
    return not any(alive(p) for p in started)


def sleepers(marker: str) -> list[int]:
    """This test's sleep processes, found by their command line."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if cmdline.read().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def test_closing_ends_what_the_handler_started_in_its_session_and_in_one_of_its_own(lam, python_function) -> None:  # noqa: ANN001
    python_function(SPAWNS)
    started = processes(json.loads(lam.lambda_.invoke("fn").payload))
    assert all(alive(p) for p in started)
    lam.close()
    assert gone(started)


def test_a_runtime_that_exits_by_itself_leaves_nothing_behind(lam, python_function) -> None:  # noqa: ANN001
    python_function(SPAWNS)
    before = set(sleepers("1000")) | set(sleepers("1001"))
    result = lam.lambda_.invoke("fn", json.dumps({"exit": True}))
    assert json.loads(result.payload)["errorType"] == "Runtime.ExitError"
    left = processes(sorted((set(sleepers("1000")) | set(sleepers("1001"))) - before))
    assert gone(left)


KILLED = r"""
import json, sys, time
from computetui.backends.local import LocalBackend
from computetui.blueprints import zip_files
from tests.support.fakes import StaticEngine
backend = LocalBackend(sys.argv[1], lambda_sandbox="process", engine=StaticEngine(), controller=False)
backend.lambda_.create_function(function_name="fn", runtime="python3.12", handler="lambda_function.handler",
    code={"ZipFile": zip_files({"lambda_function.py": sys.argv[2]})}, timeout=30)
print(backend.lambda_.invoke("fn").payload.decode(), flush=True)
time.sleep(60)
"""


def test_what_a_killed_emulators_sandboxes_left_is_ended_by_the_next_one(tmp_path: Path) -> None:
    state = tmp_path / "state"
    emulator = subprocess.Popen([sys.executable, "-c", KILLED, str(state), SPAWNS], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
    try:
        assert emulator.stdout is not None
        started = processes(json.loads(emulator.stdout.readline()))
        assert all(alive(p) for p in started)
        assert list((state / LEDGER_DIR).glob("*.json"))
        emulator.send_signal(signal.SIGKILL)  # nothing of it runs: its runtime dies, the sleeps do not
        emulator.wait(10)
        time.sleep(0.2)
        assert all(alive(p) for p in started)
        successor = LocalBackend(state, lambda_sandbox="process", engine=StaticEngine(), controller=False)
        try:
            assert gone(started)
            assert not list((state / LEDGER_DIR).glob("*.json"))
        finally:
            successor.close()
    finally:
        if emulator.poll() is None:
            emulator.kill()
            emulator.wait(10)
        for pid in sleepers("1000") + sleepers("1001"):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_the_leader_removes_environment_containers_of_an_emulator_that_is_gone(
        tmp_path: Path, monkeypatch: object) -> None:
    import computetui.backends.local.lambda_ as lambda_package
    from tests.support.fakes import FakeEngine

    monkeypatch.setattr(lambda_package, "ORPHAN_CHECK_SECONDS", 0.05)  # type: ignore[attr-defined]
    engine = FakeEngine()
    backend = LocalBackend(tmp_path, lambda_sandbox="container", engine=engine, controller=True)
    try:
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait(10)
        # A busy environment of an emulator killed while this one ran, and one of this emulator.
        orphan = engine.run("public.ecr.aws/lambda/python:3.12", kind="lambda", arn="arn:fn",
                            extra_labels={"computetui.pid": str(dead.pid)})
        own = engine.run("public.ecr.aws/lambda/python:3.12", kind="lambda", arn="arn:fn",
                         extra_labels={"computetui.pid": str(os.getpid())})
        deadline = time.monotonic() + 5
        while engine.container(orphan.id) is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert engine.container(orphan.id) is None and engine.container(own.id) is not None
    finally:
        backend.close()
