"""No runtime process outlives the emulator: not after close, not after SIGTERM, not after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from computetui.backends.local.lambda_.runtime import LambdaRuntime
from tests.local.lambda_.test_failure_modes import pid_alive
from tests.support.waits import remove_owned_by_state

ROOT = Path(__file__).resolve().parents[3]


def test_closing_the_backend_stops_every_environment(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    return 1\n")
    lam.lambda_.invoke("fn")
    pids = [e["pid"] for e in lam.part(LambdaRuntime).environments()]
    assert pids and all(pid_alive(p) for p in pids)
    lam.close()
    assert not any(pid_alive(p) for p in pids)


HOLDER = r"""
import json, signal, sys, time
from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.blueprints import zip_files
from tests.support.fakes import StaticEngine
backend = LocalBackend(sys.argv[1], lambda_sandbox="process", engine=StaticEngine())
signal.signal(signal.SIGTERM, lambda *_: (backend.close(), sys.exit(0)))
backend.lambda_.create_function(function_name="fn", runtime="python3.12", handler="lambda_function.handler",
    code={"ZipFile": zip_files({"lambda_function.py": "def handler(e, c):\n    return 1\n"})})
backend.lambda_.invoke("fn")
print(json.dumps([e["pid"] for e in backend.part(LambdaRuntime).environments()]), flush=True)
time.sleep(60)
"""


def start_holder(tmp_path: Path) -> tuple[subprocess.Popen[str], list[int]]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "state")], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    pids = json.loads(process.stdout.readline())
    assert pids and all(pid_alive(p) for p in pids)
    return process, pids


def wait_dead(pids: list[int], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(pid_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def test_a_process_killed_outright_takes_its_environments_with_it(tmp_path: Path) -> None:
    process, pids = start_holder(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    assert wait_dead(pids)


def test_sigterm_closes_the_environments(tmp_path: Path) -> None:
    process, pids = start_holder(tmp_path)
    process.send_signal(signal.SIGTERM)
    assert process.wait(20) == 0
    assert wait_dead(pids)


CONSOLE = r"""
import json, sys, threading, time
from computetui.app import ComputeApp
from computetui.settings import Settings
from computetui.backends.local.lambda_.runtime import LambdaRuntime
app = ComputeApp(Settings(state_dir=sys.argv[1], lambda_sandbox="process", refresh=0))
def warm():
    while app.backend is None:
        time.sleep(0.05)
    app.backend.lambda_.invoke("hello-world")  # the sample workload, seeded on the first run
    print(json.dumps([e["pid"] for e in app.backend.part(LambdaRuntime).environments()]), flush=True)
threading.Thread(target=warm, daemon=True).start()
app.run(headless=True)
sys.exit(app.return_code or 0)
"""


def test_the_console_closes_its_environments_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTETUI_")}
    env["COMPUTETUI_CONFIG"] = str(tmp_path / "none.toml")
    process = subprocess.Popen(
        [sys.executable, "-c", CONSOLE, str(tmp_path / "state")], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    try:
        pids = json.loads(process.stdout.readline())
        assert pids and all(pid_alive(p) for p in pids)
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        assert wait_dead(pids)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        remove_owned_by_state(tmp_path / "state")
