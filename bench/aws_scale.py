"""AWS scale benchmark: one ECS cluster with 2,000 services and 10,000 tasks, on moto.

Usage (from the repository root)::

    .venv/bin/python bench/aws_scale.py [--services N] [--tasks N] [--reps N] [--latency-ms MS] [--json]

Needs moto with its server (``moto[server]``, in the dev extras). Nothing
leaves 127.0.0.1: moto's ``ThreadedMotoServer`` listens there on a free port,
every client points at it, and the credentials are fake (``AWS_ACCESS_KEY_ID``
and kin set here; ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE``
point at empty temporary files, so the machine's ``~/.aws`` is never read).

The server runs in a child process of its own (``multiprocessing``, spawned),
as AWS would be: in the same process moto's request handling would share the
interpreter lock with the console's worker threads and the figures would time
the emulator as much as the console.

The workload
------------
Made with a plain boto3 client (its calls are not counted): cluster ``scale``;
an EC2 task definition (bridge networking, one busybox container of 0 CPU
units and 6 MiB, ECS's least); as many EC2 instances as moto's fixed 4 vCPU /
7,482 MiB container instances need to hold the tasks, each registered as a
container instance with its identity document; ``--services`` services
(desired count tasks/services each; moto starts no task for a service) and
``--tasks`` tasks started by RunTask, 5 a call, each call's tasks in one
service's group (``service:NAME``), so every service has its share. moto's
state manager is set to keep tasks RUNNING (by default a task moves one state
towards STOPPED each time it is described). The population's time is printed.

What it measures
----------------
1. **API calls per refresh.** The aws backend (``open_backend("aws", ...)``)
   with botocore ``before-call`` hooks counting every call (registered before
   its first client exists). One refresh of a page is what its worker thread
   runs, ``screen.fetch(backend)`` of the console's own screens: the ECS page's
   Clusters tab, and the cluster page's Services and Tasks tabs (the cluster's
   header, one ``DescribeClusters``, is fetched with every tab). The minimum
   the API allows is computed for AWS (ListServices and ListTasks give at most
   100 ARNs a page, DescribeServices takes 10 names, DescribeTasks and
   DescribeClusters 100) and for moto, which does not paginate ListServices or
   ListTasks (one page, whatever ``maxResults`` says). Target: the calls equal
   moto's minimum (the console asks for the largest pages, so on AWS it makes
   AWS's). Each refresh's time and the CPU time moto's server spent on it are
   printed too (moto's DescribeTasks looks at every task in the account for
   each ARN asked, so the Tasks tab costs it tens of seconds: moto's, not
   the console's).
2. **Backend time for the services.** ``list_services`` and then every
   service described, three ways: one DescribeServices after another (the
   adapter's batches, sequential), the batches through ``kit.fan_out`` (at
   most 8 at once, in order), and the adapter's ``describe_services`` as it
   is. Median and maximum of ``--reps``, with the CPU time moto's server and
   this process spent (moto answers one request at a time: its interpreter
   lock; its CPU time is the floor of any way).
3. **First rows of the Services tab, in the console.** The real console
   (``ComputeApp`` with ``Settings(backend="aws", endpoint_url=..., region=...,
   refresh=0)``, polling off) runs headless through ``App.run_test(size=(120,
   36))``, on the counted backend above (opened here rather than by the app,
   so the hooks are in place before any client exists; it is the backend the
   app would open). ``:ecs`` opens the ECS page; once its Clusters tab shows
   ``scale`` and everything is quiet, the clock starts just before ``enter``
   and stops at the first frame drawn whose output holds the name of the
   service the table shows first (``svc-0000``), or that was drawn after the
   Services table got its rows (a frame holds only what changed since the
   last one). With more than 40 services the tab shows the first 40 (four
   DescribeServices) while it describes the rest: "first rows" is that frame,
   "all rows drawn" the last. "Drawn" as in bench/table.py: the app's ``_display`` hook
   (overridden in the bench's subclass) turns each compositor update into
   what a terminal would be sent. Once settled, the screen must show
   ``svc-0000`` and the table all the services. Settled: the last
   frame before 0.3 s of quiet with no worker running. Also printed: when the
   page's worker made its first call and got its last answer, the CPU time of
   moto and of this process in the window, and the calls made in it by the
   Textual worker that made them (the page's fetch; the app's overview
   refresh, which every page load also starts; ``fan_out`` runs its calls in
   the caller's context, so they count for the caller). Each repetition goes
   back (esc) to the ECS page and opens the cluster again. Target: first rows
   within 3 s.

``--latency-ms`` (default 30) adds that much to every request the console's
backend sends (a ``before-send`` hook that sleeps: moto on the loopback
answers in milliseconds, AWS from a laptop in tens of them) and reruns
figures 2 and 3 with it; 0 leaves the rerun out. moto has no Lightsail: the
overview's Lightsail call fails there (and is retried), in its own worker.

The whole run takes about four minutes (population ~40 s, the Tasks tab's
refresh ~30 s, each rerun ~1 min). The figures depend on the machine's load
(the 1-min load average is printed): the CPU times less so. Benchmarks print
figures; tests never assert a time. The server is stopped on the way out,
with the temporary files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import multiprocessing
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CLUSTER = "scale"
REGION = "us-east-1"
SIZE = (120, 36)
QUIET = 0.3  # seconds without a frame (and without a worker) that count as "settled"
TIMEOUT = 180.0
TARGET_FIRST_ROWS_S = 3.0
TASKS_PER_RUN = 5
INSTANCE_MEMORY_MIB = 7482  # what moto registers for every container instance, whatever the instance type
TASK_MEMORY_MIB = 6
POPULATE_WORKERS = 8

# AWS's limits: most ARNs a List* page holds, most names a Describe* takes.
LIST_PAGE = 100
DESCRIBE_SERVICES_MAX = 10
DESCRIBE_TASKS_MAX = 100
DESCRIBE_CLUSTERS_MAX = 100

_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")


class BenchError(RuntimeError):
    pass


# -- the server, in a process of its own ------------------------------------------------
def serve(conn: Any) -> None:
    """Child process: moto's server on 127.0.0.1, a free port; stops when the parent says so."""
    # moto prints what it cannot serve (Lightsail, which the console's overview asks about) and
    # werkzeug logs every request: none of it is a figure.
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    conn.send(f"http://{host}:{port}")
    while True:
        try:
            message = conn.recv()
        except EOFError:  # the parent is gone
            break
        if message != "cpu":
            break
        conn.send(time.process_time())  # the CPU time moto has spent serving, all its threads
    server.stop()


class MotoProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        if not self._conn.poll(60):
            self.stop()
            raise BenchError("moto's server did not start within 60 s")
        self.endpoint: str = self._conn.recv()
        if not self.endpoint.startswith("http://127.0.0.1:"):
            self.stop()
            raise BenchError(f"moto's server is not on 127.0.0.1: {self.endpoint}")

    def cpu(self) -> float:
        """CPU seconds the server process has used so far."""
        self._conn.send("cpu")
        return float(self._conn.recv())

    def stop(self) -> None:
        try:
            self._conn.send("stop")
        except OSError:
            pass
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)


def fake_credentials(directory: Path) -> None:
    """Fake keys, and no ~/.aws of the machine's (for this process and the server's)."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_ECS", "AWS_CA_BUNDLE"):
        os.environ.pop(name, None)
    config, credentials = directory / "aws-config", directory / "aws-credentials"
    config.write_text("")
    credentials.write_text("")
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
    })


# -- the workload -----------------------------------------------------------------------
def service_name(index: int) -> str:
    return f"svc-{index:04d}"


def populate(endpoint: str, services: int, tasks: int) -> dict[str, Any]:
    """The cluster, its instances, services and tasks, through a plain boto3 client (not counted)."""
    import boto3
    import botocore.config

    timings: dict[str, float] = {}
    config = botocore.config.Config(retries={"mode": "standard", "max_attempts": 3},
                                    max_pool_connections=POPULATE_WORKERS * 2)
    session = boto3.Session(region_name=REGION)
    ecs = session.client("ecs", endpoint_url=endpoint, config=config)
    ec2 = session.client("ec2", endpoint_url=endpoint, config=config)

    # Tasks stay RUNNING however often they are described (moto's default moves them on each time).
    body = json.dumps({"model_name": "ecs::task",
                       "transition": {"progression": "manual", "times": 1_000_000_000}}).encode()
    request = urllib.request.Request(f"{endpoint}/moto-api/state-manager/set-transition", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass

    started = time.perf_counter()
    ecs.create_cluster(clusterName=CLUSTER)
    definition = ecs.register_task_definition(
        family="app", networkMode="bridge", requiresCompatibilities=["EC2"],
        containerDefinitions=[{"name": "app", "image": "busybox", "cpu": 0, "memory": TASK_MEMORY_MIB,
                               "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]
    instances = max(1, math.ceil(tasks / (INSTANCE_MEMORY_MIB // TASK_MEMORY_MIB)))
    image = ec2.describe_images()["Images"][0]["ImageId"]
    launched = ec2.run_instances(ImageId=image, MinCount=instances, MaxCount=instances,
                                 InstanceType="m5.xlarge")["Instances"]
    for instance in launched:
        document = {"instanceId": instance["InstanceId"], "region": REGION, "instanceType": "m5.xlarge",
                    "availabilityZone": instance["Placement"]["AvailabilityZone"]}
        ecs.register_container_instance(cluster=CLUSTER, instanceIdentityDocument=json.dumps(document))
    timings["cluster, definition, instances"] = time.perf_counter() - started

    per_service = tasks // services if services else 0

    def create(index: int) -> None:
        ecs.create_service(cluster=CLUSTER, serviceName=service_name(index), taskDefinition=definition,
                           desiredCount=per_service, launchType="EC2")

    started = time.perf_counter()
    with ThreadPoolExecutor(POPULATE_WORKERS) as pool:
        list(pool.map(create, range(services)))
    timings["services"] = time.perf_counter() - started

    counts = [TASKS_PER_RUN] * (tasks // TASKS_PER_RUN) + ([tasks % TASKS_PER_RUN] if tasks % TASKS_PER_RUN else [])

    def run(index: int) -> int:
        group = f"service:{service_name(index % services)}" if services else None
        answer = ecs.run_task(cluster=CLUSTER, taskDefinition=definition, count=counts[index], launchType="EC2",
                              startedBy="ecs-svc/bench", **({"group": group} if group else {}))
        return len(answer["tasks"])

    # One at a time: moto places tasks on its container instances without a lock.
    started = time.perf_counter()
    placed = sum(run(i) for i in range(len(counts)))
    timings["tasks"] = time.perf_counter() - started
    if placed != tasks:
        raise BenchError(f"moto placed {placed} tasks, not {tasks}")
    listed_services = ecs.list_services(cluster=CLUSTER, maxResults=LIST_PAGE)
    listed_tasks = ecs.list_tasks(cluster=CLUSTER, maxResults=LIST_PAGE)
    ecs.close()
    ec2.close()
    return {
        "instances": instances,
        "run_task_calls": len(counts),
        "timings_s": timings,
        # moto answers ListServices and ListTasks in one page, whatever maxResults says.
        "moto_list_services_page": len(listed_services["serviceArns"]),
        "moto_list_tasks_page": len(listed_tasks["taskArns"]),
        "moto_paginates": bool(listed_services.get("nextToken") or listed_tasks.get("nextToken")),
    }


# -- counting the console's calls -------------------------------------------------------
class Calls:
    """Every API call the backend's clients make, by (who made it, operation); optionally each
    request delayed by a simulated round trip."""

    def __init__(self, backend: Any) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.asked: dict[str, float] = {}
        """When each worker made its first call (``time.perf_counter``)."""
        self.answered: dict[str, float] = {}
        """When the last answer to each worker's calls came."""
        self.latency = 0.0
        self._lock = threading.Lock()
        events = backend.session.events  # clients made from now on copy these handlers
        events.register("before-call.*.*", self._call)
        events.register("after-call.*.*", self._answered)
        events.register("before-send.*.*", self._send)

    @staticmethod
    def _who() -> str:
        from textual.worker import NoActiveWorker, get_current_worker

        try:
            return get_current_worker().group
        except NoActiveWorker:
            return "-"

    def _call(self, model: Any, **_: Any) -> None:
        now, who = time.perf_counter(), self._who()
        with self._lock:
            self.calls[(who, model.name)] += 1
            self.asked.setdefault(who, now)

    def _answered(self, **_: Any) -> None:
        now = time.perf_counter()
        with self._lock:
            self.answered[self._who()] = now

    def _send(self, **_: Any) -> None:
        if self.latency:
            time.sleep(self.latency)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self.asked.clear()
            self.answered.clear()

    def by_operation(self, who: str | None = None) -> Counter[str]:
        found: Counter[str] = Counter()
        for (caller, operation), n in self.calls.items():
            if who is None or caller == who:
                found[operation] += n
        return found

    def by_caller(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for (caller, _), n in self.calls.items():
            found[caller] += n
        return found


def pages(count: int, size: int) -> int:
    """Calls to read ``count`` items ``size`` at a time; an empty list is still one call."""
    return max(1, math.ceil(count / size))


def minimum_calls(services: int, tasks: int, clusters: int = 1) -> dict[str, dict[str, dict[str, int]]]:
    """The fewest calls each refresh can make, on AWS and on moto (one page per list)."""
    def tab(listed: int, list_op: str, describe_op: str, per_describe: int, paginated: bool) -> dict[str, int]:
        calls = {"DescribeClusters": 1,  # the cluster page's header
                 list_op: pages(listed, LIST_PAGE) if paginated else 1}
        if listed:
            calls[describe_op] = math.ceil(listed / per_describe)
        return calls

    result = {}
    for where, paginated in (("aws", True), ("moto", False)):
        result[where] = {
            "clusters": {"ListClusters": pages(clusters, LIST_PAGE) if paginated else 1,
                         "DescribeClusters": pages(clusters, DESCRIBE_CLUSTERS_MAX)},
            "services": tab(services, "ListServices", "DescribeServices", DESCRIBE_SERVICES_MAX, paginated),
            "tasks": tab(tasks, "ListTasks", "DescribeTasks", DESCRIBE_TASKS_MAX, paginated),
        }
    return result


def count_refreshes(backend: Any, server: MotoProcess, calls: Calls) -> dict[str, dict[str, Any]]:
    """One refresh of each page, as its worker runs it: the screen's own ``fetch``."""
    from computetui.ui.pages.service import ServiceScreen
    from computetui.ui.registry import BY_ID
    from computetui.ui.services.ecs.screens import ClusterScreen

    screens = {
        "clusters": ServiceScreen(BY_ID["ecs"], view="clusters"),
        "services": ClusterScreen(CLUSTER, view="services"),
        "tasks": ClusterScreen(CLUSTER, view="tasks"),
    }
    counted = {}
    for name, screen in screens.items():
        calls.clear()
        cpu = server.cpu()
        started = time.perf_counter()
        data = screen.fetch(backend)
        if isinstance(data, Iterator):  # shown in steps (a screenful of services first): the last has all
            *_, data = data
        took = time.perf_counter() - started
        moto_cpu = server.cpu() - cpu
        rows = data["rows"]
        if isinstance(rows, str):
            raise BenchError(f"the {name} tab could not be read: {rows}")
        counted[name] = {**calls.by_operation(), "rows": len(rows), "seconds": took, "moto_cpu": moto_cpu}
        print(f"  {name} refresh: {sum(calls.by_operation().values())} calls, {len(rows):,} rows, "
              f"{took:.2f} s", file=sys.stderr, flush=True)
    return counted


# -- the backend's time for the services ----------------------------------------------
def time_services(backend: Any, server: MotoProcess, reps: int) -> dict[str, dict[str, list[float]]]:
    """Per way: the seconds it took, and the CPU seconds moto's server spent answering it."""
    from computetui.backends.aws.kit import batches, fan_out

    ecs = backend.ecs

    def one(chunk: list[str]) -> list[Any]:
        return ecs.ecs.call("describe_services", cluster=CLUSTER, services=chunk).get("services", [])

    ways: dict[str, Callable[[list[str]], Any]] = {
        "sequential batches": lambda arns: [s for chunk in batches(arns, DESCRIBE_SERVICES_MAX) for s in one(chunk)],
        "fan_out batches": lambda arns: [s for found in fan_out(one, list(batches(arns, DESCRIBE_SERVICES_MAX)))
                                         for s in found],
        "adapter describe_services": lambda arns: ecs.describe_services(CLUSTER, arns),
    }
    samples: dict[str, dict[str, list[float]]] = {way: {"elapsed": [], "moto_cpu": [], "own_cpu": []}
                                                  for way in ways}
    for _ in range(reps):
        for way, describe in ways.items():
            cpu, own = server.cpu(), time.process_time()
            started = time.perf_counter()
            arns = ecs.list_services(CLUSTER)
            found = describe(arns)
            samples[way]["elapsed"].append(time.perf_counter() - started)
            samples[way]["own_cpu"].append(time.process_time() - own)
            samples[way]["moto_cpu"].append(server.cpu() - cpu)
            if len(found) != len(arns):
                raise BenchError(f"{way}: {len(found)} services described, {len(arns)} listed")
    return samples


# -- the console --------------------------------------------------------------------------
def console_class() -> type:
    from rich.console import RenderableType
    from textual._compositor import CompositorUpdate
    from textual.screen import Screen

    from computetui.app import ComputeApp

    class BenchConsole(ComputeApp):
        """The console, recording each frame it draws (what a terminal would have been sent)."""

        CSS_PATH = str(Path(sys.modules[ComputeApp.__module__].__file__ or "").parent / ComputeApp.CSS_PATH)

        def __init__(self, settings: Any, backend: Any) -> None:
            super().__init__(settings, backend, polling=False, blink=False)
            self.frames: list[tuple[float, str, bool]] = []
            """(when it was drawn, what a terminal would have been sent, whether ``probe`` held)."""
            self.probe: Callable[[Screen[Any]], bool] = lambda screen: False

        def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
            super()._display(screen, renderable)
            if renderable is None or self._batch_count:
                return
            output = renderable.render_segments(self.console) if isinstance(renderable, CompositorUpdate) else ""
            self.frames.append((time.perf_counter(), output, self.probe(screen)))

        def screen_text(self) -> str:
            return "\n".join(strip.text for strip in self.screen._compositor.render_strips())

    return BenchConsole


async def settle(app: Any) -> float:
    """Until the screen has been quiet for ``QUIET`` s after a frame with no worker running; that frame's time."""
    deadline = time.perf_counter() + TIMEOUT
    while True:
        await asyncio.sleep(0.02)
        now = time.perf_counter()
        if now > deadline:
            raise BenchError("the screen never settled")
        if app.frames and now - app.frames[-1][0] >= QUIET and not len(app.workers):
            return app.frames[-1][0]


async def settle_any(app: Any) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while True:
        count = len(app.frames)
        await asyncio.sleep(QUIET)
        if len(app.frames) == count and not len(app.workers):
            return
        if time.perf_counter() > deadline:
            raise BenchError("the console never went quiet")


async def drive(app: Any, server: MotoProcess, calls: Calls, reps: int, services: int) -> list[dict[str, Any]]:
    from computetui.ui.pages.service import ServiceScreen
    from computetui.ui.services.ecs.screens import ClusterScreen

    first = service_name(0)
    results = []
    async with app.run_test(size=SIZE) as pilot:
        def filled(screen: Any) -> bool:
            return isinstance(screen, ClusterScreen) and bool(screen.table_of("services")._rows)

        app.probe = filled
        await settle_any(app)
        await pilot.press("colon", "e", "c", "s", "enter")
        await settle_any(app)
        if not isinstance(app.screen, ServiceScreen) or CLUSTER not in app.screen_text():
            raise BenchError(f"the ECS page does not show cluster {CLUSTER}:\n{app.screen_text()}")
        for rep in range(reps):
            await settle_any(app)
            app.frames.clear()
            calls.clear()
            cpu, own = server.cpu(), time.process_time()
            started = time.perf_counter()
            await pilot.press("enter")
            settled = await settle(app)
            own_cpu = time.process_time() - own
            moto_cpu = server.cpu() - cpu
            # The first frame that draws the first row. A frame's output holds only what changed
            # since the last one, so the frame drawn just after the table got its rows counts too.
            shown = next((when for when, output, full in app.frames if full or first in _ESCAPE.sub("", output)),
                         None)
            screen = app.screen
            if not isinstance(screen, ClusterScreen) or screen.view.id != "services":
                raise BenchError(f"enter did not open the cluster's Services tab: {screen!r}")
            if shown is None:
                raise BenchError(f"no frame drew {first!r}:\n{app.screen_text()}")
            if first not in app.screen_text():
                raise BenchError(f"the settled screen does not show {first!r}:\n{app.screen_text()}")
            if len(screen.table._rows) != services:
                raise BenchError(f"the Services tab shows {len(screen.table._rows)} rows, not {services}")
            result = {
                "asked_s": calls.asked.get("page", started) - started,
                "answered_s": calls.answered.get("page", started) - started,
                "shown_s": shown - started,
                "settled_s": settled - started,
                "moto_cpu_s": moto_cpu,
                "console_cpu_s": own_cpu,
                "rows": len(screen.table._rows),
                "page_calls": dict(calls.by_operation("page")),
                "overview_calls": dict(calls.by_operation("overview")),
                "calls_by_caller": dict(calls.by_caller()),
            }
            results.append(result)
            print(f"  Services tab rep {rep + 1}/{reps}: page's first call {result['asked_s'] * 1000:.0f} ms, "
                  f"last answer {result['answered_s'] * 1000:.0f} ms, "
                  f"first rows {result['shown_s'] * 1000:.0f} ms, settled "
                  f"{result['settled_s'] * 1000:.0f} ms, {result['rows']:,} rows, calls "
                  f"{dict(calls.by_caller())}", file=sys.stderr, flush=True)
            await pilot.press("escape")
            await settle_any(app)
            if not isinstance(app.screen, ServiceScreen):
                raise BenchError(f"esc did not go back to the ECS page: {app.screen!r}")
    return results


def run_console(server: MotoProcess, backend: Any, calls: Calls, reps: int, services: int) -> list[dict[str, Any]]:
    from computetui.settings import Settings

    settings = Settings(backend="aws", endpoint_url=server.endpoint, region=REGION, refresh=0)
    app = console_class()(settings, backend)
    return asyncio.run(drive(app, server, calls, reps, services))


# -- the report -------------------------------------------------------------------------
def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


NOT_CALLS = ("rows", "seconds", "moto_cpu")


def total(calls: dict[str, Any]) -> int:
    return sum(n for op, n in calls.items() if op not in NOT_CALLS)


def describe_calls(calls: dict[str, Any]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(calls.items()) if op not in NOT_CALLS)


def median_max(samples: list[float]) -> str:
    return f"{ms(statistics.median(samples))} / {ms(max(samples))}"


def latency_label(latency: float) -> str:
    return f"+{latency:g} ms a request" if latency else "moto as it is"


def report(args: argparse.Namespace, results: dict[str, Any]) -> None:
    population = results["population"]
    print(f"AWS scale: ECS cluster {CLUSTER!r} with {args.services:,} services and {args.tasks:,} tasks, "
          f"on moto's server (127.0.0.1, a process of its own)")
    print(f"Python {platform.python_version()}, Textual {version('textual')}, boto3 {version('boto3')}, "
          f"moto {version('moto')}; {os.cpu_count()} CPUs, 1-min load average {os.getloadavg()[0]:.2f}")
    timings = population["timings_s"]
    print(f"Population: {sum(timings.values()):.1f} s ("
          + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
          + f"; {population['instances']} container instances, {population['run_task_calls']:,} RunTask calls)")
    print(f"moto does not paginate: ListServices answered {population['moto_list_services_page']:,} ARNs and "
          f"ListTasks {population['moto_list_tasks_page']:,} in one page for maxResults={LIST_PAGE}"
          + (" (with a nextToken)" if population["moto_paginates"] else ""))
    print()

    minimum = results["minimum"]
    refresh = results["refresh_calls"]
    print("1. API calls per refresh (each page's own fetch, as its worker runs it)")
    print(f"  {'page':<19}{'calls':>6}{'moto min':>9}{'AWS min':>8}  {'verdict':<8}{'time':>9}{'moto CPU':>10}  made")
    for page, label in (("clusters", "ECS: Clusters"), ("services", "cluster: Services"),
                        ("tasks", "cluster: Tasks")):
        made = refresh[page]
        moto_min, aws_min = total(minimum["moto"][page]), total(minimum["aws"][page])
        verdict = "meets" if total(made) == moto_min else "misses"
        print(f"  {label:<19}{total(made):>6}{moto_min:>9}{aws_min:>8}  {verdict:<8}{made['seconds']:>7.2f} s"
              f"{made['moto_cpu']:>8.2f} s  {describe_calls(made)}")
    print(f"  AWS's minimum: services {describe_calls(minimum['aws']['services'])}; tasks "
          f"{describe_calls(minimum['aws']['tasks'])} (List*: {LIST_PAGE} ARNs a page; DescribeServices "
          f"{DESCRIBE_SERVICES_MAX} names a call, DescribeTasks {DESCRIBE_TASKS_MAX})")
    first_run = next(iter(results["runs"].values()))["console"][-1]
    print(f"  Every page load also refreshes the console's overview (header, navigation) in its own worker: "
          f"{total(first_run['overview_calls'])} calls ({describe_calls(first_run['overview_calls'])})")
    print()

    runs = results["runs"]
    latencies = list(runs)
    width = 24
    print(f"2. Backend time: list_services, then all {args.services:,} services described "
          f"(median / max of {args.reps}; CPU: medians, moto's server and this process)")
    print(f"  {'way':<27}" + "".join(f"{latency_label(x):>{width}}{'moto CPU':>10}{'own CPU':>9}"
                                     for x in latencies))
    for way in next(iter(runs.values()))["backend_s"]:
        line = f"  {way:<27}"
        for latency in latencies:
            sample = runs[latency]["backend_s"][way]
            line += (f"{median_max(sample['elapsed']):>{width}}{statistics.median(sample['moto_cpu']):>8.2f} s"
                     f"{statistics.median(sample['own_cpu']):>7.2f} s")
        print(line)
    print()

    print(f"3. Services tab in the console: enter -> ... (median / max of {args.reps})")
    print(f"  {'':<28}" + "".join(f"{latency_label(x):>{width}}" for x in latencies))
    rows = (("page's first API call", "asked_s"), ("page's last API answer", "answered_s"), ("first rows drawn", "shown_s"), ("settled", "settled_s"),
            ("moto CPU in the window", "moto_cpu_s"), ("console CPU in the window", "console_cpu_s"))
    for label, key in rows:
        print(f"  {label:<28}" + "".join(
            f"{median_max([r[key] for r in runs[x]['console']]):>{width}}" for x in latencies))
    print(f"  {'all rows drawn (settled) after the last answer':<28}" + "".join(
        f"{median_max([r['settled_s'] - r['answered_s'] for r in runs[x]['console']]):>{width}}" for x in latencies))
    print(f"  {'calls: page + overview':<28}" + "".join(
        f"{total(runs[x]['console'][-1]['page_calls']):>{width - 5}} + {total(runs[x]['console'][-1]['overview_calls']):<2}"
        for x in latencies))
    print()

    print("Targets")
    counts = [(page, total(refresh[page]), total(minimum["moto"][page])) for page in ("clusters", "services", "tasks")]
    verdict = "meets" if all(made == least for _, made, least in counts) else "misses"
    print("  calls per refresh = the minimum the API allows (moto's): "
          + ", ".join(f"{page} {made} (min {least})" for page, made, least in counts) + f": {verdict}")
    for latency in latencies:
        worst = max(r["shown_s"] for r in runs[latency]["console"])
        verdict = "meets" if worst <= TARGET_FIRST_ROWS_S else "misses"
        print(f"  Services tab first rows <= {TARGET_FIRST_ROWS_S:.0f} s, {latency_label(latency)}: "
              f"max {ms(worst)}: {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=2_000, metavar="N", help="services (default 2000)")
    parser.add_argument("--tasks", type=int, default=10_000, metavar="N", help="tasks (default 10000)")
    parser.add_argument("--reps", type=int, default=3, metavar="N", help="repetitions per timed figure (default 3)")
    parser.add_argument("--latency-ms", type=float, default=30.0, metavar="MS",
                        help="simulated round trip added to every request in a second run (default 30; 0: none)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    if args.services < 1 or args.tasks < 0 or args.reps < 1 or args.latency_ms < 0:
        parser.error("--services and --reps must be at least 1, --tasks and --latency-ms at least 0")

    results: dict[str, Any] = {"minimum": minimum_calls(args.services, args.tasks)}
    with tempfile.TemporaryDirectory(prefix="computetui-aws-scale-") as tmp:
        fake_credentials(Path(tmp))
        server = MotoProcess()
        try:
            print(f"moto at {server.endpoint}; populating ...", file=sys.stderr, flush=True)
            results["population"] = populate(server.endpoint, args.services, args.tasks)

            from computetui.backends import open_backend

            backend = open_backend("aws", endpoint_url=server.endpoint, region=REGION)
            calls = Calls(backend)
            try:
                results["refresh_calls"] = count_refreshes(backend, server, calls)
                results["runs"] = {}
                latencies = [0.0] + ([args.latency_ms] if args.latency_ms else [])
                for latency in latencies:
                    calls.latency = latency / 1000
                    runs: dict[str, Any] = {"backend_s": time_services(backend, server, args.reps)}
                    runs["console"] = run_console(server, backend, calls, args.reps, args.services)
                    results["runs"][latency] = runs
            finally:
                backend.close()
        finally:
            server.stop()
    report(args, results)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
