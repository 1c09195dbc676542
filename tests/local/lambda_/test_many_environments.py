"""Many container execution environments at once, on the real engine.

Each live container has its exit watched for as long as it lives. Those
watches once held the threads of asyncio's default executor (six on two
cores), so the seventh new environment's start waited behind them for good,
and closing then timed out. Here twenty live at once, every invocation
returns, and closing is quick and quiet, also when the engine does not
answer its removals.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_ import container as container_module
from computetui.backends.local.lambda_ import runtime as runtime_module
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.blueprints import zip_files
from tests.support.images import LAMBDA_PYTHON_IMAGE, ensure_lambda_python_image

pytestmark = pytest.mark.docker

ENVIRONMENTS = 20
INVOKE_BOUND_S = 60
"""Far beyond an invocation's deadline (3 s timeout, 10 s INIT, the removal): past it, it hung."""
CLOSE_BOUND_S = 60


def owned(docker_client, owner: str) -> list:  # noqa: ANN001
    """The owner's Lambda containers: ids only, since a full listing fails on one being removed."""
    labels = [f"computetui.owner={owner}", "computetui.kind=lambda"]
    return docker_client.containers.list(all=True, sparse=True, filters={"label": labels})


def within(bound_s: float, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` on a thread of its own; fails the test if it has not returned after ``bound_s``
    (it is left running), re-raises what it raised."""
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["result"] = fn(*args)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(bound_s)
    assert not thread.is_alive(), f"{getattr(fn, '__name__', fn)} did not return within {bound_s} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


@pytest.fixture
def backend(docker_client, tmp_path: Path) -> Iterator[tuple[LocalBackend, str]]:  # noqa: ANN001
    """A backend with the container sandbox, and its owner label."""
    ensure_lambda_python_image(docker_client)
    made = LocalBackend(tmp_path / "state", lambda_sandbox="container",
                        lambda_images={"python3.12": LAMBDA_PYTHON_IMAGE})
    owner = made.store.state_id
    yield made, owner
    within(CLOSE_BOUND_S, made.close)  # a second close does nothing; after a failure it cleans up
    deadline = time.monotonic() + 30
    while owned(docker_client, owner) and time.monotonic() < deadline:
        time.sleep(0.1)
    for leftover in owned(docker_client, owner):
        leftover.remove(force=True)


def functions(backend: LocalBackend, count: int) -> list[str]:
    names = [f"fn{n}" for n in range(count)]
    for name in names:
        backend.lambda_.create_function(
            function_name=name, runtime="python3.12", handler="lambda_function.handler",
            code={"ZipFile": zip_files({"lambda_function.py": f"def handler(event, context):\n    return '{name}'\n"})},
        )
    return names


def test_twenty_container_environments_live_at_once_and_close_quickly(
    backend: tuple[LocalBackend, str], docker_client  # noqa: ANN001
) -> None:
    backend, owner = backend
    names = functions(backend, ENVIRONMENTS)
    for name in names:
        result = within(INVOKE_BOUND_S, backend.lambda_.invoke, name)
        assert (result.function_error, result.payload, result.sandbox) == (None, f'"{name}"'.encode(), "container")
    environments = backend.part(LambdaRuntime).environments()
    assert sorted(e["function"] for e in environments) == sorted(names)
    assert {(e["sandbox"], e["state"]) for e in environments} == {("container", "idle")}
    assert len(owned(docker_client, owner)) == ENVIRONMENTS
    # Warm again, all at once: each goes to the environment it has.
    with concurrent.futures.ThreadPoolExecutor(ENVIRONMENTS) as callers:
        warm = [callers.submit(backend.lambda_.invoke, name) for name in names]
        results = [call.result(timeout=INVOKE_BOUND_S) for call in warm]
    assert [r.payload for r in results] == [f'"{name}"'.encode() for name in names]
    assert {r.init_duration_ms for r in results} == {None}
    assert len(backend.part(LambdaRuntime).environments()) == ENVIRONMENTS
    within(CLOSE_BOUND_S, backend.close)
    assert owned(docker_client, owner) == []


def test_closing_is_bounded_and_quiet_when_the_engine_does_not_answer_removals(
    backend: tuple[LocalBackend, str], docker_client, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    backend, owner = backend
    monkeypatch.setattr(container_module, "REMOVE_TIMEOUT_S", 0.5)
    monkeypatch.setattr(container_module, "EXIT_WAIT_S", 0.5)
    monkeypatch.setattr(runtime_module, "CLOSE_TIMEOUT_S", 2.0)
    for name in functions(backend, 3):
        assert within(INVOKE_BOUND_S, backend.lambda_.invoke, name).sandbox == "container"
    released = threading.Event()
    remove = backend.engine.remove

    def stuck_remove(container_id: str, force: bool = True) -> None:
        released.wait(120)
        remove(container_id, force)

    monkeypatch.setattr(backend.engine, "remove", stuck_remove)
    try:
        within(CLOSE_BOUND_S, backend.close)
    finally:
        released.set()
    # The containers go all the same: their runtimes find the Runtime API closed and exit,
    # and the engine auto-removes them (the removals asked for finish too, once answered).
    deadline = time.monotonic() + 30
    while owned(docker_client, owner) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert owned(docker_client, owner) == []
