"""Build the console for UI tests: fixed clock, fixed ids, fixed engine, no polling, no blinking."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widget import Widget

from computetui.app import ComputeApp
from computetui.backends.local import LocalBackend
from computetui.clock import FixedClock
from computetui.settings import Settings
from tests.support.fakes import StaticEngine

SIZE = (120, 36)


def make_backend(*, seeded: bool = True, read_only: bool = False) -> LocalBackend:
    backend = LocalBackend(
        ":memory:",
        clock=FixedClock("2026-01-15T09:30:00+00:00"),
        seed=11,
        engine=StaticEngine(),
        controller=False,
        lambda_sandbox="process",
    )
    if seeded:
        backend.seed_demo()
    backend.read_only = read_only
    return backend


def make_app(
    *, seeded: bool = True, read_only: bool = False, theme: str = "aws-dark", keymap: dict[str, str] | None = None
) -> ComputeApp:
    settings = Settings(refresh=0, theme=theme, read_only=read_only, keymap=keymap or {})
    return ComputeApp(
        settings,
        make_backend(seeded=seeded, read_only=read_only),
        polling=False,
        blink=False,
        clock=FixedClock("2026-01-15T09:30:00+00:00"),
    )


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and every message land."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*[{":": "colon", "/": "slash", " ": "space", "?": "question_mark"}.get(c, c) for c in text])


def shown_text(widget: Widget) -> str:
    """What the screen shows in ``widget``'s region, its lines joined by single spaces: the words a
    user can read there. Text the widget lays out beyond what its parents let be seen is not in it."""
    screen = widget.screen
    region = widget.region
    strips = screen._compositor.render_strips()  # read only: the cells as they are painted
    rows = [strip.crop(region.x, region.right).text for strip in strips[region.y : region.bottom]]
    return " ".join(" ".join(rows).split())
