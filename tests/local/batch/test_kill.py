"""A SIGKILL of the emulator loses nothing of a job: its state, attempts and logs survive, and
its container, still running, is adopted by the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.local.batch.conftest import log_lines, make_backend, reaches
from tests.support.waits import remove_owned, until

pytestmark = pytest.mark.docker

EMULATOR = textwrap.dedent("""
    import sys, time
    from tests.local.batch.conftest import make_backend, prepare, reaches, run
    backend = make_backend(sys.argv[1])
    prepare(backend)
    job_id = run(backend, "echo before; sleep 3; echo after")
    reaches(backend, job_id, "RUNNING")
    print(job_id, flush=True)
    time.sleep(120)
""")


def test_a_sigkilled_emulator_loses_no_job(docker_client, tmp_path: Path) -> None:  # noqa: ANN001
    state = tmp_path / "state"
    child = subprocess.Popen([sys.executable, "-c", EMULATOR, str(state)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parents[3])
    try:
        job_id = child.stdout.readline().strip()  # type: ignore[union-attr]
        assert job_id, "the emulator did not start the job"
        backend = make_backend(state, controller=False)
        stream = backend.batch.describe_jobs([job_id])[0].container.log_stream_name
        until(lambda: log_lines(backend, stream) == ["before"], timeout=15)
        backend.close()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    second = make_backend(state)
    owner = second.store.state_id
    try:
        done = reaches(second, job_id, "SUCCEEDED", "FAILED", timeout=30)
        assert done.status.value == "SUCCEEDED" and len(done.attempts) == 1
        assert log_lines(second, done.attempts[0].container.log_stream_name) == ["before", "after"]
    finally:
        second.close()
        remove_owned(docker_client, owner)
