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

Then a container service (``--deploys`` times, interleaved with its baseline):

* **deployment -> ACTIVE, endpoint answering**: ``create_container_service_deployment`` of one
  busybox ``httpd`` container on a READY nano service of one node, with Lightsail's fastest
  health check (every 5 s, healthy after 2 passes, so at least 5 s by the rule itself); the
  clock runs from the call until the deployment is ACTIVE and a GET of the service's URL has
  answered 200 through the emulator's load balancer.
* **bare**: ``docker run`` of the same image and command with the port published on 127.0.0.1,
  until a GET of it answers 200. The difference less the health check's own 5 s is what the
  emulator adds.
* **a request through the endpoint** against the same request straight to the node's
  published port: the median of 200 keep-alive GETs each (the load balancer's own cost).
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


HTTPD = ["sh", "-c", "echo ok > /tmp/index.html; exec httpd -f -p 80 -h /tmp"]
CHECK = {"path": "/", "intervalSeconds": 5, "healthyThreshold": 2, "timeoutSeconds": 2, "successCodes": "200"}
HEALTH_FLOOR_S = 5.0


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - 127.0.0.1 only
            return answer.status == 200
    except OSError:
        return False


def bare_http_once(client: Any) -> float:
    start = time.perf_counter()
    container = client.containers.run(BUSYBOX_IMAGE, HTTPD, detach=True, ports={"80/tcp": ("127.0.0.1", None)},
                                      labels={"computetui.bench": "lightsail"})
    try:
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]
        until(lambda: _answers(f"http://127.0.0.1:{port}/"), "bare httpd answering", 60, every=0.005)
        return time.perf_counter() - start
    finally:
        container.remove(force=True)


def deploy_once(backend: Any) -> float:
    lightsail = backend.lightsail
    start = time.perf_counter()
    made = lightsail.create_container_service_deployment(
        "bench", {"app": {"image": BUSYBOX_IMAGE, "command": HTTPD, "ports": {"80": "HTTP"}}},
        {"containerName": "app", "containerPort": 80, "healthCheck": CHECK})
    version = made.next_deployment.version

    def active() -> bool:
        current = lightsail.get_container_services("bench")[0].current_deployment
        return current is not None and current.version == version and current.state.value == "ACTIVE"
    until(active, "deployment ACTIVE", 120, every=0.005)
    until(lambda: _answers(made.url), "endpoint answering", 30, every=0.005)
    return time.perf_counter() - start


def request_medians(url: str, direct: str, count: int = 200) -> tuple[float, float]:
    """Median seconds of ``count`` keep-alive GETs through the endpoint and straight to the node."""
    import http.client
    from urllib.parse import urlsplit

    def median_of(address: str) -> float:
        parts = urlsplit(address)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        samples = []
        try:
            for _ in range(count):
                begin = time.perf_counter()
                conn.request("GET", "/")
                conn.getresponse().read()
                samples.append(time.perf_counter() - begin)
        finally:
            conn.close()
        return statistics.median(samples)
    through, straight = [], []
    for _ in range(3):  # interleaved, three rounds each
        through.append(median_of(url))
        straight.append(median_of(direct))
    return statistics.median(through), statistics.median(straight)


def container_service_figures(client: Any, reps: int) -> dict[str, Any]:
    from computetui.backends.local import LocalBackend

    with tempfile.TemporaryDirectory() as tmp:
        backend = LocalBackend(Path(tmp) / "state", lambda_sandbox="process")
        owner = backend.store.state_id
        try:
            backend.lightsail.create_container_service("bench", "nano", 1)
            until(lambda: backend.lightsail.get_container_services("bench")[0].state.value == "READY",
                  "container service READY", 60, every=0.005)
            deploy_once(backend)
            bare_http_once(client)
            deploys, bare = [], []
            for _ in range(reps):
                deploys.append(deploy_once(backend))
                bare.append(bare_http_once(client))
            serving = backend.lightsail.get_container_services("bench")[0]
            url = serving.url
            [node] = client.containers.list(filters={"label": [
                f"computetui.owner={owner}", "computetui.kind=container-service",
                f"computetui.lightsail.deployment={serving.current_deployment.version}"]})
            direct = f"http://127.0.0.1:{node.attrs['NetworkSettings']['Ports']['80/tcp'][0]['HostPort']}/"
            through, straight = request_medians(url, direct)
        finally:
            backend.close()
            for c in client.containers.list(all=True, filters={"label": f"computetui.owner={owner}"}):
                c.remove(force=True)
    added = statistics.median(deploys) - statistics.median(bare) - HEALTH_FLOOR_S
    return {"deploy_active_answering": summary(deploys), "bare_run_answering": summary(bare),
            "emulator_adds_s": added, "request_through_endpoint_s": through, "request_direct_s": straight,
            "deploys": reps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--deploys", type=int, default=3, help="container service deployments (each >= 5 s)")
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
    try:
        services = container_service_figures(client, args.deploys)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    ratio = statistics.median(created) / statistics.median(bare)
    figures = {"create_running": summary(created), "bare_create_start": summary(bare), "ratio": ratio,
               "stop_stopped": summary(stops), "start_running": summary(starts), "reps": args.reps,
               "container_service": services}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"Lightsail instance, medians of {args.reps} (max in brackets):")
    print(f"  create_instances -> running    {ms(statistics.median(created)):>8} ({ms(max(created))})")
    print(f"  docker create + start (bare)   {ms(statistics.median(bare)):>8} ({ms(max(bare))})")
    print(f"  ratio instance / bare          {ratio:8.2f}x  (target <= {TARGET}x: {verdict(ratio, TARGET)})")
    print(f"  stop_instance -> stopped       {ms(statistics.median(stops)):>8} ({ms(max(stops))})")
    print(f"  start_instance -> running      {ms(statistics.median(starts)):>8} ({ms(max(starts))})")
    deploys, bare_runs = services["deploy_active_answering"], services["bare_run_answering"]
    print(f"Lightsail container service, medians of {args.deploys} (max in brackets):")
    print(f"  deployment -> ACTIVE, answering {ms(deploys['median_s']):>8} ({ms(deploys['max_s'])})"
          f"  (health check every 5 s, 2 passes: >= {HEALTH_FLOOR_S:g} s by the rule)")
    print(f"  docker run -> answering (bare)  {ms(bare_runs['median_s']):>8} ({ms(bare_runs['max_s'])})")
    print(f"  the emulator adds               {ms(services['emulator_adds_s']):>8}  (deploy - bare - 5 s)")
    print(f"  GET through the endpoint        {services['request_through_endpoint_s'] * 1000:>5.2f} ms"
          f"  vs straight to the node {services['request_direct_s'] * 1000:.2f} ms (medians of 3 x 200)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
