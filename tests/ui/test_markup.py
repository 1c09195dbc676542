"""Text from users, backends and AWS shows as written: ``[b]x[/b]`` or ``[keymap]`` is never read as markup."""

from __future__ import annotations

from typing import Any

import pytest
from textual.content import Content
from textual.widgets import Static

from computetui.backends.errors import ComputeError
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.help import HelpScreen
from computetui.ui.services.lambda_.logs import LogsPanel
from computetui.ui.widgets.resource_table import ResourceTable
from tests.ui.helpers import SIZE, make_app, settle, type_text

TRICKY = "bad [b]x[/b] in [keymap] and [$LATEST]"


def shown(widget: Static) -> str:
    """What a Static shows, as plain text."""
    rendered = widget.render()
    return rendered.plain if isinstance(rendered, Content) else str(rendered)


def toasts(app: Any) -> list[str]:
    """What each notification shows on screen: the message as the toast renders it."""
    return [(Content.from_markup(n.message) if n.markup else Content(n.message)).plain for n in app._notifications]


async def open_lambda(pilot: Any) -> ResourceTable:
    await settle(pilot)
    await type_text(pilot, ":lambda")
    await pilot.press("enter")
    await settle(pilot)
    return pilot.app.screen.table


@pytest.mark.asyncio
async def test_help_names_the_keymap_table() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(shown(w) for w in app.screen.query(Static))
        assert "in the config file's [keymap] table" in text


@pytest.mark.asyncio
async def test_a_backend_error_with_brackets_is_notified_as_written() -> None:
    app = make_app()

    def refuse(name: str, **_: Any) -> None:
        raise ComputeError(TRICKY, code="ResourceConflictException")

    app.backend.lambda_.delete_function = refuse  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_lambda(pilot)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert f"ResourceConflictException: {TRICKY}" in toasts(app)


@pytest.mark.asyncio
async def test_a_confirmation_shows_the_resource_name_and_warning_as_written() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ConfirmScreen(Content("Delete it?"), TRICKY, "Delete"))
        await settle(pilot)
        assert TRICKY in [shown(w) for w in app.screen.query(Static)]


@pytest.mark.asyncio
async def test_a_filter_with_brackets_shows_as_typed_in_the_title_and_the_empty_table() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await open_lambda(pilot)
        await pilot.press("slash")
        await type_text(pilot, "[b]zz")
        await settle(pilot)
        assert table.filter_text == "[b]zz"
        assert "filter /[b]zz" in table._border_subtitle.plain  # type: ignore[union-attr]
        assert "Nothing matches /[b]zz." in shown(table.query_one(".empty-state", Static))


@pytest.mark.asyncio
async def test_a_read_only_refusal_names_the_resource_as_written() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.refuse_if_read_only(f"deleting function {TRICKY}")
        await pilot.pause()
        assert any(f"deleting function {TRICKY} is refused" in t for t in toasts(app))


@pytest.mark.asyncio
async def test_lambda_log_streams_keep_their_version_in_brackets() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_function("hello-world", "logs")
        await settle(pilot)
        panel = app.screen.query_one(LogsPanel)
        stream = type("Stream", (), {"log_stream_name": "2026/01/15/[$LATEST]0123abcd"})()
        panel.show([stream], [])
        await pilot.pause()
        assert "newest 2026/01/15/[$LATEST]0123abcd" in shown(panel.query_one("#logs-status", Static))


def test_the_palette_shows_a_resource_name_as_written_with_its_match_picked_out() -> None:
    from textual.fuzzy import Matcher

    from computetui.ui.commands import _highlight

    shown_name = _highlight(Matcher("bx"), "[b]x[/b]")
    assert shown_name.plain == "[b]x[/b]"
    assert [span.start for span in shown_name.spans] == [1, 3]  # the b and the x that matched
