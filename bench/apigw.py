"""API Gateway benchmark: the local gateway in front of warm Lambda functions, against the same
functions invoked straight through the contract and against AWS SAM CLI's ``sam local start-api``,
measured with httpx and with wrk.

Usage (from the repository root)::

    .venv/bin/python bench/apigw.py [--requests N] [--load N] [--wrk-seconds S]
                                    [--sandboxes process,container] [--no-sam]
                                    [--sam-requests N] [--sam-seconds S] [--json]

A run takes about two minutes. The only traffic is to 127.0.0.1 and to containers started here.

What the comparison needs, each optional (without it the bench says so, with the remedy, and
measures the rest):

* **wrk** (a compiled load generator, not a Python package): ``apt-get install -y wrk``.
* **Docker** (``DOCKER_HOST`` or /var/run/docker.sock), for the container sandbox and SAM, with
  the test image ``computetui-test/lambda-python`` (built when missing by
  ``.venv/bin/python -m tests.support.images``, as root with debootstrap; no registry).
* **AWS SAM CLI** in a venv of its own, ``.venv-sam``, not the project's lock::

      .venv/bin/python bench/sam.py setup

  which runs ``python3 -m venv .venv-sam && .venv-sam/bin/pip install aws-sam-cli`` and builds
  the image SAM runs a python3.12 function in, ``public.ecr.aws/lambda/python:3.12-x86_64``,
  from the test image (no registry is reached: SAM runs with ``--skip-pull-image``). This
  bench builds that image itself when it is missing; bench/sam.py says how it is made and how
  SAM is started and stopped (telemetry off, dummy credentials, region us-east-1, the AWS
  endpoints and any proxy pointed at the closed port 127.0.0.1:9).

What it measures, in one run:

1. **The gateway's own cost** (process sandbox, interleaved, three rounds of each, medians of
   the rounds): ``--requests`` keep-alive GETs (``http.client``) on one connection to an HTTP
   API made by quick create in front of a Python function that returns at once (payload 2.0),
   against as many ``lambda_.invoke`` calls of it with a payload of the same size.
2. **Concurrency**: 8 clients at once, each with 25 requests to a route whose function sleeps
   50 ms: how long all 200 take, against 200 x 50 ms / 8 if none waited for another.
3. **The table**: the sample's hello-world function (the ``hello-world-python`` blueprint the
   sample workload makes: python3.12, ``lambda_function.lambda_handler``, three ``print`` lines
   and a small JSON answer; 128 MB, 3 s) behind an HTTP API (quick create, as the sample's
   ``hello-api``), ``GET /hello``, at 1 and at 8 connections, per target:

   * **computetui, process sandbox** and **computetui, container sandbox** (the test image;
     the emulator's Runtime API, no Runtime Interface Emulator), each through the gateway and,
     as the baseline without HTTP, ``lambda_.invoke`` straight from threads of this process
     (``--load`` calls each);
   * **SAM**: ``sam local start-api --warm-containers EAGER`` of the same function (the same
     handler file) with one ``HttpApi`` event, ``GET /hello`` (bench/sam.py), in a container of
     ``public.ecr.aws/lambda/python:3.12-x86_64`` with SAM's own ``aws-lambda-rie``. SAM closes
     every connection after its answer, so its "keep-alive" clients connect anew each time;
     bench/sam.py says where its one-second p99 comes from.

   and per tool:

   * **httpx**: keep-alive clients, one ``httpx.Client`` each, threads of a Python process of
     their own (the client's own cost is in the figures: more than ``http.client``'s), ``--load``
     requests each (SAM: ``--sam-requests`` in all, at most ``--sam-seconds``);
   * **wrk**: one wrk thread holding 1 or 8 keep-alive connections for ``--wrk-seconds``, after a
     1 s warm-up at 8 (bench/wrk.py; latency percentiles from wrk's own histogram). SAM is
     slow: its rows stop at ``--sam-requests`` answers or after ``--sam-seconds``, whichever is
     first (a Lua hook counts the answers; the rate is theirs over the time they took).

   p50, p99 and requests per second; ``x SAM`` is the row's req/s over SAM's with the same tool
   and connections. Before a target is measured its environments are warmed: 8 clients x 20
   requests (the process and container sandboxes start one execution environment per
   concurrent request; SAM's EAGER container is started with it). The issue's reference
   figures for SAM on this machine close the table (p50 8.5 ms and 78.5 req/s one at a time,
   136 req/s with 8 clients).

Targets: through the gateway at 8 connections >= 1,000 req/s and p99 <= 10 ms (process
sandbox); the gateway adds <= 1 ms to an invoke. Benchmarks print figures; tests never assert a
time. On a shared machine the figures are noisy: compare rows of one run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import sam as sam_cli  # noqa: E402
from bench import wrk  # noqa: E402
from bench.common import BenchError, until  # noqa: E402
from bench.common import version as dist_version  # noqa: E402

SOURCE = '''
import time
def handler(event, context):
    if event.get("rawPath") == "/slow":
        time.sleep(0.05)
    return {"statusCode": 200, "body": "ok"}
'''
CLIENTS = 8
PER_CLIENT = 25
SLEEP_S = 0.05
CONNECTIONS = (1, 8)
HELLO_FUNCTION = "hello-world"
HELLO_BODY = b'"Hello from Lambda!"'
ROUTE = sam_cli.ROUTE  # /hello, the same path on both
SAM_REFERENCE = {1: (0.0085, 78.5), 8: (None, 136.0)}  # issue 13, this machine: (p50 s, req/s)


# -- the gateway's own cost and concurrency (the "bench" function) ---------------------------

def through(url: str, count: int) -> list[float]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    samples = []
    try:
        for _ in range(count):
            begin = time.perf_counter()
            conn.request("GET", parts.path + "/")
            answer = conn.getresponse()
            if answer.read() != b"ok":
                raise BenchError(f"unexpected answer {answer.status}")
            samples.append(time.perf_counter() - begin)
    finally:
        conn.close()
    return samples


def straight(backend: Any, payload: bytes, count: int, function: str = "bench") -> list[float]:
    samples = []
    for _ in range(count):
        begin = time.perf_counter()
        result = backend.lambda_.invoke(function, payload)
        if result.function_error:
            raise BenchError(result.payload.decode())
        samples.append(time.perf_counter() - begin)
    return samples


def concurrent(url: str) -> float:
    def client(_: int) -> None:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
        try:
            for _ in range(PER_CLIENT):
                conn.request("GET", parts.path + "/slow")
                conn.getresponse().read()
        finally:
            conn.close()
    begin = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    return time.perf_counter() - begin


# -- the table -------------------------------------------------------------------------------

@dataclass
class Row:
    target: str
    tool: str
    connections: int
    requests: int = 0
    p50_s: float | None = None
    p99_s: float | None = None
    rps: float | None = None
    errors: int = 0
    note: str = ""  # why there are no figures, or what they are


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


HTTPX_CLIENT = """
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
import httpx
url, clients, each, longest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
def client(_):
    samples, errors = [], 0
    # trust_env=False: no proxy from the environment, only 127.0.0.1
    with httpx.Client(timeout=10, trust_env=False, limits=httpx.Limits(max_connections=1)) as http:
        for _ in range(each):
            if time.monotonic() > deadline:
                break
            begin = time.perf_counter()
            answer = http.get(url)
            samples.append(time.perf_counter() - begin)
            errors += answer.status_code != 200
    return samples, errors
deadline = time.monotonic() + longest
begin = time.perf_counter()
with ThreadPoolExecutor(clients) as pool:
    results = list(pool.map(client, range(clients)))
elapsed = time.perf_counter() - begin
print(json.dumps({"samples": [s for r in results for s in r[0]], "errors": sum(r[1] for r in results),
                  "elapsed": elapsed}))
"""


def with_httpx(target: str, url: str, clients: int, each: int, longest_s: float) -> Row:
    """``clients`` keep-alive httpx clients at once, ``each`` requests each (stopping after
    ``longest_s``), in a process of their own (not sharing this one's interpreter with the gateway)."""
    try:
        done = subprocess.run([sys.executable, "-c", HTTPX_CLIENT, url, str(clients), str(each), str(longest_s)],
                              capture_output=True, text=True, timeout=longest_s + 60, check=True,
                              stdin=subprocess.DEVNULL)
    except subprocess.CalledProcessError as exc:
        raise BenchError(f"the httpx client failed: {exc.stderr[-800:]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"the httpx client did not end within {longest_s + 60:g} s") from exc
    answer = json.loads(done.stdout)
    samples = answer["samples"]
    if not samples:
        raise BenchError(f"the httpx client sent nothing to {url} in {longest_s:g} s")
    p50, p99 = percentiles(samples)
    return Row(target, "httpx", clients, len(samples), p50, p99, len(samples) / answer["elapsed"], answer["errors"])


def with_wrk(executable: str, target: str, url: str, connections: int, seconds: int, limit: int | None = None) -> Row:
    result = wrk.run(executable, url, connections, seconds, limit)
    return Row(target, "wrk", connections, result.requests, result.p50_s, result.p99_s, result.rps, result.errors)


def with_invoke(target: str, backend: Any, payload: bytes, threads: int, each: int) -> Row:
    """``lambda_.invoke`` straight, from ``threads`` threads of this process at once."""
    begin = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        batches = list(pool.map(lambda _: straight(backend, payload, each, HELLO_FUNCTION), range(threads)))
    elapsed = time.perf_counter() - begin
    samples = [s for batch in batches for s in batch]
    p50, p99 = percentiles(samples)
    return Row(target, "invoke", threads, len(samples), p50, p99, len(samples) / elapsed)


def warm(url: str) -> None:
    """An execution environment for each of 8 concurrent requests (and SAM's first answer)."""
    with_httpx("warm-up", url, CLIENTS, 20, 30.0)


def check_hello(url: str) -> None:
    with contextlib.closing(http.client.HTTPConnection("127.0.0.1", urlsplit(url).port, timeout=30)) as conn:
        conn.request("GET", urlsplit(url).path)
        answer = conn.getresponse()
        body = answer.read()
    if answer.status != 200 or body != HELLO_BODY:
        raise BenchError(f"GET {url}: {answer.status} {body[:200]!r}, not the hello-world answer")


def create_hello(backend: Any) -> str:
    """The sample's hello-world function and, in front of it, an HTTP API by quick create (as the
    sample's hello-api); the URL of GET /hello."""
    from computetui.blueprints import blueprint

    hello = blueprint("hello-world-python")
    made = backend.lambda_.create_function(HELLO_FUNCTION, runtime=hello.runtime, handler=hello.handler,
                                           code={"ZipFile": hello.zip()}, memory_size=128, timeout=3)
    until(lambda: backend.lambda_.get_function(HELLO_FUNCTION).configuration.state.value == "Active", "Active")
    api = backend.apigateway.create_api(name="hello-api", target=made.function_arn)
    return api.api_endpoint.rstrip("/") + ROUTE


def hello_payload(url: str) -> bytes:
    """About the event the gateway builds for GET /hello (payload 2.0), for the straight invokes."""
    return json.dumps({"version": "2.0", "routeKey": "$default", "rawPath": ROUTE, "rawQueryString": "",
                       "headers": {"host": urlsplit(url).netloc, "user-agent": "bench", "accept": "*/*"},
                       "requestContext": {"http": {"method": "GET", "path": ROUTE, "protocol": "HTTP/1.1",
                                                   "sourceIp": "127.0.0.1"}, "stage": "$default"},
                       "isBase64Encoded": False, "body": "x" * 400}).encode()


@dataclass
class Tools:
    wrk: str | None
    load: int
    wrk_seconds: int
    sam_requests: int
    sam_seconds: int


def emulator_rows(target: str, backend: Any, url: str, tools: Tools) -> list[Row]:
    check_hello(url)
    warm(url)
    payload = hello_payload(url)
    straight(backend, payload, 20, HELLO_FUNCTION)
    rows = [with_invoke(f"{target}, lambda_.invoke", backend, payload, n, tools.load) for n in CONNECTIONS]
    rows += [with_httpx(target, url, n, tools.load, 120.0) for n in CONNECTIONS]
    if tools.wrk:
        wrk.run(tools.wrk, url, CLIENTS, 1)  # warm-up
        rows += [with_wrk(tools.wrk, target, url, n, tools.wrk_seconds) for n in CONNECTIONS]
    return rows


def sam_rows(target: str, url: str, tools: Tools) -> list[Row]:
    check_hello(url)
    warm(url)
    rows = [with_httpx(target, url, n, max(1, tools.sam_requests // n), float(tools.sam_seconds)) for n in CONNECTIONS]
    if tools.wrk:
        rows += [with_wrk(tools.wrk, target, url, n, tools.sam_seconds, tools.sam_requests) for n in CONNECTIONS]
    return rows


@contextlib.contextmanager
def container_backend(state: Path) -> Iterator[Any]:
    """A backend whose Lambda functions run in containers of the test image; BenchError if there
    is no engine or no image."""
    try:
        import docker

        client = docker.from_env()
        client.ping()
    except Exception as exc:
        raise BenchError(f"no Docker engine ({exc}): start Docker, or set DOCKER_HOST") from exc
    from computetui.backends.local import LocalBackend
    from tests.support.images import LAMBDA_PYTHON_IMAGE, ensure_lambda_python_image

    try:
        ensure_lambda_python_image(client)
    except Exception as exc:
        raise BenchError(f"the image {LAMBDA_PYTHON_IMAGE} is missing and cannot be built ({exc}); build it as "
                         "root with debootstrap: .venv/bin/python -m tests.support.images") from exc
    finally:
        client.close()
    backend = LocalBackend(state, lambda_sandbox="container", lambda_images={"python3.12": LAMBDA_PYTHON_IMAGE},
                           apigateway_port=0)
    try:
        yield backend
    finally:
        backend.close()


def sam_target(tools: Tools, skip: str | None,
               measure: Callable[[str], list[Row]]) -> tuple[list[Row], str, float | None]:
    """SAM's rows, its version and how long it took to answer (s), or one row saying why not and how."""
    target = "SAM start-api EAGER"
    if skip:
        return [Row(target, "-", 0, note=skip)], "", None
    executable = sam_cli.find_sam()
    if executable is None:
        return [Row(target, "-", 0, note=f"no SAM CLI in {sam_cli.VENV}: {sam_cli.SETUP_HINT}")], "", None
    try:
        import docker

        client = docker.from_env()
        client.ping()
    except Exception as exc:
        return [Row(target, "-", 0, note=f"no Docker engine ({exc}): start Docker, or set DOCKER_HOST")], "", None
    try:
        version = sam_cli.sam_version(executable)
        try:
            sam_cli.ensure_base_image(client)
        except BenchError as exc:
            return [Row(target, "-", 0, note=str(exc))], version, None
        try:
            with sam_cli.SamApi(executable, client) as api:
                rows = measure(api.url)
                started = api.start_s
        except BenchError as exc:
            return [Row(target, "-", 0, note=f"sam local start-api failed: {exc}")], version, None
        return rows, version, started
    finally:
        client.close()


def render(rows: list[Row]) -> list[str]:
    sam_rps = {(r.tool, r.connections): r.rps for r in rows if r.target.startswith("SAM") and r.rps}
    lines = [f"  {'target':<38} {'tool':<6} {'conns':>5} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} "
             f"{'req/s':>7} {'x SAM':>6}"]
    for r in rows:
        if r.rps is None and r.p50_s is None:
            lines.append(f"  {r.target:<38} {r.note}")
            continue
        ratio = sam_rps.get((r.tool, r.connections))
        versus = f"{r.rps / ratio:5.1f}x" if ratio and r.rps and not r.target.startswith("SAM") else ""
        p50 = f"{r.p50_s * 1000:8.2f}" if r.p50_s is not None else f"{'-':>8}"
        p99 = f"{r.p99_s * 1000:8.2f}" if r.p99_s is not None else f"{'-':>8}"
        requests = str(r.requests) if r.requests else "-"
        lines.append(f"  {r.target:<38} {r.tool:<6} {r.connections:>5} {requests:>8} {p50} {p99} "
                     f"{r.rps:>7,.0f} {versus:>6}" + (f"  {r.errors} errors" if r.errors else "")
                     + (f"  ({r.note})" if r.note else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests a round for the gateway's own cost")
    parser.add_argument("--load", type=int, default=500,
                        help="requests (or invokes) per client in the httpx and invoke rows of the emulator")
    parser.add_argument("--wrk-seconds", type=int, default=5, help="seconds of each wrk row of the emulator")
    parser.add_argument("--sandboxes", default="process,container",
                        help="the emulator's Lambda sandboxes to put in the table (process, container)")
    parser.add_argument("--no-sam", action="store_true", help="leave SAM out")
    parser.add_argument("--sam-requests", type=int, default=300, help="about how many requests each SAM row sends")
    parser.add_argument("--sam-seconds", type=int, default=20, help="the most seconds of each SAM row")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sandboxes = [s.strip() for s in args.sandboxes.split(",") if s.strip()]
    if set(sandboxes) - {"process", "container"}:
        parser.error(f"--sandboxes: process, container; not {args.sandboxes}")

    from computetui.backends.local import LocalBackend
    from tests.support.fakes import StaticEngine

    began = time.perf_counter()
    wrk_executable = wrk.find()
    no_wrk = f"wrk is not installed, so the table has no wrk rows; to add them: {wrk.INSTALL_HINT}"
    if wrk_executable is None:
        print(f"note: {no_wrk}", file=sys.stderr)
    tools = Tools(wrk_executable, args.load, args.wrk_seconds, args.sam_requests, args.sam_seconds)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        backend = LocalBackend(Path(tmp) / "state", lambda_sandbox="process", engine=StaticEngine(), apigateway_port=0)
        try:
            made = backend.lambda_.create_function("bench", runtime="python3.12", handler="app.handler",
                                                   code={"ZipFile": zip_source()})
            until(lambda: backend.lambda_.get_function("bench").configuration.state.value == "Active", "Active")
            api = backend.apigateway.create_api(name="bench", target=made.function_arn)
            payload = json.dumps({"rawPath": "/", "headers": {"host": "127.0.0.1"}, "body": "x" * 600}).encode()
            through(api.api_endpoint, 20)  # warm both paths
            straight(backend, payload, 20)
            gateway_rounds, direct_rounds = [], []
            for _ in range(3):
                gateway_rounds.append(statistics.median(through(api.api_endpoint, args.requests)))
                direct_rounds.append(statistics.median(straight(backend, payload, args.requests)))
            concurrent(api.api_endpoint)  # environments for every client, once
            together = concurrent(api.api_endpoint)
            if "process" in sandboxes:
                rows += emulator_rows("computetui, process", backend, create_hello(backend), tools)
        except BenchError as exc:
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        finally:
            backend.close()
        if "container" in sandboxes:
            try:
                with container_backend(Path(tmp) / "state-container") as in_containers:
                    rows += emulator_rows("computetui, container", in_containers, create_hello(in_containers), tools)
            except BenchError as exc:
                rows.append(Row("computetui, container", "-", 0, note=f"not measured: {exc}"))
    sam_rows_made, sam_version, sam_started = sam_target(
        tools, "left out (--no-sam)" if args.no_sam else None, lambda url: sam_rows("SAM start-api EAGER", url, tools))
    rows += sam_rows_made
    for n, (p50, rps) in SAM_REFERENCE.items():
        rows.append(Row("SAM, the issue's figures", "?", n, p50_s=p50, rps=rps))
    elapsed = time.perf_counter() - began

    gateway_s, direct_s = statistics.median(gateway_rounds), statistics.median(direct_rounds)
    ideal = PER_CLIENT * SLEEP_S  # each client's requests one after another, the clients side by side
    versions = {"wrk": wrk.version(wrk_executable) if wrk_executable else None, "httpx": dist_version("httpx"),
                "sam": sam_version or None}
    figures = {"gateway_p50_s": gateway_s, "invoke_p50_s": direct_s, "gateway_adds_s": gateway_s - direct_s,
               "concurrent_s": together, "concurrent_ideal_s": ideal, "requests": args.requests,
               "versions": versions, "sam_start_s": sam_started, "elapsed_s": elapsed,
               "rows": [asdict(r) for r in rows]}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"API Gateway (HTTP API, payload 2.0), medians of 3 rounds of {args.requests}:")
    print(f"  GET through the gateway, warm     {gateway_s * 1000:6.2f} ms")
    print(f"  lambda_.invoke straight           {direct_s * 1000:6.2f} ms")
    print(f"  the gateway adds                  {(gateway_s - direct_s) * 1000:6.2f} ms")
    print(f"  {CLIENTS} clients x {PER_CLIENT} requests of {SLEEP_S * 1000:g} ms each: {together:.2f} s "
          f"(none waiting for another: {ideal:.2f} s)")
    print()
    used = ", ".join(f"{k} {v}" for k, v in versions.items() if v)
    print(f"GET {ROUTE} to the sample's hello-world function (python3.12), warm; {used}"
          + (f"; SAM's first answer {sam_started:.1f} s after its start" if sam_started else "") + ":")
    print(f"  httpx: {args.load} requests a client"
          + (f"; wrk: {args.wrk_seconds} s a row after 1 s at {CLIENTS}" if wrk_executable else "")
          + (f"; SAM: about {args.sam_requests} requests a row, at most {args.sam_seconds} s" if sam_started else ""))
    for line in render(rows):
        print(line)
    print("  (target through the gateway, process sandbox, at 8: >= 1,000 req/s, p99 <= 10 ms)")
    if wrk_executable is None:
        print(f"  {no_wrk}")
    print(f"run took {elapsed:.0f} s")
    return 0


def zip_source() -> bytes:
    from computetui.blueprints import zip_files

    return zip_files({"app.py": SOURCE})


if __name__ == "__main__":
    raise SystemExit(main())
