"""The Batch Jobs page with 10,000 jobs: its first paint and a filter keystroke.

A queue is given 10,000 job records (every state, names from a few families) through the
emulator's own job book, with no engine; the console opens the queue's Jobs page
(``JobsScreen``, what ``enter`` on the queue opens) and the figures are the time from the
key to the first frame that draws the expected first row, and to the last frame before
quiet — the same measure as the ECS Tasks tab (``bench/ecs_tasks.py``, whose harness this
reuses). Targets: first paint 500 ms, a filter keystroke 100 ms.

Usage: python bench/batch_jobs_view.py [--jobs N] [--reps N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ecs_tasks import SIZE, BenchConsole, BenchError, settle_any, timed  # noqa: E402
from computetui.backends.local import LocalBackend  # noqa: E402
from computetui.ui.services.batch.jobs import JobsScreen  # noqa: E402
from computetui.ui.widgets.resource_table import ResourceTable  # noqa: E402

FAMILIES = ("render", "encode", "report", "ingest", "train")
STATES = ("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "RUNNABLE", "RUNNING", "PENDING")
TYPED = "encode"
TARGET_PAINT_S = 0.5
TARGET_KEYSTROKE_S = 0.1
START_MS = 1_765_000_000_000


def seed_jobs(backend: LocalBackend, count: int) -> list[str]:
    """``count`` jobs in queue bench-q; their names, oldest first."""
    batch = backend.batch
    batch.create_compute_environment("bench-ce", compute_resources={"type": "FARGATE", "maxvCpus": 4})
    batch.create_job_queue("bench-q", 1, [{"order": 1, "computeEnvironment": "bench-ce"}])
    [queue] = batch.describe_job_queues(["bench-q"])
    names = []
    with backend.store.transaction():
        for n in range(count):
            job_id = f"{n:08x}-1111-4222-8333-{n:012x}"
            name = f"{FAMILIES[n % len(FAMILIES)]}-{n:05d}"
            status = STATES[n % len(STATES)]
            created = START_MS + n * 60_000  # a minute apart: the Created cell (to the minute) orders them
            body: dict[str, Any] = {
                "jobArn": f"arn:aws:batch:us-east-1:000000000000:job/{job_id}", "jobId": job_id,
                "jobName": name, "jobQueue": queue.job_queue_arn, "status": status, "createdAt": created,
                "jobDefinition": "arn:aws:batch:us-east-1:000000000000:job-definition/report:1",
                "container": {"image": "busybox", "command": ["true"]}, "attempts": [],
                "computetui": {"queueArn": queue.job_queue_arn},
            }
            if status in ("SUCCEEDED", "FAILED", "RUNNING"):
                body["startedAt"] = created + 500
            if status in ("SUCCEEDED", "FAILED"):
                body["stoppedAt"] = created + 4500
                body["container"]["exitCode"] = 0 if status == "SUCCEEDED" else 1
            batch.book.save(body)
            names.append(name)
    return names


async def drive(app: BenchConsole, pilot: Any, names: list[str], reps: int) -> dict[str, list[tuple[float, float]]]:
    newest = names[-1]  # the page sorts newest first
    typed_newest = [n for n in names if TYPED in n][-1]
    figures: dict[str, list[tuple[float, float]]] = {"first paint": [], "filter keystroke": []}
    await settle_any(app)
    for rep in range(reps):
        screen = JobsScreen("bench-q")
        figures["first paint"].append(await timed(app, lambda s=screen: app.push_screen(s), newest, "first paint"))
        table = screen.query_one(ResourceTable)
        if len(table._rows) != len(names):
            raise BenchError(f"the Jobs page shows {len(table._rows)} rows, not {len(names)}")
        await pilot.press("slash")
        await settle_any(app)
        for i in range(1, len(TYPED) + 1):
            typed = TYPED[:i]
            expect = [n for n in names if typed in n][-1] if typed != TYPED else typed_newest
            figures["filter keystroke"].append(await timed(app, lambda c=typed[-1]: pilot.press(c), expect,
                                                           f"filter {typed!r}"))
        await pilot.press("escape")
        for widget in screen.query(ResourceTable):
            app.theme_changed_signal.unsubscribe(widget)
        app.pop_screen()
        await settle_any(app)
        print(f"  rep {rep + 1}/{reps}: first paint {figures['first paint'][-1][0] * 1000:.0f} ms", file=sys.stderr,
              flush=True)
    return figures


async def page(backend: LocalBackend, names: list[str], reps: int) -> dict[str, list[tuple[float, float]]]:
    app = BenchConsole(backend)
    async with app.run_test(size=SIZE) as pilot:
        return await drive(app, pilot, names, reps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="computetui-bench-") as root:
        backend = LocalBackend(Path(root) / "state", controller=False, lambda_sandbox="process")
        try:
            started = time.perf_counter()
            names = seed_jobs(backend, args.jobs)
            print(f"  wrote {len(names):,} job records in {(time.perf_counter() - started) * 1000:.0f} ms",
                  file=sys.stderr)
            figures = asyncio.run(page(backend, names, args.reps))
        finally:
            backend.close()
    load = os.getloadavg()[0]
    print(f"Batch Jobs page, {args.jobs:,} jobs ({args.reps} reps, load {load:.1f}); shown / settled, median and max")
    for name, target in (("first paint", TARGET_PAINT_S), ("filter keystroke", TARGET_KEYSTROKE_S)):
        shown = [s for s, _ in figures[name]]
        settled = [t for _, t in figures[name]]
        verdict = "ok" if statistics.median(shown) <= target else "OVER"
        print(f"  {name:17} {statistics.median(shown) * 1000:6.0f} / {max(shown) * 1000:.0f} ms shown, "
              f"{statistics.median(settled) * 1000:.0f} / {max(settled) * 1000:.0f} ms settled "
              f"(target {target * 1000:.0f} ms: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
