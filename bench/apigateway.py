"""API Gateway benchmark: a request through the local gateway to a warm Lambda function, against
the same function invoked straight through the contract; and concurrent requests.

Usage (from the repository root)::

    .venv/bin/python bench/apigateway.py [--requests N] [--json]

No Docker needed: the function runs in the process sandbox. The only traffic is to 127.0.0.1.

What it measures, in one run, interleaved (three rounds of each, medians of the rounds):

* **through the gateway**: ``N`` keep-alive GETs on one connection to an HTTP API made by quick
  create in front of a Python function that returns at once (payload 2.0): the event built,
  the function invoked warm, its answer mapped, all on the controller's loop.
* **straight**: ``N`` ``lambda_.invoke`` calls of the same function with a payload of the
  same size, from this thread.
* **concurrent**: 8 clients at once, each with 25 requests to a route whose function sleeps
  50 ms: how long all 200 take, against 200 × 50 ms / 8 if none waited for another.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BenchError, until  # noqa: E402

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


def straight(backend: Any, payload: bytes, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        begin = time.perf_counter()
        result = backend.lambda_.invoke("bench", payload)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from computetui.backends.local import LocalBackend
    from computetui.blueprints import zip_files
    from tests.support.fakes import StaticEngine

    with tempfile.TemporaryDirectory() as tmp:
        backend = LocalBackend(Path(tmp) / "state", lambda_sandbox="process", engine=StaticEngine(), apigateway_port=0)
        try:
            made = backend.lambda_.create_function("bench", runtime="python3.12", handler="app.handler",
                                                   code={"ZipFile": zip_files({"app.py": SOURCE})})
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
        except BenchError as exc:
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        finally:
            backend.close()
    gateway_s, direct_s = statistics.median(gateway_rounds), statistics.median(direct_rounds)
    ideal = PER_CLIENT * SLEEP_S  # each client's requests one after another, the clients side by side
    figures = {"gateway_p50_s": gateway_s, "invoke_p50_s": direct_s, "gateway_adds_s": gateway_s - direct_s,
               "concurrent_s": together, "concurrent_ideal_s": ideal, "requests": args.requests}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"API Gateway (HTTP API, payload 2.0), medians of 3 rounds of {args.requests}:")
    print(f"  GET through the gateway, warm     {gateway_s * 1000:6.2f} ms")
    print(f"  lambda_.invoke straight           {direct_s * 1000:6.2f} ms")
    print(f"  the gateway adds                  {(gateway_s - direct_s) * 1000:6.2f} ms")
    print(f"  {CLIENTS} clients x {PER_CLIENT} requests of {SLEEP_S * 1000:g} ms each: {together:.2f} s "
          f"(none waiting for another: {ideal:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
