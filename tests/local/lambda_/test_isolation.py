"""What an execution environment keeps to itself, and what it is kept from.

Its invocations: a holder function takes one and waits (bounded) for a file while a
stranger (another local process, another environment, a neighbouring container) tries
every Runtime API call on it and gets 403; then the holder answers it for real.

The emulator's secrets: a function that walks up from its runtime reading each process's
``/proc/<pid>/environ`` finds nothing of the emulator's environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import Environment, LambdaRuntime
from computetui.backends.local.lambda_.sandbox import EnvironmentSpec
from computetui.blueprints import zip_files
from tests.support.images import BUSYBOX_IMAGE, LAMBDA_PYTHON_IMAGE, ensure_busybox_image, ensure_lambda_python_image

REPO = Path(__file__).resolve().parents[3]
WAIT_S = 30.0

HOLDER = """
import json, os, time
def handler(event, context):
    folder = event["folder"]
    taken = {"request_id": context.aws_request_id, "api": os.environ["AWS_LAMBDA_RUNTIME_API"]}
    with open(os.path.join(folder, "taken.tmp"), "w") as f:
        json.dump(taken, f)
    os.rename(os.path.join(folder, "taken.tmp"), os.path.join(folder, "taken"))
    deadline = time.monotonic() + 30
    while not os.path.exists(os.path.join(folder, "go")) and time.monotonic() < deadline:
        time.sleep(0.01)
    return {"answer": "real"}
"""

# Tries every Runtime API call on someone else's invocation; the answers as [status, errorType].
INTRUDE = """
import http.client, json
def intrude(api, request_id):
    host, port = api.rsplit(":", 1)
    def call(method, path, body=None):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            conn.request(method, "/2018-06-01/runtime" + path, body=body)
            response = conn.getresponse()
            body = response.read()
            try:
                kind = json.loads(body).get("errorType")
            except ValueError:
                kind = None
            return [response.status, kind]
        except OSError as exc:
            return [None, type(exc).__name__]
        finally:
            conn.close()
    forged = b'{"forged": true}'
    return {
        "response": call("POST", f"/invocation/{request_id}/response", forged),
        "error": call("POST", f"/invocation/{request_id}/error", b'{"errorType": "Forged", "errorMessage": "x"}'),
        "init": call("POST", "/init/error", b"{}"),
        "next": call("GET", "/invocation/next"),
    }
"""

REFUSED = {call: [403, "AccessDenied"] for call in ("response", "error", "init", "next")}


def wait_for(path: Path) -> dict:
    deadline = time.monotonic() + WAIT_S
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} did not appear within {WAIT_S}s")
        time.sleep(0.01)
    return json.loads(path.read_text())


def test_no_other_process_or_environment_can_take_or_answer_an_invocation(
    lam: LocalBackend, python_function: Callable[..., str], tmp_path: Path
) -> None:
    python_function(HOLDER, name="holder", timeout=60)
    python_function(INTRUDE + "\ndef handler(event, context):\n    return intrude(event['api'], event['request_id'])\n",
                    name="intruder")
    outsider = INTRUDE + "\nimport sys\nprint(json.dumps(intrude(sys.argv[1], sys.argv[2])))\n"
    with ThreadPoolExecutor(1) as pool:
        real = pool.submit(lam.lambda_.invoke, "holder", json.dumps({"folder": str(tmp_path)}))
        try:
            taken = wait_for(tmp_path / "taken")
            # Another local process of the same user...
            local = subprocess.run(
                [sys.executable, "-c", outsider, taken["api"], taken["request_id"]],
                capture_output=True, text=True, timeout=WAIT_S, check=True,
            )
            # ... and another execution environment, a process the emulator started too.
            neighbour = lam.lambda_.invoke("intruder", json.dumps(taken))
        finally:
            (tmp_path / "go").touch()
        result = real.result(WAIT_S)
    assert json.loads(local.stdout) == REFUSED
    assert neighbour.function_error is None, neighbour.payload
    assert json.loads(neighbour.payload) == REFUSED
    assert result.function_error is None, result.payload
    assert json.loads(result.payload) == {"answer": "real"}


# busybox's wget crashes on this machine's static busybox, so HTTP by hand over its nc.
NEIGHBOUR = r"""
set -u
host=${1%:*}; port=${1#*:}; base=/2018-06-01/runtime
call() {  # name method path body -> "name: <status line>"
  status=$(printf '%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$2" "$base$3" "$1" "${#4}" "$4" | /bin/busybox timeout 10 /bin/busybox nc "$host" "$port" \
    | /bin/busybox head -n 1)
  echo "$1: $status" | /bin/busybox tr -d '\r'
}
call response POST "/invocation/$2/response" '{"forged": true}'
call error POST "/invocation/$2/error" '{"errorType": "Forged", "errorMessage": "x"}'
call init POST /init/error '{}'
call next GET /invocation/next ''
"""

CONTAINER_HOLDER = """
import os, time
def handler(event, context):
    deadline = time.monotonic() + 30
    while not os.path.exists("/var/task/go") and time.monotonic() < deadline:
        time.sleep(0.01)
    return {"answer": "real"}
"""


@pytest.mark.docker
def test_a_neighbouring_container_can_neither_take_nor_answer_an_invocation(docker_client, tmp_path: Path) -> None:  # noqa: ANN001
    ensure_busybox_image(docker_client)
    ensure_lambda_python_image(docker_client)
    backend = LocalBackend(
        tmp_path / "state", lambda_sandbox="container", lambda_images={"python3.12": LAMBDA_PYTHON_IMAGE}
    )
    try:
        backend.lambda_.create_function(
            function_name="holder", runtime="python3.12", handler="lambda_function.handler", timeout=60,
            code={"ZipFile": zip_files({"lambda_function.py": CONTAINER_HOLDER})},
        )
        runtime = backend.part(LambdaRuntime)
        with ThreadPoolExecutor(1) as pool:
            real = pool.submit(backend.lambda_.invoke, "holder", "{}")
            env = None
            try:
                env = holding(runtime, "holder")
                assert not env.api.host.startswith("127."), "a container reaches the emulator on the bridge"
                # An unrelated container on the same engine and bridge.
                output = neighbour(docker_client, env.api.address, env.api.current.request_id)
            finally:
                if env is not None:
                    (env.spec.task_root / "go").touch()
            result = real.result(WAIT_S)
    finally:
        backend.close()
    answers = {name: status.strip() for name, _, status in (line.partition(":") for line in output.splitlines())}
    assert sorted(answers) == ["error", "init", "next", "response"]
    assert answers == dict.fromkeys(answers, "HTTP/1.1 403 Forbidden")
    assert result.function_error is None, result.payload
    assert json.loads(result.payload) == {"answer": "real"}


def neighbour(client, address: str, request_id: str) -> str:  # noqa: ANN001 - a docker.DockerClient
    """What the NEIGHBOUR script prints, run in a busybox container on the default bridge."""
    container = client.containers.run(
        BUSYBOX_IMAGE, ["/bin/sh", "-c", NEIGHBOUR, "sh", address, request_id], detach=True
    )
    try:
        container.wait(timeout=WAIT_S + 40)  # four calls of at most 10 s each
        return container.logs(stdout=True, stderr=False).decode()
    finally:
        container.remove(force=True)


def holding(runtime: LambdaRuntime, function_name: str) -> Environment:
    """The function's environment once its runtime has taken an invocation."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        for env in list(runtime._environments.values()):
            if env.spec.function_name == function_name and env.api.current is not None:
                return env
        time.sleep(0.01)
    raise AssertionError(f"no environment of {function_name} took its invocation within {WAIT_S}s")


# -- the emulator's own environment -------------------------------------------------

SENTINEL = "emulator-secret-4f1d"
"""In the emulator's environment from its start, as a user's AWS keys would be."""

# Reads the environment of each process from the emulator (its parent) up to the first one.
PEEK = """
import os
def handler(event, context):
    seen = []
    pid = os.getppid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                seen.append([pid, f.read().decode("utf-8", "replace")])
        except OSError as exc:
            seen.append([pid, type(exc).__name__])
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    with open("/proc/self/status") as f:
        capabilities = [line.split()[1] for line in f if line.startswith("CapEff")][0]
    return {"seen": seen, "capabilities": capabilities}
"""

EMULATOR = """
import sys
from computetui.backends.local import LocalBackend
from computetui.blueprints import zip_files
from tests.support.fakes import StaticEngine
backend = LocalBackend(":memory:", lambda_sandbox="process", engine=StaticEngine(), controller=False)
try:
    backend.lambda_.create_function(
        function_name="peek", runtime="python3.12", handler="lambda_function.handler",
        code={"ZipFile": zip_files({"lambda_function.py": sys.argv[1]})},
    )
    result = backend.lambda_.invoke("peek")
    print(result.payload.decode())
finally:
    backend.close()
"""

_PR_CAPBSET_DROP = 24


def _without_capabilities() -> None:  # between fork and exec: the emulator gets none, as a user's would
    import ctypes

    prctl = ctypes.CDLL(None).prctl
    for cap in range(64):
        prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)


def peek_from_a_function(emulator_as_root: bool) -> dict:
    """Start an emulator with SENTINEL in its environment; what its function could read."""
    env = {**os.environ, "AWS_SECRET_ACCESS_KEY": SENTINEL, "AWS_SESSION_TOKEN": SENTINEL}
    done = subprocess.run(
        [sys.executable, "-c", EMULATOR, PEEK], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=WAIT_S * 2, preexec_fn=None if emulator_as_root else _without_capabilities,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_function_cannot_read_the_environment_of_the_emulator_of_its_user() -> None:
    # The emulator as a user runs it: no capabilities. Its runtime is a process of the same user.
    peeked = peek_from_a_function(emulator_as_root=False)
    assert peeked["seen"][0][1] == "PermissionError"
    assert SENTINEL not in json.dumps(peeked)


@pytest.mark.usefixtures("as_root")
def test_a_function_run_by_an_emulator_as_root_has_no_capabilities_and_cannot_read_it() -> None:
    peeked = peek_from_a_function(emulator_as_root=True)
    assert int(peeked["capabilities"], 16) == 0
    assert peeked["seen"][0][1] == "PermissionError"
    assert SENTINEL not in json.dumps(peeked)


def test_a_function_sets_its_own_variables_but_cannot_replace_those_aws_sets(tmp_path: Path) -> None:
    spec = EnvironmentSpec(
        function_name="fn", function_arn="arn:aws:lambda:us-east-1:000000000000:function:fn", version="$LATEST",
        runtime="python3.12", handler="app.handler", memory_mb=128, timeout_s=3, task_root=tmp_path,
        environment={"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1", "AWS_REGION": "mars-1", "LAMBDA_TASK_ROOT": "/x",
                     "TZ": "Europe/Paris", "MINE": "mine"},
        log_group="/aws/lambda/fn", log_stream="s", region="us-east-1",
    )
    variables = spec.aws_environment("127.0.0.1:9001")
    assert variables["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001"  # the one the runtime must reach
    assert variables["AWS_REGION"] == "us-east-1" and variables["LAMBDA_TASK_ROOT"] == str(tmp_path)
    assert variables["TZ"] == "Europe/Paris" and variables["MINE"] == "mine"
