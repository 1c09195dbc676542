"""Pictures of an HTTP API's page on the sample's hello-api: its Routes, Integrations and Stages
tabs. Regenerate with ``pytest tests/ui/apigateway --snapshot-update`` and look at them."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tests.ui.helpers import SIZE, make_app, settle, type_text


def on_api(tab: str) -> object:
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":apigw")
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        screen.table.move_to(next(r.key for r in screen.table.rows if r.name == "hello-api"))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        pilot.app.screen.switch_view(tab)  # type: ignore[attr-defined]
        await settle(pilot)

    return go


@pytest.mark.parametrize("tab", ["routes", "integrations", "stages"])
def test_http_api_tab_snapshot(snap_compare, tab: str) -> None:  # noqa: ANN001
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=on_api(tab))
