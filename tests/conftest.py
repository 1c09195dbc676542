"""Shared fixtures, and the policy for tests that need something on the machine.

Tests marked ``docker`` need a Docker engine. Without one they are skipped,
unless ``COMPUTETUI_REQUIRE_DOCKER=1`` (set by .ci/run), which turns the skip
into a failure: CI cannot pass by skipping. Tests marked ``node`` need Node.js
on PATH, under the same policy with ``COMPUTETUI_REQUIRE_NODE=1``. The host's
static busybox (what the test images are made from) falls under the Docker
policy; a test of what an emulator run by root does needs root, under
``COMPUTETUI_REQUIRE_ROOT=1`` (.ci/run runs as root and sets it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from computetui.backends.local import LocalBackend
from computetui.clock import FixedClock
from tests.support.fakes import StaticEngine

REQUIRE_DOCKER = os.environ.get("COMPUTETUI_REQUIRE_DOCKER") == "1"
REQUIRE_NODE = os.environ.get("COMPUTETUI_REQUIRE_NODE") == "1"
REQUIRE_ROOT = os.environ.get("COMPUTETUI_REQUIRE_ROOT") == "1"


def unavailable(message: str, required: bool, variable: str) -> None:
    """What the machine lacks: a failure where ``variable`` requires it (CI), else a skip that says what."""
    if required:
        pytest.fail(f"{message} ({variable}=1 forbids skipping)")
    pytest.skip(message)


def _engine_problem() -> str | None:
    from computetui.backends.docker.engine import Engine

    status = Engine().status()
    return None if status.reachable else status.reason


@pytest.fixture(scope="session")
def docker_client():  # noqa: ANN201
    """The docker SDK client, with the busybox test image imported."""
    problem = _engine_problem()
    if problem is not None:
        unavailable(f"Docker engine unavailable: {problem}", REQUIRE_DOCKER, "COMPUTETUI_REQUIRE_DOCKER")
    import docker

    from tests.support.images import ensure_busybox_image

    client = docker.from_env()
    try:
        ensure_busybox_image(client)
    except RuntimeError as exc:
        unavailable(str(exc), REQUIRE_DOCKER, "COMPUTETUI_REQUIRE_DOCKER")
    yield client
    client.close()


@pytest.fixture(scope="session")
def node_binary() -> str:
    """The ``node`` on PATH."""
    found = shutil.which("node")
    if found is None:
        unavailable("node is not on PATH: the Node.js runtime client cannot be run", REQUIRE_NODE,
                    "COMPUTETUI_REQUIRE_NODE")
    return found


@pytest.fixture
def as_root() -> None:
    """This test process runs as root (what an emulator started by root hands its runtimes)."""
    if os.geteuid() != 0:
        unavailable("needs root: it checks what an emulator started by root gives its runtimes", REQUIRE_ROOT,
                    "COMPUTETUI_REQUIRE_ROOT")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Every docker-marked test goes through the docker_client fixture, and every node-marked
    # one through node_binary, so the skip-or-fail policy above applies to all of them.
    for item in items:
        names = getattr(item, "fixturenames", [])
        if item.get_closest_marker("docker") and "docker_client" not in names:
            names.insert(0, "docker_client")
        if item.get_closest_marker("node") and "node_binary" not in names:
            names.insert(0, "node_binary")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock("2026-01-15T09:30:00+00:00")


@pytest.fixture
def backend(clock: FixedClock) -> Iterator[LocalBackend]:
    """An in-memory local backend with a fixed clock and engine; no controller thread."""
    b = LocalBackend(":memory:", clock=clock, seed=7, engine=StaticEngine(), controller=False)
    yield b
    b.close()


@pytest.fixture
def seeded(backend: LocalBackend) -> LocalBackend:
    backend.seed_demo()
    return backend
