"""Getting to API Gateway's pages as a user does: ``:apigw``, then enter on an API's row, then a tab."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from computetui.ui.pages.service import ServiceScreen
from tests.ui.helpers import settle, type_text


async def open_apigw(pilot: Pilot, view: str = "apis") -> ServiceScreen:
    """API Gateway's page (``:apigw``), on ``view``: APIs, API keys or Usage plans."""
    await settle(pilot)
    await type_text(pilot, ":apigw")
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ServiceScreen)
    if view != "apis":
        screen.switch_view(view)
        await settle(pilot)
    assert screen.view.id == view
    return screen


async def open_api_page(pilot: Pilot, name: str, kind: type, tab: str | None = None) -> Any:
    """Enter on the API's row in API Gateway's list: its page, of class ``kind``; then, given one, its tab."""
    screen = await open_apigw(pilot)
    assert screen.table.move_to(next(r.key for r in screen.table.rows if r.name == name))
    await pilot.press("enter")
    await settle(pilot)
    page = pilot.app.screen
    assert isinstance(page, kind)
    if tab is not None:
        page.switch_view(tab)
        await settle(pilot)
        assert page.view.id == tab
    return page


async def form_of(pilot: Pilot, key: str, kind: type) -> Any:
    """Press ``key`` on the page: the form it opens, of class ``kind``."""
    await pilot.press(key)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, kind)
    return form
