"""Lambda benchmark: sequential warm invokes in the container sandbox, and what stalls them.

Usage (from the repository root)::

    .venv/bin/python bench/lambda_container_stall.py [--n N] [--memory MB] [--rounds R]
                                                     [--periods MS,...] [--json]

One ``LocalBackend(":memory:", controller=False)`` with ``lambda_sandbox="container"`` and
``tests.support.images.LAMBDA_PYTHON_IMAGE``; one function, the hello-world Python blueprint
(awslambdaric, three ``print`` lines, a small JSON answer) with ``--memory`` MB (128 by
default, the sample's size). After 20 warm-up invokes and once the emulator has given the
container its CPU share (what ``ContainerSandbox.throttle_cpu`` sets after INIT: 1,769 MB =
one vCPU, so 7.2 % of a CPU at 128 MB), ``--n`` (500) sequential warm invokes through the
contract (``backend.lambda_.invoke``), timed one by one in the caller's thread, per row:

* **emulator**: the container as the emulator set it;
* **period P ms**: for each of ``--periods`` (20 by default), the same share of a CPU over a
  CFS period of P ms instead (``docker update --cpu-period --cpu-quota`` on the same
  container; the kernel's smallest quota, 1 ms, bounds how short P may be);
* **no CPU limit**: the quota removed (``--cpu-quota -1``), as the process sandbox runs.

Rows are interleaved: each of ``--rounds`` (2) rounds measures every row once, the
emulator's setting put back between them, so load from elsewhere on the machine falls on
all of them. For each: p50, p99, max (ms), invokes over 20 ms, req/s; and, from the
container's cgroup (v1 or v2, when this process can read it), the CFS periods in which the
container was throttled, the time it spent throttled, its CPU time per invoke, and the rate
its share allows at that cost (share / CPU per invoke): past that rate the runtime spends
its quota before the period ends and waits, runnable, for the next one.

Bounded: one function, one environment, ``--n`` at most 5,000 per row, each invoke given the
function's 3 s timeout; the backend closes and every container it made is removed at the end,
also on Ctrl-C or an error. Traffic stays on this machine (the Runtime API on the bridge
gateway). Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BenchError, until  # noqa: E402

FUNCTION = "stall-hello"
MB_PER_VCPU = 1769
STALL_MS = 20.0
WARMUP = 20
MAX_N = 5000

# Where a container's CPU accounting lives: cgroup v1 (cgroupfs or systemd driver, cpu and
# cpuacct mounted apart or together), then v2.
_V1_DIRS = ("/sys/fs/cgroup/{c}/docker/{id}", "/sys/fs/cgroup/{c}/system.slice/docker-{id}.scope")
_V1_CONTROLLERS = (("cpu", "cpuacct"), ("cpu,cpuacct", "cpu,cpuacct"))
_V2_DIRS = ("/sys/fs/cgroup/system.slice/docker-{id}.scope", "/sys/fs/cgroup/docker/{id}")


@dataclass
class CpuStat:
    usage_ns: int
    periods: int
    throttled: int
    throttled_ns: int


def _read_keyed(path: str) -> dict[str, int]:
    with open(path) as stat:
        return {key: int(value) for key, value in (line.split() for line in stat if line.strip())}


def cpu_stat(container_id: str) -> CpuStat | None:
    """The container's CPU time and CFS throttling so far; None when its cgroup cannot be read
    from here (a remote engine, Docker Desktop's VM)."""
    for cpu, cpuacct in _V1_CONTROLLERS:
        for pattern in _V1_DIRS:
            try:
                stat = _read_keyed(pattern.format(c=cpu, id=container_id) + "/cpu.stat")
                with open(pattern.format(c=cpuacct, id=container_id) + "/cpuacct.usage") as usage:
                    used = int(usage.read())
            except (OSError, ValueError):
                continue
            return CpuStat(used, stat.get("nr_periods", 0), stat.get("nr_throttled", 0), stat.get("throttled_time", 0))
    for pattern in _V2_DIRS:
        try:
            stat = _read_keyed(pattern.format(id=container_id) + "/cpu.stat")
        except (OSError, ValueError):
            continue
        return CpuStat(stat.get("usage_usec", 0) * 1000, stat.get("nr_periods", 0), stat.get("nr_throttled", 0),
                       stat.get("throttled_usec", 0) * 1000)
    return None


@dataclass
class Row:
    name: str
    period_us: int | None
    quota_us: int | None
    samples_ms: list[float]
    seconds: float
    stat: CpuStat | None

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.samples_ms)
        n = len(ordered)
        out: dict[str, Any] = {
            "row": self.name, "period_us": self.period_us, "quota_us": self.quota_us, "n": n,
            "p50_ms": statistics.median(ordered), "p99_ms": ordered[min(n - 1, int(n * 0.99))],
            "max_ms": ordered[-1], "stalls": sum(1 for x in ordered if x > STALL_MS),
            "req_s": n / self.seconds,
        }
        if self.stat is not None:
            cpu_us = self.stat.usage_ns / n / 1000
            out |= {"throttled_periods": self.stat.throttled, "periods": self.stat.periods,
                    "throttled_ms": self.stat.throttled_ns / 1e6, "cpu_us_per_invoke": cpu_us}
            if self.period_us and self.quota_us and self.quota_us > 0 and cpu_us > 0:
                out["share_allows_req_s"] = self.quota_us / self.period_us / (cpu_us / 1e6)
        return out


def quota_for(memory_mb: int, period_us: int) -> int:
    """The emulator's share (``memory / 1,769`` of a CPU) over another period; the kernel's
    smallest quota is 1 ms."""
    return max(1000, int(memory_mb / MB_PER_VCPU * period_us))


@contextlib.contextmanager
def container_function(memory_mb: int) -> Iterator[tuple[Any, Any, str]]:
    """A warm function in the container sandbox: (backend, docker client, container id)."""
    try:
        import docker

        client = docker.from_env()
        client.ping()
    except Exception as exc:
        raise BenchError(f"no Docker engine ({exc}): start Docker, or set DOCKER_HOST") from exc
    from computetui.backends.local import LocalBackend
    from computetui.blueprints import blueprint
    from tests.support.images import LAMBDA_PYTHON_IMAGE, ensure_lambda_python_image

    try:
        ensure_lambda_python_image(client)
    except Exception as exc:
        client.close()
        raise BenchError(f"the image {LAMBDA_PYTHON_IMAGE} is missing and cannot be built ({exc}); build it as "
                         "root with debootstrap: .venv/bin/python -m tests.support.images") from exc
    backend = LocalBackend(":memory:", lambda_sandbox="container", lambda_images={"python3.12": LAMBDA_PYTHON_IMAGE},
                           controller=False)
    owner = backend.store.state_id
    try:
        hello = blueprint("hello-world-python")
        backend.lambda_.create_function(FUNCTION, runtime=hello.runtime, handler=hello.handler,
                                        code={"ZipFile": hello.zip()}, memory_size=memory_mb, timeout=3)
        until(lambda: backend.lambda_.get_function(FUNCTION).configuration.state.value == "Active", "Active")
        for _ in range(WARMUP):
            invoke(backend)
        filters = {"label": [f"computetui.owner={owner}", "computetui.kind=lambda"]}
        [container] = until(lambda: client.containers.list(filters=filters), "the environment's container", 10)

        def throttled() -> bool:  # the emulator asks for the share in the background after INIT
            container.reload()
            return bool(container.attrs["HostConfig"].get("CpuQuota"))

        until(throttled, "the emulator's CPU share on the container", 10)
        yield backend, client, container.id
    finally:
        backend.close()
        for leftover in client.containers.list(all=True, filters={"label": [f"computetui.owner={owner}"]}):
            with contextlib.suppress(Exception):
                leftover.remove(force=True)
        client.close()


def invoke(backend: Any) -> None:
    result = backend.lambda_.invoke(FUNCTION, b'{"body": "' + b"x" * 400 + b'"}')
    if result.function_error:
        raise BenchError(f"the function failed: {result.payload!r}")


def measure(backend: Any, container_id: str, name: str, period_us: int | None, quota_us: int | None,
            n: int) -> Row:
    before = cpu_stat(container_id)
    samples = []
    began = time.perf_counter()
    for _ in range(n):
        start = time.perf_counter()
        invoke(backend)
        samples.append((time.perf_counter() - start) * 1000)
    seconds = time.perf_counter() - began
    after = cpu_stat(container_id)
    stat = None
    if before is not None and after is not None:
        stat = CpuStat(after.usage_ns - before.usage_ns, after.periods - before.periods,
                       after.throttled - before.throttled, after.throttled_ns - before.throttled_ns)
    return Row(name, period_us, quota_us, samples, seconds, stat)


def run(n: int, memory_mb: int, rounds: int, periods_ms: list[float]) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    with container_function(memory_mb) as (backend, client, container_id):
        host = client.api.inspect_container(container_id)["HostConfig"]
        ours = (int(host.get("CpuPeriod") or 100_000), int(host["CpuQuota"]))
        setups: list[tuple[str, int, int]] = [("emulator", *ours)]
        for period_ms in periods_ms:
            period_us = int(period_ms * 1000)
            setups.append((f"period {period_ms:g} ms", period_us, quota_for(memory_mb, period_us)))
        setups.append(("no CPU limit", ours[0], -1))
        for _ in range(rounds):
            for name, period_us, quota_us in setups:
                client.api.update_container(container_id, cpu_period=period_us, cpu_quota=quota_us)
                rows.append(measure(backend, container_id, name, period_us, quota_us if quota_us > 0 else None, n))
            client.api.update_container(container_id, cpu_period=ours[0], cpu_quota=ours[1])
        context = {"memory_mb": memory_mb, "emulator_period_us": ours[0], "emulator_quota_us": ours[1],
                   "cgroup_readable": cpu_stat(container_id) is not None}
    return rows, context


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def report(rows: list[Row], context: dict[str, Any]) -> None:
    share = context["emulator_quota_us"] / context["emulator_period_us"]
    print(f"container sandbox, {context['memory_mb']} MB: the emulator sets a quota of "
          f"{context['emulator_quota_us']} us per {context['emulator_period_us']} us period "
          f"({share:.1%} of a CPU); {len(rows[0].samples_ms)} sequential warm invokes per row")
    if not context["cgroup_readable"]:
        print("(the container's cgroup cannot be read from here: no throttling figures)")
    head = (f"{'row':<16} {'p50':>6} {'p99':>7} {'max':>7} {'>20ms':>6} {'req/s':>6} "
            f"{'throttled':>11} {'thr ms':>7} {'cpu us/inv':>10} {'share allows':>12}")
    print(head)
    print("-" * len(head))
    for row in rows:
        f = row.figures()
        throttled = f"{f['throttled_periods']}/{f['periods']}" if "periods" in f else "-"
        print(f"{f['row']:<16} {f['p50_ms']:>6.2f} {f['p99_ms']:>7.2f} {f['max_ms']:>7.2f} {f['stalls']:>6} "
              f"{f['req_s']:>6.0f} {throttled:>11} {_fmt(f.get('throttled_ms'), '.0f'):>7} "
              f"{_fmt(f.get('cpu_us_per_invoke'), '.0f'):>10} {_fmt(f.get('share_allows_req_s'), '.0f'):>12}")
    print("throttled: CFS periods in which the container ran out of quota / periods it ran in; "
          "share allows: quota/period over the CPU time per invoke, in invokes per second")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="sequential warm invokes per row (at most 5,000)")
    parser.add_argument("--memory", type=int, default=128, help="the function's memory size, MB")
    parser.add_argument("--rounds", type=int, default=2, help="times each row is measured, interleaved")
    parser.add_argument("--periods", default="20", help="CFS periods (ms, comma-separated) to compare, same share")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args()
    if not 1 <= args.n <= MAX_N:
        parser.error(f"--n: 1 to {MAX_N}")
    if not 128 <= args.memory <= 10240:
        parser.error("--memory: 128 to 10,240 MB")
    if not 1 <= args.rounds <= 5:
        parser.error("--rounds: 1 to 5")
    try:
        periods = [float(p) for p in args.periods.split(",") if p.strip()]
    except ValueError:
        parser.error("--periods: milliseconds, comma-separated")
    if any(not 1 <= p <= 1000 for p in periods):
        parser.error("--periods: each from 1 to 1,000 ms")
    try:
        rows, context = run(args.n, args.memory, args.rounds, periods)
    except BenchError as exc:
        print(f"not measured: {exc}", file=sys.stderr)
        return 1
    report(rows, context)
    if args.json:
        print(json.dumps({"context": context, "rows": [row.figures() for row in rows]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
