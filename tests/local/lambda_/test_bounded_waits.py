"""No invocation and no close waits without a bound, whatever the engine does.

An engine in memory that takes its time (a create that does not come back)
stands in for a busy or wedged Docker engine: the caller still gets AWS's
timeout error within the invocation's deadline, and the container the engine
makes too late is removed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.blueprints import zip_files
from computetui.models.lambda_ import InvokeResult
from tests.support.fakes import FakeEngine

IMAGE = "computetui-test/lambda-in-memory:1"
HELLO = "def handler(event, context):\n    return 'hi'\n"
SLACK_S = 10
"""What a test allows beyond a deadline before it calls the invocation hung."""


class SlowEngine(FakeEngine):
    """Creates wait until ``release`` is set (at most a minute); the bridge is loopback."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.creates_begun = threading.Event()
        self.created = threading.Event()

    def bridge_gateway(self) -> str:
        return "127.0.0.1"

    def run(self, image: str, **options: Any):  # noqa: ANN201
        self.creates_begun.set()
        self.release.wait(60)
        made = super().run(image, **options)
        self.created.set()
        return made


@pytest.fixture
def slow() -> Iterator[tuple[LocalBackend, SlowEngine]]:
    engine = SlowEngine()
    backend = LocalBackend(":memory:", lambda_sandbox="container", engine=engine, controller=False,
                           lambda_images={"python3.12": IMAGE})
    backend.part(LambdaRuntime).init_timeout = 0.5
    yield backend, engine
    engine.release.set()
    backend.close()


def invoke_within(backend: LocalBackend, name: str, bound_s: float) -> InvokeResult:
    """``invoke`` on a thread of its own; fails the test if it has not returned after ``bound_s``."""
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["result"] = backend.lambda_.invoke(name)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(bound_s)
    assert not thread.is_alive(), f"invoke of {name} did not return within {bound_s} s"
    assert "error" not in outcome, outcome
    return outcome["result"]


def test_an_environment_the_engine_does_not_make_in_time_is_an_init_timeout_and_goes(
    slow: tuple[LocalBackend, SlowEngine],
) -> None:
    backend, engine = slow
    backend.lambda_.create_function(function_name="fn", runtime="python3.12", handler="lambda_function.handler",
                                    code={"ZipFile": zip_files({"lambda_function.py": HELLO})}, timeout=1)
    runtime = backend.part(LambdaRuntime)
    result = invoke_within(backend, "fn", runtime.init_timeout + 1 + SLACK_S)
    assert engine.creates_begun.is_set()
    assert result.function_error == "Unhandled"
    error = json.loads(result.payload)
    assert error == {"errorType": "Sandbox.Timedout", "errorMessage": "INIT timed out after 0.5 seconds"}
    assert runtime.environments() == []
    # The engine makes the container after all: it is removed, not left running.
    engine.release.set()
    assert engine.created.wait(SLACK_S)
    deadline = time.monotonic() + SLACK_S
    while engine.containers(kind="lambda") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert engine.containers(kind="lambda") == []
