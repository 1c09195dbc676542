"""An answered invocation's record and log survive the emulator being killed right after the answer."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from computetui.backends.local.state import StateStore

ROOT = Path(__file__).resolve().parents[3]

INVOKER = r"""
import sys
from computetui.backends.local import LocalBackend
from computetui.blueprints import zip_files
from tests.support.fakes import StaticEngine
backend = LocalBackend(sys.argv[1], lambda_sandbox="process", engine=StaticEngine(), controller=False)
backend.lambda_.create_function(function_name="fn", runtime="python3.12", handler="lambda_function.handler",
    code={"ZipFile": zip_files({"lambda_function.py": "def handler(e, c):\n    print('hello')\n    return 1\n"})})
for _ in range(int(sys.argv[2])):
    print(backend.lambda_.invoke("fn").request_id, flush=True)
sys.stdin.readline()  # killed here, before anything else runs
"""


def test_every_answered_invocation_is_on_disk_when_the_emulator_is_killed_at_once(tmp_path: Path) -> None:
    state = tmp_path / "state"
    invoker = subprocess.Popen([sys.executable, "-c", INVOKER, str(state), "5"], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert invoker.stdout is not None
        answered = [invoker.stdout.readline().strip() for _ in range(5)]
        invoker.send_signal(signal.SIGKILL)  # right after the last answer
        invoker.wait(10)
    finally:
        if invoker.poll() is None:
            invoker.kill()
            invoker.wait(10)
    store = StateStore.open_dir(state)
    try:
        with store.reading() as db:
            recorded = {row[0] for row in db.execute("SELECT request_id FROM lambda_invocations")}
            logged = [row[0] for row in db.execute("SELECT message FROM log_events ORDER BY id")]
    finally:
        store.close()
    assert set(answered) <= recorded
    for request_id in answered:
        assert any(m.startswith(f"REPORT RequestId: {request_id}") for m in logged)
