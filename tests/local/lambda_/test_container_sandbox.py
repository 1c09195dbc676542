"""The container sandbox on the real engine: the same Runtime API, in Docker, with cgroup limits."""

from __future__ import annotations

import io
import json
import os
import tarfile
import time
import uuid
from collections.abc import Iterator

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.blueprints import zip_files
from tests.local.lambda_.test_memory_used import HOG, reported_mb
from tests.support.images import LAMBDA_PYTHON_IMAGE, ensure_lambda_python_image

pytestmark = pytest.mark.docker


@pytest.fixture
def cbackend(docker_client, tmp_path) -> Iterator[LocalBackend]:  # noqa: ANN001
    ensure_lambda_python_image(docker_client)
    backend = LocalBackend(
        tmp_path / "state", lambda_sandbox="container", lambda_images={"python3.12": LAMBDA_PYTHON_IMAGE}
    )
    owner = backend.store.state_id
    yield backend
    backend.close()
    leftovers = owned_containers(docker_client, owner)
    assert leftovers == [], "the backend left execution environments behind"


def owned_containers(client, owner: str) -> list:  # noqa: ANN001
    return client.containers.list(all=True, filters={"label": [f"computetui.owner={owner}", "computetui.kind=lambda"]})


def backend_containers(client, backend: LocalBackend) -> list:  # noqa: ANN001
    return owned_containers(client, backend.store.state_id)


def make(backend: LocalBackend, source: str, name: str = "fn", **settings) -> str:  # noqa: ANN003
    backend.lambda_.create_function(
        function_name=name,
        runtime="python3.12",
        handler="lambda_function.handler",
        code={"ZipFile": zip_files({"lambda_function.py": source})},
        **settings,
    )
    return name


def test_a_function_runs_in_a_container_cold_then_warm(cbackend: LocalBackend, docker_client) -> None:  # noqa: ANN001
    make(
        cbackend,
        "import socket\ndef handler(event, context):\n    print('inside', socket.gethostname())\n"
        "    return {'echo': event}\n",
    )
    cold = cbackend.lambda_.invoke("fn", json.dumps({"a": 1}), log_type="Tail")
    assert cold.function_error is None, cold.payload
    assert json.loads(cold.payload) == {"echo": {"a": 1}}
    assert cold.init_duration_ms is not None
    assert "inside " in cold.log_result and cold.log_result.splitlines()[-1].startswith("REPORT RequestId")
    assert 1 < cold.max_memory_used_mb <= 128  # measured from the cgroup
    assert (cold.sandbox, cold.sandbox_note) == ("container", None)
    [container] = backend_containers(docker_client, cbackend)
    config = container.attrs["HostConfig"]
    assert config["Memory"] == 128 * 1024 * 1024 and config["MemorySwap"] == 128 * 1024 * 1024
    warm = cbackend.lambda_.invoke("fn", json.dumps({"a": 2}))
    assert json.loads(warm.payload) == {"echo": {"a": 2}} and warm.init_duration_ms is None
    # After INIT the CPU share follows memory: 128 MB of 1,769 MB per vCPU. The runtime asks the
    # engine for it in the background once INIT is done, so on a busy machine it may land a moment
    # after the warm invoke returns: wait for it, a bounded while.
    expected = (100_000, int(128 / 1769 * 100_000))
    deadline = time.monotonic() + 10
    while True:
        container.reload()
        host = container.attrs["HostConfig"]
        if (host["CpuPeriod"], host["CpuQuota"]) == expected or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (host["CpuPeriod"], host["CpuQuota"]) == expected


def test_the_container_sees_aws_variables_and_the_code_at_var_task(cbackend: LocalBackend) -> None:
    make(
        cbackend,
        "import os\ndef handler(event, context):\n    return {k: os.environ.get(k) for k in "
        "['AWS_LAMBDA_FUNCTION_NAME', 'LAMBDA_TASK_ROOT', 'AWS_LAMBDA_RUNTIME_API', 'MINE']} | "
        "{'cwd': os.getcwd(), 'files': sorted(os.listdir('/var/task'))}\n",
        environment={"Variables": {"MINE": "yes"}},
    )
    seen = json.loads(cbackend.lambda_.invoke("fn").payload)
    assert seen["AWS_LAMBDA_FUNCTION_NAME"] == "fn" and seen["MINE"] == "yes"
    assert seen["LAMBDA_TASK_ROOT"] == "/var/task" and seen["cwd"] == "/var/task"
    assert seen["files"] == ["lambda_function.py"]
    host, port = seen["AWS_LAMBDA_RUNTIME_API"].split(":")
    assert host != "127.0.0.1" and port.isdigit()  # the bridge gateway, not the container's own loopback


def test_out_of_memory_in_a_container_is_a_runtime_exit_error(cbackend: LocalBackend) -> None:
    make(
        cbackend,
        "def handler(event, context):\n    hog = []\n    while True:\n        hog.append(bytearray(8 * 1024 * 1024))\n",
        timeout=30,
    )
    result = cbackend.lambda_.invoke("fn", log_type="Tail")
    error = json.loads(result.payload)
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: signal: killed")
    assert result.max_memory_used_mb == 128


def test_a_container_whose_runtime_exits_is_gone_when_the_invocation_returns(
    cbackend: LocalBackend,
    docker_client,  # noqa: ANN001
) -> None:
    # The container ends by itself, so the engine is auto-removing it while the environment is discarded.
    make(cbackend, "import os\ndef handler(event, context):\n    os._exit(3)\n")
    result = cbackend.lambda_.invoke("fn")
    assert json.loads(result.payload)["errorMessage"].endswith("Runtime exited with error: exit status 3")
    assert cbackend.part(LambdaRuntime).environments() == []
    assert backend_containers(docker_client, cbackend) == []


def test_a_timeout_in_a_container_removes_it(cbackend: LocalBackend, docker_client) -> None:  # noqa: ANN001
    make(cbackend, "import time\ndef handler(event, context):\n    time.sleep(30)\n", timeout=1)
    result = cbackend.lambda_.invoke("fn")
    assert json.loads(result.payload)["errorType"] == "Sandbox.Timedout"
    assert cbackend.part(LambdaRuntime).environments() == []
    assert backend_containers(docker_client, cbackend) == []


def test_an_image_function_runs_its_own_image(cbackend: LocalBackend, docker_client) -> None:  # noqa: ANN001
    # Bake a handler into a derived image, as `docker build` would, and point a function at it.
    tag = f"computetui-test/lambda-image-fn:{uuid.uuid4().hex[:8]}"
    builder = docker_client.containers.create(LAMBDA_PYTHON_IMAGE, entrypoint=["/bin/true"])
    try:
        data = b"def handler(event, context):\n    return 'from my image'\n"
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            info = tarfile.TarInfo("app.py")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        builder.put_archive("/var/task", archive.getvalue())
        builder.commit(
            repository=tag.split(":")[0],
            tag=tag.split(":")[1],
            changes=['ENTRYPOINT ["/lambda-entrypoint.sh"]', 'CMD ["app.handler"]'],
        )
    finally:
        builder.remove(force=True)
    try:
        cbackend.lambda_.create_function(function_name="img", package_type="Image", code={"ImageUri": tag})
        result = cbackend.lambda_.invoke("img")
        assert result.function_error is None, result.payload
        assert result.payload == b'"from my image"'
    finally:
        cbackend.close()
        docker_client.images.remove(tag, force=True)


def test_an_environment_whose_emulator_died_is_removed_at_the_next_start(docker_client, tmp_path) -> None:  # noqa: ANN001
    ensure_lambda_python_image(docker_client)
    backend = LocalBackend(
        tmp_path / "state",
        controller=False,
        lambda_sandbox="container",
        lambda_images={"python3.12": LAMBDA_PYTHON_IMAGE},
    )
    orphan = backend.engine.run(
        LAMBDA_PYTHON_IMAGE,
        kind="lambda",
        arn="arn:aws:lambda:us-east-1:0:function:x",
        entrypoint=["/bin/sleep"],
        command=["300"],
        extra_labels={"computetui.pid": "999999999"},
    )
    mine = backend.engine.run(
        LAMBDA_PYTHON_IMAGE,
        kind="lambda",
        arn="arn:aws:lambda:us-east-1:0:function:y",
        entrypoint=["/bin/sleep"],
        command=["300"],
        extra_labels={"computetui.pid": str(os.getpid())},
    )
    try:
        backend.reconcile()
        ids = {c.id for c in backend.engine.containers(kind="lambda")}
        assert orphan.id not in ids  # its emulator is gone
        assert mine.id in ids  # this process still owns it
    finally:
        backend.engine.remove(mine.id)
        backend.engine.remove(orphan.id)
        backend.close()


def test_auto_falls_back_to_a_process_when_the_runtime_image_cannot_be_had(docker_client, tmp_path) -> None:  # noqa: ANN001
    # The image is on a closed port on loopback: the pull fails without leaving the machine.
    backend = LocalBackend(
        tmp_path / "state", lambda_sandbox="auto", lambda_images={"python3.12": "127.0.0.1:1/no-such-lambda-image:1"}
    )
    try:
        make(backend, "def handler(event, context):\n    return 'ran anyway'\n")
        result = backend.lambda_.invoke("fn")
        assert result.payload == b'"ran anyway"'
        [env] = backend.part(LambdaRuntime).environments()
        assert isinstance(env["pid"], int)  # a host process, not a container id
        why = "127.0.0.1:1/no-such-lambda-image:1 cannot be pulled"
        assert (result.sandbox, result.sandbox_note) == ("process", why)
        # The next function of that runtime does not try the image again, and says why all the same.
        make(backend, "def handler(event, context):\n    return 'me too'\n", name="other")
        other = backend.lambda_.invoke("other")
        assert other.payload == b'"me too"' and (other.sandbox, other.sandbox_note) == ("process", why)
    finally:
        backend.close()


# -- Max Memory Used: the cgroup's figure, read before the cgroup goes ---------------------------
def test_a_timeout_in_a_container_reports_the_memory_it_used(cbackend: LocalBackend) -> None:
    make(cbackend, HOG + "import time\ndef handler(event, context):\n    time.sleep(30)\n", timeout=1)
    result = cbackend.lambda_.invoke("fn", log_type="Tail")
    assert json.loads(result.payload)["errorType"] == "Sandbox.Timedout"
    assert 40 < result.max_memory_used_mb < 128
    assert reported_mb(result) == result.max_memory_used_mb


def test_a_syntax_error_in_a_container_reports_the_memory_of_init(cbackend: LocalBackend) -> None:
    make(cbackend, "def handler(:\n")
    result = cbackend.lambda_.invoke("fn", log_type="Tail")
    assert json.loads(result.payload)["errorType"] == "Runtime.UserCodeSyntaxError"
    assert 1 < result.max_memory_used_mb < 128
    assert reported_mb(result) == result.max_memory_used_mb
