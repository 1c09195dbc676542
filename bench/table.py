"""Table benchmark: a 10,000-row resource table, first paint and filter keystrokes.

Usage (from the repository root)::

    .venv/bin/python bench/table.py [--rows N] [--reps N] [--skip-datatable] [--json]

What it measures
----------------
A tiny Textual app (headless, 120x36, through ``App.run_test``) whose screen
holds one table filling it. The rows are synthetic ECS task records (task id,
last and desired status, task definition, launch type, CPU, memory, start
time, group), keyed by task ARN, made from a fixed seed. Three figures per
repetition, each on a table mounted fresh for that repetition:

* **first paint**: ``set_rows(rows)`` on the freshly mounted, settled, empty
  ``ResourceTable``, until the screen has drawn the frame showing the rows;
* **filter keystroke**: ``filter_text`` grows by one character, ``worker``
  typed one letter at a time (``w`` still matches every row, since every ARN
  holds ``aws``; ``wor`` and on match the worker tasks only); every keystroke
  is one sample;
* **clear filter**: ``filter_text`` from ``worker`` back to ``""`` (esc).

"Drawn" means: the app's ``_display`` hook (overridden in the bench app's
class, nothing patched) received the compositor's update for the screen and,
because a headless app writes nothing, the bench turned that update into the
escape sequences a terminal would have been sent (``render_segments``), the
work a real terminal driver does before its write. The clock starts just
before the change (the call, or the assignment to ``filter_text``) and gives
two figures:

* **shown**: until the first frame drawn after the change whose output holds
  the task id of the row that should now be first (the first of all rows, or
  of the rows that match the filter): the frame showing the rows;
* **settled**: until the last frame drawn before the screen has been quiet
  (no new frame) for 0.3 s, the quiet wait itself not counted. Textual often
  draws one or two small frames more after a change (the scrollbars, once
  the layout has given them their new size; a DataTable's column widths,
  measured when it is idle), so this one is the stricter.

Once settled, the bench also checks the compositor's current strips for that
task id, so a fast figure of a frame that did not show the rows cannot pass.

For comparison the same rows go into a plain ``textual.widgets.DataTable``
(row cursor, zebra stripes, the same cell text): ``add_rows`` and a ``sort``
by the first column for the first paint; for a keystroke, what an app without
its own filter does, ``clear()`` then ``add_rows`` of the rows that match and
``sort``. ``--skip-datatable`` leaves it out (it takes a while).

The report gives the median and the maximum per figure. The targets (first
paint <= 500 ms, keystroke <= 100 ms; a keystroke here means any of the six
typed and the clear) are printed for both figures, not asserted: benchmarks
print figures, tests never assert a time. Runs in one process, one event loop,
so other load on the machine shows in the maxima.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import RenderableType  # noqa: E402
from textual._compositor import CompositorUpdate  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.containers import Vertical  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widget import Widget  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from computetui.ui.themes import DEFAULT_THEME, load_themes, shipped_themes_dir, with_console_variables  # noqa: E402
from computetui.ui.views import Column, Row  # noqa: E402
from computetui.ui.widgets.resource_table import ResourceTable  # noqa: E402

SIZE = (120, 36)
TYPED = "worker"
QUIET = 0.3  # seconds without a frame that count as "settled"
TIMEOUT = 120.0
TARGET_PAINT_S = 0.5
TARGET_KEYSTROKE_S = 0.1

COLUMNS = (
    Column("task", "Task"),
    Column("last", "Last status", "state"),
    Column("desired", "Desired status", "state"),
    Column("definition", "Task definition"),
    Column("launch", "Launch type"),
    Column("cpu", "CPU", "number"),
    Column("memory", "Memory", "number"),
    Column("started", "Started at", "time"),
    Column("group", "Group"),
)

FAMILIES = ("web", "worker", "api", "etl", "cron")
LAST_STATUS = ("RUNNING",) * 14 + ("PENDING", "PROVISIONING", "STOPPED", "DEPROVISIONING", "ACTIVATING", "STOPPING")


def ecs_task_rows(count: int, seed: int = 7) -> list[Row]:
    """``count`` ECS tasks of cluster ``demo``, as the console's task page would list them."""
    rnd = random.Random(seed)
    rows = []
    for _ in range(count):
        task_id = f"{rnd.getrandbits(128):032x}"
        family = rnd.choice(FAMILIES)
        last = rnd.choice(LAST_STATUS)
        cpu = rnd.choice((256, 512, 1024, 2048))
        arn = f"arn:aws:ecs:us-east-1:123456789012:task/demo/{task_id}"
        cells: dict[str, Any] = {
            "task": task_id,
            "last": last,
            "desired": "STOPPED" if last in ("STOPPED", "STOPPING", "DEPROVISIONING") else "RUNNING",
            "definition": f"{family}:{rnd.randint(1, 40)}",
            "launch": rnd.choice(("FARGATE", "FARGATE", "EC2")),
            "cpu": cpu,
            "memory": cpu * rnd.choice((2, 4)),
            "started": f"2026-01-{rnd.randint(1, 15):02d} {rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00",
            "group": f"service:{family}",
        }
        rows.append(Row(key=arn, name=task_id, cells=cells, detail={"taskArn": arn}))
    return rows


class BenchApp(App[None]):
    """One slot filling a 120x36 screen, in the console's default theme; records each frame it draws."""

    CSS = "#slot { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[tuple[float, str]] = []
        """(when it was drawn, what a terminal would have been sent) per frame."""
        for theme in load_themes(shipped_themes_dir()).themes:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME

    def get_css_variables(self) -> dict[str, str]:
        return with_console_variables(super().get_css_variables())

    def compose(self) -> ComposeResult:
        yield Vertical(id="slot")

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if renderable is None or self._batch_count:
            return
        output = renderable.render_segments(self.console) if isinstance(renderable, CompositorUpdate) else ""
        self.frames.append((time.perf_counter(), output))

    def screen_text(self) -> str:
        return "\n".join(strip.text for strip in self.screen._compositor.render_strips())


class Case:
    """One kind of table: how to mount it, fill it and filter it."""

    name = ""
    widget: Widget

    def make(self, rows: list[Row]) -> Widget:
        raise NotImplementedError

    def fill(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def filter(self, rows: list[Row], text: str) -> None:
        raise NotImplementedError


class ResourceTableCase(Case):
    name = "ResourceTable"

    def make(self, rows: list[Row]) -> Widget:
        self.widget = ResourceTable(COLUMNS, title="Tasks", empty_hint="No tasks.", id="table")
        return self.widget

    def fill(self, rows: list[Row]) -> None:
        self.widget.set_rows(rows)

    def filter(self, rows: list[Row], text: str) -> None:
        self.widget.filter_text = text


class DataTableCase(Case):
    name = "plain DataTable"

    def make(self, rows: list[Row]) -> Widget:
        table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True, id="table")
        for column in COLUMNS:
            table.add_column(column.label, key=column.key)
        self.widget = table
        self._text = {row.key: row.text() for row in rows}
        return table

    def _add(self, rows: list[Row]) -> None:
        table = self.widget
        assert isinstance(table, DataTable)
        for row in rows:
            table.add_row(*(str(row.cells[c.key]) for c in COLUMNS), key=row.key)
        table.sort(COLUMNS[0].key)

    def fill(self, rows: list[Row]) -> None:
        self._add(rows)

    def filter(self, rows: list[Row], text: str) -> None:
        table = self.widget
        assert isinstance(table, DataTable)
        table.clear()
        needle = text.lower()
        self._add([row for row in rows if needle in self._text[row.key]])


async def settle(app: BenchApp) -> float:
    """Wait until the screen has been quiet for ``QUIET`` s after a frame; when that last frame was drawn."""
    deadline = time.perf_counter() + TIMEOUT
    while True:
        await asyncio.sleep(0.02)
        now = time.perf_counter()
        if now > deadline:
            raise RuntimeError("the screen never settled")
        if app.frames and now - app.frames[-1][0] >= QUIET:
            return app.frames[-1][0]


async def settle_any(app: BenchApp) -> None:
    """Quiet for ``QUIET`` s, whether or not a frame comes."""
    while True:
        count = len(app.frames)
        await asyncio.sleep(QUIET)
        if len(app.frames) == count:
            return


async def timed(app: BenchApp, change: Callable[[], None], marker: str, what: str) -> tuple[float, float]:
    """Seconds from ``change()`` to the first frame that draws ``marker``, and to the last frame before quiet."""
    await settle_any(app)
    app.frames.clear()
    start = time.perf_counter()
    change()
    settled = await settle(app)
    shown = next((when for when, output in app.frames if marker in output), None)
    if shown is None:
        raise RuntimeError(f"{what}: no frame drew {marker!r}")
    if marker not in app.screen_text():
        raise RuntimeError(f"{what}: the settled screen does not show {marker!r}:\n{app.screen_text()}")
    return shown - start, settled - start


def first_task_id(rows: list[Row], needle: str = "") -> str:
    matching = [r for r in rows if needle in r.text()]
    return min(r.cells["task"] for r in matching)


FIGURES = ("first paint", "filter keystroke", "clear filter")


async def run_case(case: Case, rows: list[Row], reps: int) -> dict[str, dict[str, list[float]]]:
    """Per figure, the "shown" and the "settled" samples, in seconds."""
    samples: dict[str, dict[str, list[float]]] = {f: {"shown": [], "settled": []} for f in FIGURES}

    def add(figure: str, result: tuple[float, float]) -> None:
        samples[figure]["shown"].append(result[0])
        samples[figure]["settled"].append(result[1])

    app = BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        slot = app.query_one("#slot")
        for rep in range(reps):
            await slot.remove_children()
            widget = case.make(rows)
            await slot.mount(widget)
            widget.focus()
            first = first_task_id(rows)
            add("first paint", await timed(app, lambda: case.fill(rows), first, "first paint"))
            for i in range(1, len(TYPED) + 1):
                typed = TYPED[:i]
                change = partial(case.filter, rows, typed)
                add("filter keystroke", await timed(app, change, first_task_id(rows, typed), f"filter {typed!r}"))
            add("clear filter", await timed(app, partial(case.filter, rows, ""), first, "clear filter"))
            print(
                f"  {case.name} rep {rep + 1}/{reps} (shown/settled): "
                + "  ".join(
                    f"{k} {v['shown'][-1] * 1000:.0f}/{v['settled'][-1] * 1000:.0f} ms" for k, v in samples.items()
                ),
                file=sys.stderr,
                flush=True,
            )
    return samples


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, metavar="N", help="rows in the table (default 10000)")
    parser.add_argument("--reps", type=int, default=3, metavar="N", help="repetitions per table (default 3)")
    parser.add_argument("--skip-datatable", action="store_true", help="leave out the plain DataTable comparison")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.reps < 1:
        parser.error("--rows and --reps must be at least 1")

    rows = ecs_task_rows(args.rows)
    cases: list[Case] = [ResourceTableCase()]
    if not args.skip_datatable:
        cases.append(DataTableCase())
    results = {case.name: asyncio.run(run_case(case, rows, args.reps)) for case in cases}

    print(f"Table: {args.rows:,} ECS task rows in a {SIZE[0]}x{SIZE[1]} headless app, time until drawn")
    print(
        f"Python {platform.python_version()}, Textual {version('textual')}, Rich {version('rich')}; "
        f"{args.reps} repetition(s), {len(TYPED)} keystrokes each; {os.cpu_count()} CPUs, "
        f"1-min load average {os.getloadavg()[0]:.2f}"
    )
    print("shown: to the first frame that draws the expected first row; settled: to the last frame before quiet")
    print()
    print(f"  {'table':<18}{'figure':<19}{'shown median':>13}{'max':>9}{'settled median':>16}{'max':>9}{'n':>4}")
    for name, samples in results.items():
        for figure, kinds in samples.items():
            shown, settled = kinds["shown"], kinds["settled"]
            print(
                f"  {name:<18}{figure:<19}{ms(statistics.median(shown)):>13}{ms(max(shown)):>9}"
                f"{ms(statistics.median(settled)):>16}{ms(max(settled)):>9}{len(shown):>4}"
            )
    print()
    ours = results["ResourceTable"]
    for kind in ("shown", "settled"):
        paint = max(ours["first paint"][kind])
        key = max(ours["filter keystroke"][kind] + ours["clear filter"][kind])
        print(
            f"  ResourceTable, {kind}: first paint max {ms(paint)} (target <= {ms(TARGET_PAINT_S)}: "
            f"{'meets' if paint <= TARGET_PAINT_S else 'misses'}); keystroke max {ms(key)} "
            f"(target <= {ms(TARGET_KEYSTROKE_S)}: {'meets' if key <= TARGET_KEYSTROKE_S else 'misses'})"
        )
    if "plain DataTable" in results:
        plain = results["plain DataTable"]
        for figure in FIGURES:
            ratio = statistics.median(plain[figure]["settled"]) / statistics.median(ours[figure]["settled"])
            print(f"  {figure}: plain DataTable / ResourceTable, settled medians: {ratio:.1f}x")
    if args.json:
        print()
        print(json.dumps({"rows": args.rows, "reps": args.reps, "samples_s": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
