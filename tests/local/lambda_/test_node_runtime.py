"""The Node.js runtime client (runtimes/node/runtime.mjs) against a fake Runtime API.

The fake server below speaks just enough of the Lambda Runtime API 2018-06-01:
``next`` hands out queued events (long-polling until one is queued), and what
the runtime posts to ``/response``, ``/error`` and ``/init/error`` is recorded.
Each test writes handler files into tmp_path and runs ``node runtime.mjs`` there.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from computetui.backends.local.lambda_ import sandbox as lambda_sandbox

pytestmark = pytest.mark.node  # conftest.py: skipped without node, failed when COMPUTETUI_REQUIRE_NODE=1
NODE = shutil.which("node") or "node"

RUNTIME = lambda_sandbox.RUNTIMES_DIR / "node" / "runtime.mjs"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
WAIT = 10.0  # seconds: the most any single wait in these tests may take
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@dataclass
class Posted:
    request_id: str | None  # None for /init/error
    headers: dict[str, str]
    body: object


@dataclass
class FakeRuntimeAPI:
    events: queue.Queue = field(default_factory=queue.Queue)
    posted: dict[str, queue.Queue] = field(
        default_factory=lambda: {"response": queue.Queue(), "error": queue.Queue(), "init_error": queue.Queue()}
    )
    stopping: threading.Event = field(default_factory=threading.Event)
    address: str = ""

    def invoke(self, event: object, request_id: str, deadline_in: float = 30.0) -> None:
        self.events.put((request_id, json.dumps(event), int((time.time() + deadline_in) * 1000)))

    def wait(self, kind: str, timeout: float = WAIT) -> Posted:
        try:
            return self.posted[kind].get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"the runtime posted nothing to {kind} within {timeout} s")

    def nothing_posted(self) -> bool:
        return all(q.empty() for q in self.posted.values())


def _handler_class(api: FakeRuntimeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the runtime's agent expects

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            if self.path != "/2018-06-01/runtime/invocation/next":
                self._reply(404)
                return
            while not api.stopping.is_set():
                try:
                    request_id, body, deadline = api.events.get(timeout=0.1)
                except queue.Empty:
                    continue
                self._reply(
                    200,
                    body.encode(),
                    {
                        "Content-Type": "application/json",
                        "Lambda-Runtime-Aws-Request-Id": request_id,
                        "Lambda-Runtime-Deadline-Ms": str(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn": ARN,
                        "Lambda-Runtime-Trace-Id": TRACE,
                    },
                )
                return
            self.close_connection = True

        def do_POST(self) -> None:  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path == "/2018-06-01/runtime/init/error":
                api.posted["init_error"].put(Posted(None, headers, body))
            elif m := re.fullmatch(r"/2018-06-01/runtime/invocation/([^/]+)/(response|error)", self.path):
                api.posted[m.group(2)].put(Posted(m.group(1), headers, body))
            else:
                self._reply(404)
                return
            self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # A killed runtime drops its connection mid-request: expected, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def api() -> Iterator[FakeRuntimeAPI]:
    fake = FakeRuntimeAPI()
    server = _Server(("127.0.0.1", 0), _handler_class(fake))
    fake.address = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)


class NodeRuntime:
    """One `node runtime.mjs` process, its stdout/stderr collected line by line."""

    def __init__(self, cwd: Path, api_address: str, handler: str) -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "AWS_LAMBDA_RUNTIME_API": api_address,
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": str(cwd),
            "AWS_LAMBDA_FUNCTION_NAME": "my-fn",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/my-fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
            "AWS_REGION": "us-east-1",
        }
        self.proc = subprocess.Popen(
            [NODE, str(RUNTIME)], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _drain(stream, sink: list[str]) -> None:  # noqa: ANN001
        # Bytes, split on "\n" only: a '\r' inside a log line must not end it.
        for line in stream:
            sink.append(line.decode("utf-8", "replace").removesuffix("\n"))

    def wait_exit(self, timeout: float = WAIT) -> int:
        code = self.proc.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=timeout)
        return code

    def wait_for_stdout(self, pattern: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.stdout):
                if re.fullmatch(pattern, line):
                    return line
            time.sleep(0.02)
        pytest.fail(f"no stdout line matches {pattern!r}; stdout={self.stdout!r} stderr={self.stderr!r}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=WAIT)


@pytest.fixture
def start(tmp_path: Path, api: FakeRuntimeAPI) -> Iterator[Callable[..., NodeRuntime]]:
    started: list[NodeRuntime] = []

    def _start(files: dict[str, str], handler: str = "index.handler", api_address: str | None = None) -> NodeRuntime:
        for name, text in files.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text)
        runtime = NodeRuntime(tmp_path, api_address or api.address, handler)
        started.append(runtime)
        return runtime

    try:
        yield _start
    finally:
        for runtime in started:
            runtime.kill()


# ---- invocations ------------------------------------------------------------


def test_async_esm_handler_result_and_context(start, api: FakeRuntimeAPI) -> None:
    start(
        {
            "index.mjs": """
export const handler = async (event, context) => ({
  echo: event,
  requestId: context.awsRequestId,
  arn: context.invokedFunctionArn,
  name: context.functionName,
  memory: context.memoryLimitInMB,
  remaining: context.getRemainingTimeInMillis(),
  trace: process.env._X_AMZN_TRACE_ID,
  waits: context.callbackWaitsForEmptyEventLoop,
});
"""
        }
    )
    api.invoke({"key1": "value1"}, "req-esm-1")
    posted = api.wait("response")
    assert posted.request_id == "req-esm-1"
    assert posted.headers["content-type"] == "application/json"
    body = posted.body
    assert body["echo"] == {"key1": "value1"}
    assert body["requestId"] == "req-esm-1"
    assert body["arn"] == ARN
    assert (body["name"], body["memory"], body["trace"], body["waits"]) == ("my-fn", "128", TRACE, True)
    assert 0 < body["remaining"] <= 30_000


def test_commonjs_callback_handler(start, api: FakeRuntimeAPI) -> None:
    start(
        {
            "index.js": """
exports.handler = function (event, context, callback) {
  setTimeout(() => callback(null, { doubled: event.n * 2, id: context.awsRequestId }), 20);
};
"""
        }
    )
    api.invoke({"n": 21}, "req-cb-1")
    posted = api.wait("response")
    assert posted.body == {"doubled": 42, "id": "req-cb-1"}


def test_callback_result_waits_for_the_empty_event_loop_unless_told_not_to(start, api: FakeRuntimeAPI) -> None:
    start(
        {
            "index.js": """
exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = event.wait;
  setTimeout(() => {}, 800);
  callback(null, "done");
};
"""
        }
    )
    timings = []
    for wait in (True, False):
        began = time.monotonic()
        api.invoke({"wait": wait}, f"req-wait-{wait}")
        assert api.wait("response").body == "done"
        timings.append(time.monotonic() - began)
    assert timings[0] >= 0.75  # waited for the pending timer
    assert timings[1] < 0.75  # answered at once


def test_undefined_result_is_posted_as_null(start, api: FakeRuntimeAPI) -> None:
    start({"index.mjs": "export const handler = async () => {};\n"})
    api.invoke({}, "req-null")
    assert api.wait("response").body is None


def test_handler_in_a_subdirectory(start, api: FakeRuntimeAPI) -> None:
    start({"src/app.mjs": "export const main = async (e) => e.x + 1;\n"}, handler="src/app.main")
    api.invoke({"x": 1}, "req-sub")
    assert api.wait("response").body == 2


def test_thrown_error_is_posted_to_error(start, api: FakeRuntimeAPI) -> None:
    start({"index.mjs": "export const handler = async () => { throw new TypeError('bad input'); };\n"})
    api.invoke({}, "req-err-1")
    posted = api.wait("error")
    assert posted.request_id == "req-err-1"
    assert posted.headers["lambda-runtime-function-error-type"] == "TypeError"
    assert posted.body["errorType"] == "TypeError"
    assert posted.body["errorMessage"] == "bad input"
    assert posted.body["trace"][0] == "TypeError: bad input"
    assert any("index.mjs" in line for line in posted.body["trace"][1:])
    assert api.posted["response"].empty()


def test_thrown_string_is_reported_by_its_type(start, api: FakeRuntimeAPI) -> None:
    start({"index.js": "exports.handler = async () => { throw 'nope'; };\n"})
    api.invoke({}, "req-err-2")
    posted = api.wait("error")
    assert posted.body == {"errorType": "string", "errorMessage": "nope", "trace": []}
    assert posted.headers["lambda-runtime-function-error-type"] == "string"


def test_console_log_lines_carry_timestamp_request_id_and_level(start, api: FakeRuntimeAPI) -> None:
    runtime = start(
        {
            "index.mjs": """
console.log("loading");
export const handler = async () => {
  console.log("hello");
  console.warn("careful %d", 3);
  console.error({ a: 1 });
  console.info("two\\nlines");
  return "ok";
};
"""
        }
    )
    api.invoke({}, "req-log-1")
    assert api.wait("response").body == "ok"
    runtime.wait_for_stdout(rf"{ISO}\tundefined\tINFO\tloading")
    runtime.wait_for_stdout(rf"{ISO}\treq-log-1\tINFO\thello")
    runtime.wait_for_stdout(rf"{ISO}\treq-log-1\tWARN\tcareful 3")
    runtime.wait_for_stdout(rf"{ISO}\treq-log-1\tERROR\t\{{ a: 1 \}}")
    runtime.wait_for_stdout(rf"{ISO}\treq-log-1\tINFO\ttwo\rlines")  # one line, as one CloudWatch event


def test_two_invocations_reuse_the_same_process(start, api: FakeRuntimeAPI) -> None:
    start(
        {
            "index.mjs": """
let count = 0;
export const handler = async () => ({ pid: process.pid, count: ++count });
"""
        }
    )
    api.invoke({}, "req-warm-1")
    first = api.wait("response")
    api.invoke({}, "req-warm-2")
    second = api.wait("response")
    assert (first.request_id, second.request_id) == ("req-warm-1", "req-warm-2")
    assert first.body["pid"] == second.body["pid"]
    assert (first.body["count"], second.body["count"]) == (1, 2)


# ---- init failures ------------------------------------------------------------


def _init_failure(runtime: NodeRuntime, api: FakeRuntimeAPI, error_type: str) -> Posted:
    posted = api.wait("init_error")
    assert posted.headers["lambda-runtime-function-error-type"] == error_type
    assert posted.body["errorType"] == error_type
    assert isinstance(posted.body["trace"], list)
    assert runtime.wait_exit() == 1
    assert any(re.match(rf"{ISO}\tundefined\tERROR\t.*{re.escape(error_type)}", line) for line in runtime.stderr), (
        runtime.stderr
    )
    return posted


def test_missing_module_is_an_import_module_error(start, api: FakeRuntimeAPI) -> None:
    runtime = start({"other.mjs": "export const handler = async () => 1;\n"})
    posted = _init_failure(runtime, api, "Runtime.ImportModuleError")
    assert posted.body["errorMessage"] == f"Error: Cannot find module 'index'\nRequire stack:\n- {RUNTIME}"


def test_syntax_error_is_a_user_code_syntax_error(start, api: FakeRuntimeAPI) -> None:
    runtime = start({"index.mjs": "export const handler = async () => { return ;; )\n"})
    posted = _init_failure(runtime, api, "Runtime.UserCodeSyntaxError")
    assert posted.body["errorMessage"].startswith("SyntaxError: ")


def test_missing_export_is_handler_not_found(start, api: FakeRuntimeAPI) -> None:
    runtime = start({"index.mjs": "export const other = async () => 1;\n"})
    posted = _init_failure(runtime, api, "Runtime.HandlerNotFound")
    assert posted.body["errorMessage"] == "index.handler is undefined or not exported"


def test_error_thrown_while_loading_keeps_its_name(start, api: FakeRuntimeAPI) -> None:
    runtime = start({"index.js": "null.boom;\nexports.handler = async () => 1;\n"})
    posted = _init_failure(runtime, api, "TypeError")
    assert "null" in posted.body["errorMessage"]
    assert posted.body["trace"][0].startswith("TypeError: ")


def test_refused_connection_on_next_exits_with_status_1(start) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runtime = start({"index.mjs": "export const handler = async () => 1;\n"}, api_address=f"127.0.0.1:{port}")
    assert runtime.wait_exit() == 1
