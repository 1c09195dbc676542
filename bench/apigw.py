"""API Gateway benchmark: a request through the local gateway to a warm Lambda function, against
the same function invoked straight through the contract; and concurrent requests.

Usage (from the repository root)::

    .venv/bin/python bench/apigw.py [--requests N] [--json]

No Docker needed: the function runs in the process sandbox. The only traffic is to 127.0.0.1.

What it measures, in one run, interleaved (three rounds of each, medians of the rounds):

* **through the gateway**: ``N`` keep-alive GETs on one connection to an HTTP API made by quick
  create in front of a Python function that returns at once (payload 2.0): the event built,
  the function invoked warm, its answer mapped, all on the controller's loop.
* **straight**: ``N`` ``lambda_.invoke`` calls of the same function with a payload of the
  same size, from this thread.
* **load**: 1 and then 8 keep-alive clients (threads of a Python process of their own: the
  client's own cost is in the figures) sending ``--load`` requests each to the warm route: p50,
  p99 and requests per second.
* **concurrent**: 8 clients at once, each with 25 requests to a route whose function sleeps
  50 ms: how long all 200 take, against 200 × 50 ms / 8 if none waited for another.

Not measured here yet: a compiled load generator (``wrk``) and ``sam local start-api`` side by
side (issue 13's comparison).
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


LOAD_CLIENT = """
import http.client, json, sys, time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit
url, clients, each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parts = urlsplit(url)
def client(_):
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    samples = []
    for _ in range(each):
        begin = time.perf_counter()
        conn.request("GET", parts.path + "/")
        conn.getresponse().read()
        samples.append(time.perf_counter() - begin)
    conn.close()
    return samples
begin = time.perf_counter()
with ThreadPoolExecutor(clients) as pool:
    samples = sorted(s for batch in pool.map(client, range(clients)) for s in batch)
print(json.dumps({"samples": samples, "elapsed": time.perf_counter() - begin}))
"""


def load(url: str, clients: int, each: int) -> tuple[float, float, float]:
    """(p50 s, p99 s, requests per second) of ``clients`` keep-alive clients at once, run in a
    process of their own (so they do not share this process's interpreter with the gateway)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", LOAD_CLIENT, url, str(clients), str(each)], capture_output=True,
                          text=True, timeout=300, check=True)
    answer = json.loads(done.stdout)
    samples = answer["samples"]
    return samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * 0.99))], \
        len(samples) / answer["elapsed"]


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
    parser.add_argument("--load", type=int, default=500, help="requests per client in the load runs")
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
            one = load(api.api_endpoint, 1, args.load)
            eight = load(api.api_endpoint, 8, args.load)
        except BenchError as exc:
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        finally:
            backend.close()
    gateway_s, direct_s = statistics.median(gateway_rounds), statistics.median(direct_rounds)
    ideal = PER_CLIENT * SLEEP_S  # each client's requests one after another, the clients side by side
    figures = {"gateway_p50_s": gateway_s, "invoke_p50_s": direct_s, "gateway_adds_s": gateway_s - direct_s,
               "concurrent_s": together, "concurrent_ideal_s": ideal, "requests": args.requests,
               "load_1": {"p50_s": one[0], "p99_s": one[1], "rps": one[2]},
               "load_8": {"p50_s": eight[0], "p99_s": eight[1], "rps": eight[2]}}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"API Gateway (HTTP API, payload 2.0), medians of 3 rounds of {args.requests}:")
    print(f"  GET through the gateway, warm     {gateway_s * 1000:6.2f} ms")
    print(f"  lambda_.invoke straight           {direct_s * 1000:6.2f} ms")
    print(f"  the gateway adds                  {(gateway_s - direct_s) * 1000:6.2f} ms")
    print(f"  {CLIENTS} clients x {PER_CLIENT} requests of {SLEEP_S * 1000:g} ms each: {together:.2f} s "
          f"(none waiting for another: {ideal:.2f} s)")
    for label, (p50, p99, rps) in (("1 client ", one), ("8 clients", eight)):
        print(f"  {label} x {args.load}: p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, {rps:,.0f} req/s "
              "(target at 8: >= 1,000 req/s, p99 <= 10 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
