"""Reliability benchmark: a noisy neighbour, failover, and what a flood of output costs.

Usage (from the repository root)::

    .venv/bin/python bench/reliability.py [--noise-mb 100] [--quiet-calls 300] [--failovers 5] [--json]

What it measures, in one run
----------------------------
1. **A noisy neighbour**: two functions on one ``LocalBackend`` with a state dir
   on disk (process sandbox, ``StaticEngine``). ``quiet`` is the hello-world
   blueprint; ``noisy`` prints ``--noise-mb`` MB of 100-byte lines and has a 3 s
   timeout. First ``quiet`` alone: its warm latency over ``--quiet-calls`` calls
   (the baseline). Then the same calls while ``noisy`` runs in another thread:
   ``quiet``'s p50/p99 side by side with the baseline (target: p99 within 2x of
   the quiet p99), how long ``noisy`` took and how it ended (AWS ends it at its
   timeout: ``Sandbox.Timedout`` at 3 s, or a success if it printed everything
   sooner), this process's peak RSS, and the state files' size on disk
   (``state.db`` with its WAL) against the log group's cap.
2. **Failover**: a leader in a child process (``LocalBackend`` on a state dir),
   a follower here; the leader gets SIGKILL and the time until the follower
   leads is measured, ``--failovers`` times (median and worst). Baseline in the
   same run: the time until a bare ``flock`` on the same lock file, tried every
   millisecond, succeeds after the SIGKILL of a child that held it (what the
   kernel gives). The follower's figure is that plus its polling interval
   (``FAILOVER_POLL_S``, 0.25 s) at most.

Every loop is bounded in count and in time; everything stays on 127.0.0.1.
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from computetui.backends.local import LocalBackend  # noqa: E402
from computetui.backends.local.controller import FAILOVER_POLL_S, LOCK_FILENAME  # noqa: E402
from computetui.backends.local.logs.facet import DEFAULT_MAX_GROUP_BYTES  # noqa: E402
from computetui.blueprints import blueprint  # noqa: E402
from tests.support.fakes import StaticEngine  # noqa: E402

HELLO = blueprint("hello-world-python")
TARGET_P99_RATIO = 2.0
NOISY_TIMEOUT_S = 3
NOISY_BOUND_S = 120.0
"""The noisy invocation is given up on (and reported) after this long."""
FAILOVER_BOUND_S = 15.0

NOISY_CODE = """
import sys

def handler(event, context):
    line = "x" * 99 + "\\n"
    chunk = line * 10240  # about 1 MB
    for _ in range(event["mb"]):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    return {"printed_mb": event["mb"]}
"""

LEADER = """
import sys, time
from computetui.backends.local import LocalBackend
from tests.support.fakes import StaticEngine
backend = LocalBackend(sys.argv[1], engine=StaticEngine(), controller=True)
print("leader" if backend.controller.leader else "follower", flush=True)
time.sleep(120)
"""

HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(120)
"""


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("noisy.py", source)
    return buffer.getvalue()


def state_bytes(state_dir: Path) -> int:
    return sum(p.stat().st_size for p in state_dir.glob("state.db*") if p.is_file())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- 1. the noisy neighbour --------------------------------------------------------
def quiet_latencies(backend: LocalBackend, calls: int, until: threading.Event | None = None) -> list[float]:
    samples: list[float] = []
    deadline = time.monotonic() + NOISY_BOUND_S
    for _ in range(calls):
        began = time.perf_counter()
        result = backend.lambda_.invoke("quiet", "{}")
        samples.append((time.perf_counter() - began) * 1000)
        if result.function_error is not None:
            raise RuntimeError(f"quiet failed: {result.payload[:300]!r}")
        if (until is not None and until.is_set()) or time.monotonic() > deadline:
            break
    return samples


def noisy_neighbour(noise_mb: int, calls: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="computetui-bench-") as folder:
        state_dir = Path(folder)
        backend = LocalBackend(state_dir, lambda_sandbox="process", engine=StaticEngine(), controller=False)
        try:
            fn = backend.lambda_
            fn.create_function(function_name="quiet", runtime=HELLO.runtime, handler=HELLO.handler,
                               code={"ZipFile": HELLO.zip()})
            fn.create_function(function_name="noisy", runtime="python3.12", handler="noisy.handler",
                               code={"ZipFile": zipped(NOISY_CODE)}, timeout=NOISY_TIMEOUT_S, memory_size=512)
            quiet_latencies(backend, 30)  # warm
            fn.invoke("noisy", json.dumps({"mb": 1}))  # warm the noisy one too: its cold start is not the point
            baseline = quiet_latencies(backend, calls)
            size_before = state_bytes(state_dir)

            outcome: dict[str, Any] = {}
            finished = threading.Event()

            def noisy() -> None:
                began = time.perf_counter()
                try:
                    result = fn.invoke("noisy", json.dumps({"mb": noise_mb}))
                    outcome.update(error=result.function_error, payload=result.payload[:200].decode("utf-8", "replace"))
                except Exception as exc:  # reported, not raised: the figures still print
                    outcome.update(error=type(exc).__name__, payload=str(exc)[:200])
                outcome["seconds"] = round(time.perf_counter() - began, 2)
                finished.set()

            thread = threading.Thread(target=noisy, daemon=True)
            thread.start()
            time.sleep(0.05)
            during = quiet_latencies(backend, calls, until=finished)
            finished.wait(NOISY_BOUND_S)
            if not finished.is_set():
                outcome.setdefault("error", f"no answer within {NOISY_BOUND_S:.0f} s")
            runtime = getattr(backend.lambda_, "runtime", None)
            if runtime is not None and hasattr(runtime, "flush"):
                runtime.flush()
            size_after = state_bytes(state_dir)
        finally:
            backend.close()
    quiet_p99, noisy_p99 = percentile(baseline, 0.99), percentile(during, 0.99)
    return {
        "noise_mb": noise_mb,
        "quiet_alone_ms": {"p50": round(statistics.median(baseline), 2), "p99": round(quiet_p99, 2),
                           "calls": len(baseline)},
        "quiet_during_noise_ms": {"p50": round(statistics.median(during), 2), "p99": round(noisy_p99, 2),
                                  "calls": len(during)},
        "p99_ratio": round(noisy_p99 / quiet_p99, 2) if quiet_p99 else None,
        "target_p99_ratio": TARGET_P99_RATIO,
        "noisy": outcome,
        "noisy_timeout_s": NOISY_TIMEOUT_S,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "state_mb_before": round(size_before / 2**20, 1),
        "state_mb_after": round(size_after / 2**20, 1),
        "log_group_cap_mb": DEFAULT_MAX_GROUP_BYTES / 2**20,
    }


# -- 2. failover ---------------------------------------------------------------------
def _child(code: str, arg: str) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", code, arg], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout is not None
    child.stdout.readline()
    return child


def _kill(child: subprocess.Popen[str]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait(10)


def bare_flock(path: Path) -> float:
    child = _child(HOLDER, str(path))
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        began = time.perf_counter()
        child.send_signal(signal.SIGKILL)
        deadline = began + FAILOVER_BOUND_S
        while time.perf_counter() < deadline:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return time.perf_counter() - began
            except BlockingIOError:
                time.sleep(0.001)
        return float("inf")
    finally:
        os.close(fd)
        _kill(child)


def follower_takeover(state_dir: Path) -> float:
    child = _child(LEADER, str(state_dir))
    follower = LocalBackend(state_dir, engine=StaticEngine(), controller=True)
    try:
        if follower.controller.leader:
            raise RuntimeError("the follower led from the start: the child did not take the lock")
        began = time.perf_counter()
        child.send_signal(signal.SIGKILL)
        deadline = began + FAILOVER_BOUND_S
        while time.perf_counter() < deadline:
            if follower.controller.leader:
                return time.perf_counter() - began
            time.sleep(0.005)
        return float("inf")
    finally:
        _kill(child)
        follower.close()


def failover(rounds: int) -> dict[str, Any]:
    bare: list[float] = []
    ours: list[float] = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="computetui-bench-") as folder:
            bare.append(bare_flock(Path(folder) / LOCK_FILENAME))
        with tempfile.TemporaryDirectory(prefix="computetui-bench-") as folder:
            ours.append(follower_takeover(Path(folder)))
    return {
        "rounds": rounds,
        "bare_flock_ms": {"median": round(statistics.median(bare) * 1000, 1), "worst": round(max(bare) * 1000, 1)},
        "follower_leads_ms": {"median": round(statistics.median(ours) * 1000, 1),
                              "worst": round(max(ours) * 1000, 1)},
        "poll_interval_ms": FAILOVER_POLL_S * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise-mb", type=int, default=100)
    parser.add_argument("--quiet-calls", type=int, default=300)
    parser.add_argument("--failovers", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {"failover": failover(max(1, min(args.failovers, 20))),
              "noisy_neighbour": noisy_neighbour(max(1, min(args.noise_mb, 1000)),
                                                 max(10, min(args.quiet_calls, 5000)))}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    f, n = report["failover"], report["noisy_neighbour"]
    print(f"Failover ({f['rounds']} SIGKILLs of the leader)")
    print(f"  bare flock free again:  median {f['bare_flock_ms']['median']} ms, worst {f['bare_flock_ms']['worst']} ms")
    print(f"  follower leads:         median {f['follower_leads_ms']['median']} ms, "
          f"worst {f['follower_leads_ms']['worst']} ms (polls every {f['poll_interval_ms']:.0f} ms)")
    print(f"Noisy neighbour ({n['noise_mb']} MB of output, {n['noisy_timeout_s']} s timeout)")
    q, d = n["quiet_alone_ms"], n["quiet_during_noise_ms"]
    print(f"  quiet warm invoke alone:        p50 {q['p50']} ms, p99 {q['p99']} ms ({q['calls']} calls)")
    print(f"  quiet warm invoke during noise: p50 {d['p50']} ms, p99 {d['p99']} ms ({d['calls']} calls)")
    print(f"  p99 ratio {n['p99_ratio']}x (target <= {n['target_p99_ratio']}x)")
    print(f"  noisy: {n['noisy']}")
    print(f"  peak RSS {n['peak_rss_mb']} MB; state files {n['state_mb_before']} MB -> {n['state_mb_after']} MB "
          f"(log group cap {n['log_group_cap_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
