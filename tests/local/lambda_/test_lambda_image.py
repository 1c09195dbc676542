"""The locally built stand-in for AWS's Lambda Python base image (tests/support/images.py).

Used directly through the docker SDK: the contract the container sandbox relies on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.images import LAMBDA_PYTHON_IMAGE, RIE_MISSING_MESSAGE, ensure_lambda_python_image

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def lambda_image(docker_client) -> str:  # noqa: ANN001
    try:
        # Instant when .ci/run (python -m tests.support.images) built it; else a build of about a minute.
        return ensure_lambda_python_image(docker_client)
    except RuntimeError as exc:  # no debootstrap, not root, no mirror: same policy as conftest.py
        if os.environ.get("COMPUTETUI_REQUIRE_DOCKER") == "1":
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture
def run(docker_client, lambda_image: str) -> Iterator:  # noqa: ANN001
    """Run the image to completion: (exit code, stdout, stderr). Removes its containers."""
    made = []

    def _run(command: list[str] | None = None, **options) -> tuple[int, str, str]:  # noqa: ANN003
        container = docker_client.containers.create(lambda_image, command=command, **options)
        made.append(container)
        container.start()
        code = container.wait(timeout=60)["StatusCode"]
        out = container.logs(stdout=True, stderr=False).decode()
        err = container.logs(stdout=False, stderr=True).decode()
        return code, out, err

    yield _run
    for container in made:
        container.remove(force=True)


def test_python_with_awslambdaric(run) -> None:  # noqa: ANN001
    code, out, err = run(["-c", "import awslambdaric, json, urllib.request; print('ok')"], entrypoint=["python3"])
    assert (code, out.strip()) == (0, "ok"), err


def test_image_config(docker_client, lambda_image: str) -> None:  # noqa: ANN001
    config = docker_client.images.get(lambda_image).attrs["Config"]
    assert lambda_image == LAMBDA_PYTHON_IMAGE
    assert config["Entrypoint"] == ["/lambda-entrypoint.sh"]
    assert not config.get("Cmd")  # the handler comes from the function's ImageConfig / CMD
    assert config["WorkingDir"] == "/var/task"
    assert "LAMBDA_TASK_ROOT=/var/task" in config["Env"]


def test_entrypoint_without_handler_exits_142(run) -> None:  # noqa: ANN001
    code, _, err = run()
    assert code == 142
    assert "handler" in err


def test_entrypoint_with_two_arguments_exits_142(run) -> None:  # noqa: ANN001
    code, _, _ = run(["a.handler", "b.handler"])
    assert code == 142


def test_entrypoint_without_runtime_api_exits_1(run) -> None:  # noqa: ANN001
    code, out, err = run(["lambda_function.lambda_handler"])
    assert code == 1
    assert RIE_MISSING_MESSAGE in err
    assert "Runtime Interface Emulator" in out + err


def test_sandbox_basics(run) -> None:  # noqa: ANN001
    script = 'test -d /var/task && test -w /tmp && stat -c %a /tmp && command -v env && pwd && echo "$LAMBDA_TASK_ROOT"'
    code, out, err = run(["-c", script], entrypoint=["/bin/sh"])
    assert code == 0, err
    assert out.split() == ["1777", "/usr/bin/env", "/var/task", "/var/task"]
