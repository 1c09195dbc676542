"""Batch benchmark: one job submit -> SUCCEEDED against bare Docker and moto, and a 1,000-child array.

Usage (from the repository root)::

    .venv/bin/python bench/batch.py [--reps N] [--children N] [--child-seconds S] [--skip-moto]
                                    [--skip-array] [--json]

Needs the Docker engine (``DOCKER_HOST`` or /var/run/docker.sock) and the local
test image ``computetui-test/busybox`` (made without a registry by ``python -m
tests.support.images``; this script imports it itself when it is missing).
Nothing is pulled. The only traffic is to the engine and to 127.0.0.1 (moto's
server, started here); the containers are our own.

What it measures, in one run
----------------------------
1. **One job, submit -> SUCCEEDED.** A Fargate compute environment (maxvCpus 4),
   a queue and a job definition running ``true`` in the busybox image at 0.25
   vCPU and 512 MiB, on a ``LocalBackend`` in a temporary state dir with its
   controller at the default tick. The clock runs from the ``submit_job`` call
   until ``describe_jobs`` (polled every 5 ms) says SUCCEEDED. Against it, in
   the same run and interleaved (job, bare, job, bare, ...) after one
   discarded warm-up of each:

   * ``docker run --rm`` of the same image, command and limits (the docker
     CLI, when it is on PATH): the baseline the target is judged on,
     submit/bare <= 1.1 on the medians;
   * the same through the docker SDK alone (create, start, wait, remove): the
     stricter floor, without the CLI's own start-up; its ratio is printed too.

2. **moto's Batch, the same job.** ``moto.server.ThreadedMotoServer`` on
   127.0.0.1 (in this process), the aws backend pointed at it, the same
   environment, queue and definition (moto needs a VPC's subnets, a security
   group and a service role, made in its EC2 and IAM first); moto runs the job
   in a container of the same image through the docker SDK in a thread of its
   own. Timed as in 1, interleaved with it. ``--skip-moto`` leaves it out.

3. **An array job of ``--children`` (1,000) children, 0.25 vCPU each, on an
   environment of maxvCpus 4**: so at most 16 run at once. Each child runs
   ``sleep --child-seconds`` (2 by default; 0 runs ``true``): a child that ends
   as soon as it starts never overlaps 15 others on a small machine, where the
   engine's pace of starting containers is the limit, and the cap would go
   unseen. The clock runs from
   ``submit_job`` until the parent is SUCCEEDED (every child has ended). A
   sampler thread counts, every 50 ms, the children RUNNING and those STARTING
   or RUNNING (both hold the environment's vCPUs; one grouped read of the
   emulator's store, so one snapshot) and the job containers the engine has
   running for this backend; the highest of each is printed (STARTING or
   RUNNING must reach 16, and none exceed it). Against it, a
   script runs the same number of the same containers 16 at a time (a thread
   pool of 16, each ``docker run --rm``, or the SDK's create/start/wait/remove
   without the CLI), timed from the first to the last. ``--skip-array`` leaves
   it out.

4. **The Jobs view** (first paint and filter keystrokes of a queue's 10,000
   jobs): ``bench/batch_jobs_view.py``, which needs no engine.

Figures are printed, never asserted. Every container made here carries the
emulator's owner label or ``computetui.bench`` (moto's are removed by moto when
their job ends; the script waits for that), and is removed on the way out, with
the temporary state dir.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BenchError, ms, summary, until, verdict, version  # noqa: E402
from computetui.backends import open_backend  # noqa: E402
from computetui.backends.base import Backend  # noqa: E402
from computetui.backends.local import LocalBackend  # noqa: E402
from computetui.backends.local.batch.book import JOB  # noqa: E402

BUSYBOX_IMAGE = "computetui-test/busybox:latest"  # tests/support/images.py
COMMAND = ["true"]
BENCH_LABEL = "computetui.bench"
QUEUE = "bench"
DEFINITION = "true"
CHILD_DEFINITION = "child"
VCPU, MEMORY_MIB = 0.25, 512
MAX_VCPUS = 4
AT_ONCE = int(MAX_VCPUS / VCPU)  # 16
POLL_JOB_S = 0.005
SAMPLE_S = 0.05
JOB_TIMEOUT_S = 60.0
TARGET_RATIO = 1.1
FINISHED = ("SUCCEEDED", "FAILED")












def progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


# -- the queue, on either backend ------------------------------------------------
def child_command(seconds: float) -> list[str]:
    return ["sleep", f"{seconds:g}"] if seconds > 0 else COMMAND


def define(backend: Backend, name: str, command: list[str]) -> None:
    backend.batch.register_job_definition(
        name,
        platform_capabilities=["FARGATE"],
        container_properties={
            "image": BUSYBOX_IMAGE,
            "command": command,
            "resourceRequirements": [{"type": "VCPU", "value": str(VCPU)}, {"type": "MEMORY", "value": str(MEMORY_MIB)}],
        },
    )


def prepare(backend: Backend, environment_kwargs: dict[str, Any]) -> None:
    """A Fargate environment of MAX_VCPUS, queue QUEUE and definition DEFINITION (``true``, 0.25 vCPU)."""
    batch = backend.batch
    ce = batch.create_compute_environment(compute_environment_name="bench-ce", **environment_kwargs)
    batch.create_job_queue(QUEUE, 1, [{"order": 1, "computeEnvironment": ce.compute_environment_arn}])
    define(backend, DEFINITION, COMMAND)


def status(backend: Backend, job_id: str) -> str:
    found = backend.batch.describe_jobs([job_id])
    return found[0].status.value if found else "?"


def time_job(backend: Backend, name: str) -> float:
    """Seconds from submit_job to describe_jobs SUCCEEDED."""
    start = time.perf_counter()
    job_id = backend.batch.submit_job(name, QUEUE, DEFINITION).job_id
    deadline = start + JOB_TIMEOUT_S
    while True:
        now_status = status(backend, job_id)
        if now_status == "SUCCEEDED":
            return time.perf_counter() - start
        if now_status == "FAILED":
            [job] = backend.batch.describe_jobs([job_id])
            raise BenchError(f"job {name} FAILED: {job.status_reason}")
        if time.perf_counter() > deadline:
            raise BenchError(f"job {name}: not SUCCEEDED within {JOB_TIMEOUT_S:g} s (last {now_status})")
        time.sleep(POLL_JOB_S)


# -- the baselines ----------------------------------------------------------------
class Bare:
    """The same container without Batch: ``docker run --rm`` (the CLI), or the SDK's
    create, start, wait and remove; same image, command, limits and a bench label."""

    def __init__(self, client: Any, run_id: str) -> None:
        self.client = client
        self.run_id = run_id
        self.cli = shutil.which("docker")
        self._n = 0
        self._lock = threading.Lock()

    def _name(self) -> str:
        with self._lock:
            self._n += 1
            return f"computetui-bench-{self.run_id[:8]}-{self._n}"

    def run_cli(self, command: list[str] = COMMAND) -> float:
        if self.cli is None:
            raise BenchError("no docker CLI on PATH")
        argv = [
            self.cli, "run", "--rm", "--name", self._name(), "--label", f"{BENCH_LABEL}={self.run_id}",
            "--cpus", str(VCPU), "--memory", f"{MEMORY_MIB}m", "--memory-swap", f"{MEMORY_MIB}m",
            BUSYBOX_IMAGE, *command,
        ]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, timeout=JOB_TIMEOUT_S, stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise BenchError(f"docker run --rm exited {done.returncode}: {done.stderr.decode()[-300:]}")
        return elapsed

    def run_sdk(self, command: list[str] = COMMAND) -> float:
        start = time.perf_counter()
        container = self.client.containers.create(
            BUSYBOX_IMAGE,
            command=command,
            name=self._name(),
            labels={BENCH_LABEL: self.run_id},
            nano_cpus=int(VCPU * 1e9),
            mem_limit=f"{MEMORY_MIB}m",
            memswap_limit=f"{MEMORY_MIB}m",
        )
        try:
            container.start()
            result = container.wait(timeout=JOB_TIMEOUT_S)
        finally:
            container.remove(force=True)
        elapsed = time.perf_counter() - start
        if result.get("StatusCode") != 0:
            raise BenchError(f"bare container exited {result.get('StatusCode')}")
        return elapsed


# -- moto's server ------------------------------------------------------------------
class Moto:
    """moto's server on 127.0.0.1 in this process, and the aws backend on it."""

    def __init__(self, root: Path) -> None:
        # Fake keys and no ~/.aws of the machine's: nothing here may reach AWS.
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            os.environ.pop(name, None)
        os.environ.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_CONFIG_FILE=str(root / "aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(root / "aws-credentials"),
        )
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.backend = open_backend("aws", region="us-east-1", endpoint_url=self.endpoint)
        self.job_ids: list[str] = []

    def prepare(self) -> None:
        from tests.support.aws_stubs import batch_environment_kwargs

        prepare(self.backend, batch_environment_kwargs(self.backend, {"type": "FARGATE", "maxvCpus": MAX_VCPUS,
                                                                       "subnets": ["s"]}))

    def time_job(self, name: str) -> float:
        elapsed = time_job(self.backend, name)
        self.job_ids += [j.job_id for j in self.backend.batch.list_jobs(QUEUE, job_status="SUCCEEDED")]
        return elapsed

    def close(self, client: Any) -> None:
        # moto removes a job's container once the job has ended; wait for that, bounded.
        try:
            until(lambda: not any(client.containers.list(all=True, sparse=True, filters={"name": i})
                                  for i in set(self.job_ids)), "moto's job containers removed", timeout=30)
        finally:
            self.backend.close()
            self.server.stop()


# -- 1 and 2: one job ----------------------------------------------------------------
def bench_one_job(local: LocalBackend, bare: Bare, moto: Moto | None, reps: int) -> dict[str, Any]:
    runners: dict[str, Callable[[int], float]] = {"local": lambda n: time_job(local, f"one-{n}"),
                                                  "sdk": lambda n: bare.run_sdk()}
    if bare.cli:
        runners["cli"] = lambda n: bare.run_cli()
    if moto is not None:
        runners["moto"] = lambda n: moto.time_job(f"one-{n}")
    samples: dict[str, list[float]] = {key: [] for key in runners}
    for n in range(reps + 1):
        got = {key: run(n) for key, run in runners.items()}
        if n == 0:
            continue  # warm-up
        for key, value in got.items():
            samples[key].append(value)
        progress(f"one job rep {n}/{reps}: " + "  ".join(f"{key} {ms(v)}" for key, v in got.items()))
    result: dict[str, Any] = {key: summary(values) for key, values in samples.items()}
    for key in ("cli", "sdk", "moto"):
        if key in result:
            result[f"ratio_local_to_{key}"] = result["local"]["median_s"] / result[key]["median_s"]
    return result


# -- 3: an array job ---------------------------------------------------------------------
class Sampler:
    """The highest number of children RUNNING, and STARTING or RUNNING (what holds the
    environment's vCPUs), as Batch says, and of job containers running as the engine says;
    sampled every SAMPLE_S on a thread of its own.

    Batch's counts come from one grouped read of the emulator's store, one snapshot: two
    ListJobs calls (RUNNING, then STARTING) count a child twice when it ends between them and
    the child placed in its stead is listed by the second, which shows 18 at once for 16."""

    def __init__(self, backend: LocalBackend, client: Any, array_job_arn: str, owner: str) -> None:
        self.backend, self.client, self.array_job_arn, self.owner = backend, client, array_job_arn, owner
        self.most_running = 0
        self.most_placed = 0
        self.most_containers = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def children_by_status(self) -> dict[str, int]:
        with self.backend.store.reading() as db:
            rows = db.execute(
                "SELECT state, COUNT(*) FROM resources WHERE kind = ? AND parent = ? GROUP BY state",
                (JOB, self.array_job_arn),
            ).fetchall()
        return {state: count for state, count in rows}

    def _run(self) -> None:
        filters = {"label": [f"computetui.owner={self.owner}", "computetui.kind=job"], "status": "running"}
        while not self._stop.wait(SAMPLE_S):
            counts = self.children_by_status()
            running, starting = counts.get("RUNNING", 0), counts.get("STARTING", 0)
            containers = len(self.client.containers.list(sparse=True, filters=filters))
            self.most_running = max(self.most_running, running)
            self.most_placed = max(self.most_placed, running + starting)
            self.most_containers = max(self.most_containers, containers)
            self.samples += 1

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def bench_array(local: LocalBackend, client: Any, bare: Bare, children: int, seconds: float) -> dict[str, Any]:
    command = child_command(seconds)
    define(local, CHILD_DEFINITION, command)
    deadline = 60 + children * (1.0 + seconds)
    progress(f"array job of {children} children running `{' '.join(command)}`, {AT_ONCE} at once at most")
    start = time.perf_counter()
    parent = local.batch.submit_job("array", QUEUE, CHILD_DEFINITION, array_properties={"size": children})
    with Sampler(local, client, parent.job_arn, local.store.state_id) as sampler:
        done = until(lambda: next((j for j in local.batch.describe_jobs([parent.job_id])
                                   if j.status.value in FINISHED), None),
                     f"array job of {children}", timeout=deadline, every=0.02)
        elapsed = time.perf_counter() - start
    summary_ = done.array_properties.status_summary if done.array_properties else None
    if done.status.value != "SUCCEEDED":
        raise BenchError(f"the array job {done.status.value}: {done.status_reason} ({summary_})")
    progress(f"array job: {ms(elapsed)}, at most {sampler.most_running} RUNNING, {sampler.most_placed} "
             f"STARTING or RUNNING, {sampler.most_containers} containers running")

    use_cli = bare.cli is not None
    progress(f"baseline: {children} containers, {AT_ONCE} at a time ({'docker run --rm' if use_cli else 'SDK'})")
    run = bare.run_cli if use_cli else bare.run_sdk
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=AT_ONCE, thread_name_prefix="bench-bare") as pool:
        list(pool.map(lambda _: run(command), range(children)))
    bare_elapsed = time.perf_counter() - start
    progress(f"baseline: {ms(bare_elapsed)}")
    return {
        "children": children,
        "command": command,
        "array_s": elapsed,
        "most_running": sampler.most_running,
        "most_starting_or_running": sampler.most_placed,
        "most_containers_running": sampler.most_containers,
        "samples": sampler.samples,
        "status_summary": summary_,
        "baseline": "docker run --rm" if use_cli else "docker SDK create/start/wait/remove",
        "baseline_s": bare_elapsed,
        "ratio": elapsed / bare_elapsed,
    }


# -- the run --------------------------------------------------------------------------------
def run(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    import docker

    from tests.support.images import ensure_busybox_image

    client = docker.from_env()
    local: LocalBackend | None = None
    moto: Moto | None = None
    owner = run_id = ""
    try:
        ensure_busybox_image(client)
        local = LocalBackend(root / "state", lambda_sandbox="process")
        owner = run_id = local.store.state_id
        prepare(local, {"compute_resources": {"type": "FARGATE", "maxvCpus": MAX_VCPUS}})
        bare = Bare(client, run_id)
        if not args.skip_moto:
            moto = Moto(root)
            moto.prepare()
        results: dict[str, Any] = {"one_job": bench_one_job(local, bare, moto, args.reps)}
        if not args.skip_array:
            results["array"] = bench_array(local, client, bare, args.children, args.child_seconds)
        return results
    finally:
        if moto is not None:
            moto.close(client)
        if local is not None:
            local.close()
        for label in (f"computetui.owner={owner}", f"{BENCH_LABEL}={run_id}"):
            if owner:
                for container in client.containers.list(all=True, filters={"label": label}):
                    container.remove(force=True)
        client.close()


def report(args: argparse.Namespace, results: dict[str, Any], load: float) -> None:
    print(f"Batch: one job submit -> SUCCEEDED, and an array job of {args.children:,} children")
    print(f"Python {platform.python_version()}, moto {version('moto')}, docker SDK {version('docker')}; "
          f"{os.cpu_count()} CPUs, 1-min load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    print()
    one = results["one_job"]
    print(f"1, 2. one job running `{' '.join(COMMAND)}` (busybox, {VCPU:g} vCPU, {MEMORY_MIB} MiB; "
          f"{args.reps} interleaved runs each, 1 warm-up discarded)")
    print(f"  {'':<52}{'median':>10}{'max':>10}")
    labels = {
        "local": "local: submit_job -> describe_jobs SUCCEEDED",
        "cli": "docker run --rm (the CLI)",
        "sdk": "docker SDK create + start + wait + remove",
        "moto": "moto's server: submit_job -> SUCCEEDED",
    }
    for key, label in labels.items():
        if key in one:
            print(f"  {label:<52}{ms(one[key]['median_s']):>10}{ms(one[key]['max_s']):>10}")
    if "ratio_local_to_cli" in one:
        ratio = one["ratio_local_to_cli"]
        print(f"  ratio local/docker run --rm (medians): {ratio:.3f} (target <= {TARGET_RATIO:g}: "
              f"{verdict(ratio, TARGET_RATIO)})")
    print(f"  ratio local/SDK (medians): {one['ratio_local_to_sdk']:.2f} (the stricter floor)")
    if "ratio_local_to_moto" in one:
        print(f"  ratio local/moto (medians): {one['ratio_local_to_moto']:.2f}")
    else:
        print("  moto: skipped (--skip-moto)")
    print()
    array = results.get("array")
    if array is None:
        print("3. array job: skipped (--skip-array)")
    else:
        print(f"3. array job of {array['children']:,} children running `{' '.join(array['command'])}`, "
              f"{VCPU:g} vCPU each, maxvCpus {MAX_VCPUS} (at most {AT_ONCE} at once)")
        print(f"  submit -> all SUCCEEDED: {array['array_s']:.1f} s; {array['baseline']} of as many, "
              f"{AT_ONCE} at a time: {array['baseline_s']:.1f} s; ratio {array['ratio']:.2f}")
        placed = array["most_starting_or_running"]
        print(f"  most children at once: RUNNING {array['most_running']}, STARTING or RUNNING {placed} "
              f"(must be {AT_ONCE}: {'yes' if placed == AT_ONCE else 'no'}); job containers running "
              f"{array['most_containers_running']} ({array['samples']} samples every {ms(SAMPLE_S)})")
        print(f"  statusSummary at the end: {array['status_summary']}")
    print()
    print("4. the Jobs view (first paint, filter keystrokes): bench/batch_jobs_view.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7, metavar="N", help="one-job runs of each kind (default 7)")
    parser.add_argument("--children", type=int, default=1000, metavar="N",
                        help="the array job's children, 2 to 10000 (default 1000)")
    parser.add_argument("--child-seconds", type=float, default=2.0, metavar="S",
                        help="how long each child sleeps (default 2; 0 runs true)")
    parser.add_argument("--skip-moto", action="store_true", help="leave moto's server out")
    parser.add_argument("--skip-array", action="store_true", help="leave the array job out")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if not 2 <= args.children <= 10_000:
        parser.error("--children must be from 2 to 10000 (Batch's array sizes)")
    if not 0 <= args.child_seconds <= 60:
        parser.error("--child-seconds must be from 0 to 60")

    load = os.getloadavg()[0]
    root = Path(tempfile.mkdtemp(prefix="computetui-bench-batch-"))
    try:
        results = run(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report(args, results, load)
    if args.json:
        print()
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"Batch benchmark: {exc}", file=sys.stderr)
        sys.exit(1)
