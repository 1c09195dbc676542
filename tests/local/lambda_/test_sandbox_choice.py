"""Each invocation says which sandbox ran it, and, when ``auto`` wanted a container and ran a
process, why."""

from __future__ import annotations

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.blueprints import zip_files
from computetui.models.common import EngineState, EngineStatus
from tests.support.fakes import StaticEngine

HELLO = "def handler(event, context):\n    return 'hi'\n"
NO_SOCKET = EngineStatus(state=EngineState.SOCKET_MISSING, host="unix:///var/run/docker.sock",
                         reason="no Docker socket at /var/run/docker.sock: is Docker installed and running?")


def backend_with(sandbox: str, status: EngineStatus) -> LocalBackend:
    backend = LocalBackend(":memory:", lambda_sandbox=sandbox, engine=StaticEngine(status), controller=False)
    backend.lambda_.create_function(
        function_name="fn", runtime="python3.12", handler="lambda_function.handler",
        code={"ZipFile": zip_files({"lambda_function.py": HELLO})},
    )
    return backend


def test_auto_without_an_engine_runs_a_process_and_says_why() -> None:
    backend = backend_with("auto", NO_SOCKET)
    try:
        for _ in range(2):  # cold, then warm in the same environment
            result = backend.lambda_.invoke("fn")
            assert result.payload == b'"hi"'
            assert (result.sandbox, result.sandbox_note) == ("process", "no Docker engine (socket missing)")
        [env] = backend.part(LambdaRuntime).environments()
        assert (env["sandbox"], env["note"]) == ("process", "no Docker engine (socket missing)")
    finally:
        backend.close()


def test_the_process_sandbox_asked_for_needs_no_reason() -> None:
    backend = backend_with("process", NO_SOCKET)
    try:
        result = backend.lambda_.invoke("fn")
        assert (result.sandbox, result.sandbox_note) == ("process", None)
    finally:
        backend.close()
