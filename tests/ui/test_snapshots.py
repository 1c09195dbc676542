"""Pictures of every screen. Regenerate after a deliberate change with
``pytest tests/ui --snapshot-update`` and look at the new SVGs before committing."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from computetui.ui.registry import SERVICES
from tests.ui.helpers import SIZE, make_app, settle, type_text

SERVICE_IDS = [spec.id for spec in SERVICES]


def test_home(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)


def test_home_empty(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(seeded=False), terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("service", SERVICE_IDS)
@pytest.mark.parametrize("state", ["seeded", "empty"])
def test_service_page(snap_compare, service: str, state: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, f":{service}")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(seeded=state == "seeded"), terminal_size=SIZE, run_before=go)


def test_second_view_of_a_service(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":batch")
        await pilot.press("enter", "right_square_bracket")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=go)


def test_resource_detail(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":lambda")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=go)


def test_help(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=go)


def test_command_line_with_an_error(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":lamda")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=go)


def test_filter(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":ecr")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "/work")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=go)


def test_palette(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "hello")
        await pilot.pause(0.5)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=go)


def test_read_only(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":lambda")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+d")
        await settle(pilot)

    assert snap_compare(make_app(read_only=True), terminal_size=SIZE, run_before=go)


@pytest.mark.parametrize("theme", ["aws-dark", "aws-light", "high-contrast"])
def test_theme(snap_compare, theme: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":ecs")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=SIZE, run_before=go)
