"""Lambda benchmark: how many container execution environments can live at once before
an invocation's latency grows, beside the same count of bare containers of the same image.

Usage (from the repository root)::

    .venv/bin/python bench/lambda_environments.py [--max N] [--budget S] [--step K] [--json]

Two passes, one after the other, each growing a set of live containers one at
a time up to ``--max`` (default 50, the target on 2 cores; at most 200):

1. **Ours**: function ``fn<k>`` (a one-line Python handler) is created and
   invoked once through the contract (``backend.lambda_.invoke``) of a
   ``LocalBackend`` with ``lambda_sandbox="container"`` and
   ``tests.support.images.LAMBDA_PYTHON_IMAGE``: a new execution environment,
   which then stays alive, idle. At each count k: the wall time of that cold
   invoke, and the median of ``--warm`` warm invokes of ``fn0`` (the first
   environment), the latency a caller sees with k environments alive. The
   pass ends with ``close()``, timed.
2. **Bare**: the same image, the same 128 MB limit, created and started
   through the docker SDK (create + start, what the engine does for every
   environment), running ``python3 -c "import awslambdaric.bootstrap, time;
   time.sleep(...)"``: the interpreter with the runtime client loaded, idle, as
   an environment waits for work. At each count k: the wall time of create +
   start. Then all are removed, side by side, timed.

A figure has *grown* at k when the median of its last 3 samples is more than
twice the median of its first 3. The script prints the last count before each
figure grew (or that it did not, up to the count reached). It is bounded:
each pass stops at ``--max`` or when it has used ``--budget`` seconds
(default 240), each invoke is given 60 s (past that it counts as hung and the
pass stops), and every container it made is removed at the end, also on
Ctrl-C or an error. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from computetui.backends.local import LocalBackend  # noqa: E402
from computetui.backends.local.lambda_.runtime import LambdaRuntime  # noqa: E402
from computetui.blueprints import zip_files  # noqa: E402

TARGET = 50
HARD_MAX = 200
INVOKE_BOUND_S = 60.0
CLOSE_BOUND_S = 120.0
GROWTH = 2.0
WINDOW = 3
MEMORY_MB = 128
RUNTIME = "python3.12"  # any Python runtime; lambda_images maps it to the test image
BARE_SLEEP_S = 3600  # the bare containers are removed at the end; this only bounds a crash's leftovers
BENCH_LABEL = "computetui.bench"


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ms(seconds: float) -> float:
    return seconds * 1000


def within(bound_s: float, fn: Any, *args: Any) -> Any:
    """``fn(*args)`` on a daemon thread; TimeoutError if it has not returned in ``bound_s``."""
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["result"] = fn(*args)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(bound_s)
    if thread.is_alive():
        raise TimeoutError(f"{getattr(fn, '__name__', fn)} did not return within {bound_s:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def grew_after(samples: list[float]) -> int | None:
    """The last count (1-based) before the figure grew: the median of the WINDOW samples ending
    at a count is over GROWTH times the median of the first WINDOW. None if it never did."""
    if len(samples) < 2 * WINDOW:
        return None
    base = statistics.median(samples[:WINDOW])
    for end in range(2 * WINDOW, len(samples) + 1):
        if statistics.median(samples[end - WINDOW : end]) > GROWTH * base:
            return end - 1
    return None


def verdict(samples: list[float], reached: int) -> str:
    count = grew_after(samples)
    if count is None:
        return f"did not grow up to {reached}"
    return f"grew after {count}"


# -- ours ---------------------------------------------------------------------------
def our_pass(image: str, limit: int, budget_s: float, warm: int, step: int) -> dict[str, Any]:
    state = tempfile.mkdtemp(prefix="computetui-bench-envs-")
    backend = LocalBackend(Path(state) / "state", lambda_sandbox="container", lambda_images={RUNTIME: image})
    runtime = backend.part(LambdaRuntime)
    cold: list[float] = []
    warm_p50: list[float] = []
    stopped = "max reached"
    began = time.monotonic()
    try:
        for k in range(limit):
            if time.monotonic() - began > budget_s:
                stopped = f"budget of {budget_s:g} s used"
                break
            name = f"fn{k}"
            backend.lambda_.create_function(
                function_name=name, runtime=RUNTIME, handler="lambda_function.handler", memory_size=MEMORY_MB,
                code={"ZipFile": zip_files({"lambda_function.py": "def handler(event, context):\n    return 1\n"})},
            )
            started = time.perf_counter()
            try:
                result = within(INVOKE_BOUND_S, backend.lambda_.invoke, name)
            except TimeoutError:
                stopped = f"the cold invoke of environment {k + 1} hung (over {INVOKE_BOUND_S:g} s)"
                break
            cold.append(ms(time.perf_counter() - started))
            if result.function_error is not None or result.sandbox != "container":
                stopped = f"environment {k + 1}: {result.sandbox} sandbox, {result.payload[:200]!r}"
                break
            samples = []
            for _ in range(warm):
                started = time.perf_counter()
                within(INVOKE_BOUND_S, backend.lambda_.invoke, "fn0")
                samples.append(ms(time.perf_counter() - started))
            warm_p50.append(statistics.median(samples))
            alive = len(runtime.environments())
            if alive != k + 1:
                stopped = f"{alive} environments alive after {k + 1} cold starts"
                break
            if (k + 1) % step == 0 or k == 0:
                note(f"ours: {k + 1:3d} alive: cold invoke {cold[-1]:7.1f} ms, warm p50 {warm_p50[-1]:6.2f} ms")
    finally:
        reached = len(cold)
        started = time.perf_counter()
        close_error = None
        try:
            within(CLOSE_BOUND_S, backend.close)
        except Exception as exc:
            close_error = f"{type(exc).__name__}: {exc}"
        closed_ms = ms(time.perf_counter() - started)
    return {"reached": reached, "stopped": stopped, "cold_invoke_ms": cold, "warm_p50_ms": warm_p50,
            "close_ms": closed_ms, "close_error": close_error}


# -- bare ---------------------------------------------------------------------------
def bare_pass(client: Any, image: str, limit: int, budget_s: float, step: int) -> dict[str, Any]:
    label = {BENCH_LABEL: f"{os.getpid()}-{uuid.uuid4().hex[:8]}"}
    code = f"import awslambdaric.bootstrap, time; time.sleep({BARE_SLEEP_S})"
    made: list[Any] = []
    start_ms: list[float] = []
    stopped = "max reached"
    began = time.monotonic()
    try:
        for k in range(limit):
            if time.monotonic() - began > budget_s:
                stopped = f"budget of {budget_s:g} s used"
                break
            started = time.perf_counter()
            container = client.containers.create(
                image, entrypoint=["python3", "-c", code], command=None, labels=label,
                mem_limit=f"{MEMORY_MB}m", memswap_limit=f"{MEMORY_MB}m",
            )
            made.append(container)
            container.start()
            start_ms.append(ms(time.perf_counter() - started))
            if (k + 1) % step == 0 or k == 0:
                note(f"bare: {k + 1:3d} alive: create + start {start_ms[-1]:7.1f} ms")
    finally:
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(8) as removers:
            list(removers.map(lambda c: c.remove(force=True), made))
        removed_ms = ms(time.perf_counter() - started)
    return {"reached": len(start_ms), "stopped": stopped, "create_start_ms": start_ms, "remove_all_ms": removed_ms}


# -- the report ---------------------------------------------------------------------
def table(ours: dict[str, Any], bare: dict[str, Any], step: int) -> list[str]:
    rows = ["| alive | ours: cold invoke ms | ours: warm p50 ms | bare: create + start ms |", "|---|---|---|---|"]
    count = max(ours["reached"], bare["reached"])
    for k in range(count):
        if not ((k + 1) % step == 0 or k == 0 or k == count - 1):
            continue

        def cell(samples: list[float], k: int = k, digits: int = 1) -> str:
            return f"{samples[k]:.{digits}f}" if k < len(samples) else "-"

        rows.append(f"| {k + 1} | {cell(ours['cold_invoke_ms'])} | {cell(ours['warm_p50_ms'], digits=2)} "
                    f"| {cell(bare['create_start_ms'])} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=TARGET, help=f"environments to grow to (at most {HARD_MAX})")
    parser.add_argument("--budget", type=float, default=240.0, help="seconds each pass may take")
    parser.add_argument("--warm", type=int, default=10, help="warm invokes of fn0 at each count")
    parser.add_argument("--step", type=int, default=5, help="print every STEP counts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    limit = max(1, min(args.max, HARD_MAX))
    try:
        import docker

        client = docker.from_env()
        client.ping()
    except Exception as exc:
        print(f"skipped: no Docker engine ({exc})")
        return 0
    from tests.support.images import LAMBDA_PYTHON_IMAGE, ensure_lambda_python_image

    try:
        image = ensure_lambda_python_image(client)
    except Exception as exc:
        print(f"skipped: the image {LAMBDA_PYTHON_IMAGE} is missing and cannot be built: {exc}")
        return 0
    load = os.getloadavg()
    try:
        ours = our_pass(image, limit, args.budget, args.warm, args.step)
        bare = bare_pass(client, image, limit, args.budget, args.step)
        engine_version = client.version().get("Version", "?")
    finally:
        client.close()
    print(f"Lambda container environments alive at once: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"engine {engine_version}, load {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"ours: {ours['reached']} environments ({ours['stopped']}); close() {ours['close_ms']:.0f} ms"
          + (f", raised {ours['close_error']}" if ours["close_error"] else ", raised nothing"))
    print(f"bare: {bare['reached']} containers ({bare['stopped']}); removing them all {bare['remove_all_ms']:.0f} ms")
    print("\n".join(table(ours, bare, args.step)))
    print(f"cold invoke: {verdict(ours['cold_invoke_ms'], ours['reached'])}; "
          f"warm p50: {verdict(ours['warm_p50_ms'], ours['reached'])}; "
          f"bare create + start: {verdict(bare['create_start_ms'], bare['reached'])} "
          f"(grown: the median of {WINDOW} over {GROWTH:g}x that of the first {WINDOW}; target {TARGET} alive)")
    if args.json:
        print(json.dumps({"ours": ours, "bare": bare, "image": image, "engine_version": engine_version}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
