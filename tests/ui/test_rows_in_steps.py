"""A listing read in steps shows its first rows before the rest are read (a cluster of 2,000
services on AWS: four DescribeServices show a screenful, 196 more bring the rest)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot

from computetui.backends.base import Backend
from computetui.ui.screens.tabs import TabbedScreen
from computetui.ui.views import Column, ResourceView, Row, RowsSoFar
from computetui.ui.widgets.resource_table import ResourceTable
from tests.ui.helpers import SIZE, make_app, settle

pytestmark = pytest.mark.asyncio

COLUMNS = (Column("name", "Service"),)


def row(n: int) -> Row:
    return Row(key=f"arn:svc/{n:04d}", name=f"svc-{n:04d}", cells={"name": f"svc-{n:04d}"}, detail={})


class Steps:
    """A fetch that yields the first rows, then waits to be let go before it yields them all."""

    def __init__(self, fail: bool = False) -> None:
        self.go_on = threading.Event()
        self.fail = fail
        self.calls = 0

    def __call__(self, _backend: Backend) -> Iterator[RowsSoFar | list[Row]]:
        self.calls += 1
        first = [row(n) for n in range(40)]
        yield RowsSoFar(first, 200)
        if not self.go_on.wait(10):
            raise AssertionError("never let go")
        if self.fail:
            raise RuntimeError("ThrottlingException: Rate exceeded")
        yield first + [row(n) for n in range(40, 200)]


async def until(pilot, condition) -> None:  # noqa: ANN001
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.01)
        await pilot.pause()
    raise AssertionError("condition not met")


@asynccontextmanager
async def opened(steps: Steps) -> AsyncIterator[tuple[Pilot, TabbedScreen, ResourceTable]]:
    """The console on a page of one tab listed by ``steps``, once its first rows show."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = TabbedScreen([ResourceView("services", "Services", "service", COLUMNS, steps)])
        await app.push_screen(screen)
        table = screen.query_one(ResourceTable)
        await until(pilot, lambda: len(table.rows) == 40)
        yield pilot, screen, table


async def test_the_first_rows_show_while_the_rest_are_read_then_all_of_them() -> None:
    steps = Steps()
    async with opened(steps) as (pilot, screen, table):
        assert table.border_title == "Services (40, loading 160 more…)"
        assert table.cursor_key == "arn:svc/0000"
        await pilot.press("down", "down")
        steps.go_on.set()
        await settle(pilot)
        assert len(table.rows) == 200 and table.border_title == "Services (200)"
        assert table.cursor_key == "arn:svc/0002"  # the cursor kept its row


async def test_a_step_that_fails_keeps_the_rows_so_far_and_says_why() -> None:
    steps = Steps(fail=True)
    async with opened(steps) as (pilot, screen, table):
        steps.go_on.set()
        await settle(pilot)
        assert len(table.rows) == 40
        assert "ThrottlingException" in str(screen.query_one("#banner").render())


async def test_a_newer_refresh_wins_over_an_older_one_still_reading() -> None:
    steps = Steps()
    async with opened(steps) as (pilot, screen, table):
        screen.reload()  # the first fetch is still waiting to read the rest
        await until(pilot, lambda: steps.calls == 2)
        steps.go_on.set()
        await settle(pilot)
        assert steps.calls == 2 and len(table.rows) == 200
