"""Every way a function can fail ends the way AWS ends it (FIDELITY.md)."""

from __future__ import annotations

import json
import os
import re
import threading

import pytest

from computetui.backends.errors import InvalidParameter, Throttled
from computetui.backends.local.lambda_.runtime import LambdaRuntime


def payload(result) -> dict:  # noqa: ANN001
    return json.loads(result.payload)


def test_an_unhandled_exception_returns_200_with_the_error_and_keeps_the_environment(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    raise ValueError('bad input')\n")
    result = lam.lambda_.invoke("fn", log_type="Tail")
    assert result.status_code == 200 and result.function_error == "Unhandled"
    error = payload(result)
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "bad input"
    assert isinstance(error["stackTrace"], list) and error["stackTrace"]
    assert "[ERROR] ValueError: bad input" in result.log_result
    again = lam.lambda_.invoke("fn")
    assert again.init_duration_ms is None  # a handled failure leaves the environment warm


def test_a_timeout_kills_the_environment_with_aws_message(lam, python_function) -> None:  # noqa: ANN001
    python_function("import time\ndef handler(event, context):\n    time.sleep(30)\n", timeout=1)
    result = lam.lambda_.invoke("fn", log_type="Tail")
    error = payload(result)
    assert result.function_error == "Unhandled"
    assert error["errorType"] == "Sandbox.Timedout"
    assert re.fullmatch(
        rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z {result.request_id} Task timed out after 1.00 seconds",
        error["errorMessage"],
    )
    assert error["errorMessage"] in result.log_result
    assert 1000 <= result.duration_ms < 1500
    assert lam.part(LambdaRuntime).environments() == []  # discarded


def test_after_a_timeout_the_next_invoke_starts_cold(lam, python_function) -> None:  # noqa: ANN001
    python_function(
        "import time\ndef handler(event, context):\n    time.sleep(event['s'])\n    return 'ok'\n", timeout=1
    )
    lam.lambda_.invoke("fn", json.dumps({"s": 5}))
    result = lam.lambda_.invoke("fn", json.dumps({"s": 0}))
    assert result.payload == b'"ok"' and result.init_duration_ms is not None


def test_running_out_of_memory_is_a_runtime_exit_error(lam, python_function) -> None:  # noqa: ANN001
    python_function(
        "import time\ndef handler(event, context):\n    hog = []\n"
        "    while True:\n        hog.append(bytearray(16 * 1024 * 1024))\n        time.sleep(0.01)\n",
        memory_size=128,
        timeout=30,
    )
    result = lam.lambda_.invoke("fn", log_type="Tail")
    error = payload(result)
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"] == f"RequestId: {result.request_id} Error: Runtime exited with error: signal: killed"
    assert result.max_memory_used_mb == 128
    assert "Max Memory Used: 128 MB" in result.log_result
    assert lam.part(LambdaRuntime).environments() == []


def test_a_crashing_runtime_is_replaced_on_the_next_invoke(lam, python_function) -> None:  # noqa: ANN001
    python_function(
        "import os\ndef handler(event, context):\n    if event.get('crash'):\n        os._exit(3)\n    return 'fine'\n"
    )
    crashed = lam.lambda_.invoke("fn", json.dumps({"crash": True}))
    assert payload(crashed)["errorMessage"].endswith("Runtime exited with error: exit status 3")
    assert payload(crashed)["errorType"] == "Runtime.ExitError"
    fine = lam.lambda_.invoke("fn", json.dumps({}))
    assert fine.payload == b'"fine"' and fine.init_duration_ms is not None


@pytest.mark.parametrize(
    ("files", "handler", "error_type", "message"),
    [
        (
            {"lambda_function.py": "x = 1\n"},
            "nope.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'nope': No module named 'nope'",
        ),
        (
            {"lambda_function.py": "import not_installed_anywhere\n"},
            "lambda_function.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'lambda_function': No module named 'not_installed_anywhere'",
        ),
        (
            {"lambda_function.py": "def handler(event, context)\n    return 1\n"},
            "lambda_function.handler",
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module 'lambda_function'",
        ),
        (
            {"lambda_function.py": "def other(event, context):\n    return 1\n"},
            "lambda_function.handler",
            "Runtime.HandlerNotFound",
            "Handler 'handler' missing on module 'lambda_function'",
        ),
    ],
)
def test_init_errors_have_aws_error_types(lam, python_function, files, handler, error_type, message) -> None:  # noqa: ANN001
    python_function(files, handler=handler)
    result = lam.lambda_.invoke("fn", log_type="Tail")
    error = payload(result)
    assert result.function_error == "Unhandled"
    assert error["errorType"] == error_type
    assert error["errorMessage"].startswith(message)
    assert result.init_duration_ms is not None
    assert f"[ERROR] {error_type}" in result.log_result
    assert lam.part(LambdaRuntime).environments() == []  # a failed INIT leaves nothing to reuse


def test_reserved_concurrency_of_zero_throttles_everything(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    return 1\n")
    assert lam.lambda_.put_function_concurrency("fn", 0) == 0
    with pytest.raises(Throttled) as caught:
        lam.lambda_.invoke("fn")
    assert caught.value.code == "TooManyRequestsException"
    assert caught.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert lam.part(LambdaRuntime).environments() == []  # a throttled call never ran
    lam.lambda_.delete_function_concurrency("fn")
    assert lam.lambda_.invoke("fn").payload == b"1"


def test_reserved_concurrency_of_one_throttles_the_second_caller(lam, python_function) -> None:  # noqa: ANN001
    python_function("import time\ndef handler(event, context):\n    time.sleep(event['s'])\n    return 1\n", timeout=5)
    lam.lambda_.put_function_concurrency("fn", 1)
    lam.lambda_.invoke("fn", json.dumps({"s": 0}))  # warm up
    slow = threading.Thread(target=lam.lambda_.invoke, args=("fn", json.dumps({"s": 1})))
    slow.start()
    wait_busy(lam)
    with pytest.raises(Throttled) as caught:
        lam.lambda_.invoke("fn", json.dumps({"s": 0}))
    slow.join()
    assert caught.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_the_account_limit_throttles_unreserved_functions(python_function) -> None:  # noqa: ANN001
    from computetui.backends.local import LocalBackend
    from tests.support.fakes import StaticEngine

    backend = LocalBackend(
        ":memory:", lambda_sandbox="process", engine=StaticEngine(), controller=False, lambda_account_limit=1
    )
    try:
        from computetui.blueprints import zip_files

        backend.lambda_.create_function(
            function_name="fn",
            runtime="python3.12",
            handler="lambda_function.handler",
            code={
                "ZipFile": zip_files(
                    {"lambda_function.py": "import time\ndef handler(e, c):\n    time.sleep(e['s'])\n"}
                )
            },
        )
        slow = threading.Thread(target=backend.lambda_.invoke, args=("fn", json.dumps({"s": 1})))
        slow.start()
        wait_busy(backend)
        with pytest.raises(Throttled) as caught:
            backend.lambda_.invoke("fn", json.dumps({"s": 0}))
        slow.join()
        assert caught.value.reason == "ConcurrentInvocationLimitExceeded"
    finally:
        backend.close()


def test_reserving_too_much_leaves_the_account_its_minimum(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    return 1\n")
    with pytest.raises(InvalidParameter, match=r"below its minimum value of \[100\]"):
        lam.lambda_.put_function_concurrency("fn", 901)
    assert lam.lambda_.put_function_concurrency("fn", 900) == 900


def test_concurrent_invocations_get_environments_of_their_own(lam, python_function) -> None:  # noqa: ANN001
    python_function("import os, time\ndef handler(event, context):\n    time.sleep(0.5)\n    return os.getpid()\n")
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(int(lam.lambda_.invoke("fn").payload))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 3
    assert len(lam.part(LambdaRuntime).environments()) == 3


def test_idle_environments_expire(python_function) -> None:  # noqa: ANN001
    import asyncio

    from computetui.backends.local import LocalBackend
    from computetui.blueprints import zip_files
    from tests.support.fakes import StaticEngine

    backend = LocalBackend(
        ":memory:", lambda_sandbox="process", engine=StaticEngine(), controller=False, lambda_idle_timeout=0.2
    )
    try:
        backend.lambda_.create_function(
            function_name="fn",
            runtime="python3.12",
            handler="lambda_function.handler",
            code={"ZipFile": zip_files({"lambda_function.py": "def handler(e, c):\n    return 1\n"})},
        )
        backend.lambda_.invoke("fn")
        pid = backend.part(LambdaRuntime).environments()[0]["pid"]
        import time

        time.sleep(0.3)
        loop = backend.controller.ensure_running()
        asyncio.run_coroutine_threadsafe(backend.part(LambdaRuntime).expire_idle(), loop).result()
        assert backend.part(LambdaRuntime).environments() == []
        assert not pid_alive(pid)
        assert backend.lambda_.invoke("fn").init_duration_ms is not None  # cold again
    finally:
        backend.close()


def wait_busy(backend, timeout: float = 10) -> None:  # noqa: ANN001
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(e["state"] == "busy" for e in backend.part(LambdaRuntime).environments()):
            return
        time.sleep(0.01)
    raise AssertionError("no environment became busy")


def pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting to be reaped is not alive
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
