"""Lightsail benchmark: an instance from CreateInstances to running, against a bare docker create
and start of the same image; then stop -> stopped and start -> running.

Usage (from the repository root)::

    .venv/bin/python bench/lightsail.py [--reps N] [--json]

Needs the Docker engine and the local test image ``computetui-test/busybox`` (made without a
registry by ``python -m tests.support.images``; this script imports it when it is missing).
Nothing is pulled. The only traffic is to the engine; the containers are our own and removed.

What it measures, in one run, interleaved (instance, bare, instance, bare, ...) after one
discarded warm-up of each:

* **create -> running**: ``create_instances`` of one nano instance of the ``debian_12``
  blueprint mapped to the busybox image, with a one-line launch script, on a ``LocalBackend``
  in a temporary state dir with its controller at the default tick; the clock runs from the
  call until ``get_instance_state`` (polled every 5 ms) says running. Running means the
  container is up AND the launch script has finished, which the emulator learns by reading a
  marker file out of the container.
* **bare**: the docker SDK's ``containers.create`` + ``start`` of the same image, limits,
  command and published ports (22 and 80 on 127.0.0.1, as a new instance has them), then waiting until the launch script's marker file exists (read the same way), so
  both sides end at the same point. Target: instance / bare <= 1.2 on the medians.
* **stop -> stopped** and **start -> running** of the instance, each timed from the call.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BenchError, ms, summary, until, verdict  # noqa: E402

BUSYBOX_IMAGE = "computetui-test/busybox:latest"  # tests/support/images.py
SCRIPT = "mkdir -p /m && echo launched > /m/out && touch /m/done; trap 'exit 0' TERM; while :; do sleep 1; done"
TARGET = 1.2


def _has(container: Any, path: str) -> bool:
    try:
        stream, _stat = container.get_archive(path)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
            return archive.next() is not None
    except Exception:  # not there yet
        return False


def bare_once(client: Any) -> float:
    start = time.perf_counter()
    container = client.containers.create(BUSYBOX_IMAGE, ["sh", "-c", SCRIPT], nano_cpus=2 * 10**9,
                                         mem_limit="512m", memswap_limit="512m",
                                         ports={"22/tcp": ("127.0.0.1", None), "80/tcp": ("127.0.0.1", None)},
                                         labels={"computetui.bench": "lightsail"})
    try:
        container.start()
        until(lambda: _has(container, "/m/done"), "bare container's script", 60, every=0.005)
        return time.perf_counter() - start
    finally:
        container.remove(force=True)


def instance_once(backend: Any, name: str) -> float:
    lightsail = backend.lightsail
    start = time.perf_counter()
    lightsail.create_instances([name], "us-east-1a", "debian_12", "nano_3_0", user_data="echo launched")
    until(lambda: lightsail.get_instance_state(name).name.value == "running", f"{name} running", 60, every=0.005)
    return time.perf_counter() - start


def timed_change(backend: Any, name: str, call: str, state: str) -> float:
    lightsail = backend.lightsail
    start = time.perf_counter()
    getattr(lightsail, call)(name)
    until(lambda: lightsail.get_instance_state(name).name.value == state, f"{name} {state}", 60, every=0.005)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import docker

    from computetui.backends.local import LocalBackend
    from tests.support.images import ensure_busybox_image

    client = docker.from_env()
    ensure_busybox_image(client)
    with tempfile.TemporaryDirectory() as tmp:
        backend = LocalBackend(Path(tmp) / "state", lambda_sandbox="process",
                               lightsail_images={"debian_12": BUSYBOX_IMAGE})
        owner = backend.store.state_id
        try:
            instance_once(backend, "warm")
            bare_once(client)
            created, bare, stops, starts = [], [], [], []
            for i in range(args.reps):
                created.append(instance_once(backend, f"i-{i}"))
                bare.append(bare_once(client))
                stops.append(timed_change(backend, f"i-{i}", "stop_instance", "stopped"))
                starts.append(timed_change(backend, f"i-{i}", "start_instance", "running"))
                backend.lightsail.delete_instance(f"i-{i}")
        except BenchError as exc:
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        finally:
            backend.close()
            for c in client.containers.list(all=True, filters={"label": f"computetui.owner={owner}"}):
                c.remove(force=True)
    ratio = statistics.median(created) / statistics.median(bare)
    figures = {"create_running": summary(created), "bare_create_start": summary(bare), "ratio": ratio,
               "stop_stopped": summary(stops), "start_running": summary(starts), "reps": args.reps}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"Lightsail instance, medians of {args.reps} (max in brackets):")
    print(f"  create_instances -> running    {ms(statistics.median(created)):>8} ({ms(max(created))})")
    print(f"  docker create + start (bare)   {ms(statistics.median(bare)):>8} ({ms(max(bare))})")
    print(f"  ratio instance / bare          {ratio:8.2f}x  (target <= {TARGET}x: {verdict(ratio, TARGET)})")
    print(f"  stop_instance -> stopped       {ms(statistics.median(stops)):>8} ({ms(max(stops))})")
    print(f"  start_instance -> running      {ms(statistics.median(starts)):>8} ({ms(max(starts))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
