"""The footer and ``?`` list the keys that apply where the user is, and ``l`` opens logs.

A key listed where it does nothing (``c`` on Lightsail's bundles, Batch's ``e``
on a view without queues) or refused there (a mutating key in read-only mode)
teaches the wrong thing; enter and ``d`` work on every table and are listed.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from computetui.ui.screens.help import HelpScreen
from computetui.ui.services.ecs.screens import ServiceScreen as EcsServiceScreen
from computetui.ui.services.ecs.screens import TaskScreen
from computetui.ui.services.lambda_.function import FunctionScreen
from tests.ui.ecs.test_ecs_ui import make_ecs_app, open_cluster, running, until
from tests.ui.helpers import SIZE, make_app, settle, type_text

pytestmark = pytest.mark.asyncio


async def footer(pilot: Pilot) -> dict[str, str]:
    await settle(pilot)
    return {key.description: key.key for key in pilot.app.screen.query(FooterKey)}


async def open_tab(pilot: Pilot, command: str, tabs_right: int = 0) -> None:
    await type_text(pilot, command)
    await pilot.press("enter")
    await settle(pilot)
    for _ in range(tabs_right):
        await pilot.press("right_square_bracket")
        await settle(pilot)


async def help_lines(pilot: Pilot) -> list[str]:
    await type_text(pilot, "?")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HelpScreen)
    lines = [str(s.render()) for s in pilot.app.screen.query(Static)]
    await pilot.press("escape")
    await settle(pilot)
    return lines


def ids(lines: list[str]) -> set[str]:
    """The key ids the help lists (the last word of a key's line)."""
    return {line.split()[-1] for line in lines if len(line.split()) > 2}


async def test_lightsail_bundles_list_open_and_describe_but_not_create_delete_or_enable() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, ":lightsail", tabs_right=1)
        assert app.screen.view.id == "bundles"
        keys = await footer(pilot)
        assert keys["Open"] == "enter" and keys["Describe"] == "d"
        assert not {"Create", "Delete", "Enable/Disable", "Logs"} & set(keys)
        listed = ids(await help_lines(pilot))
        assert {"open", "describe", "filter", "sort-next"} <= listed
        assert not {"create", "delete", "enable-disable", "deregister", "drain-instance", "logs"} & listed


async def test_batch_queues_list_enable_and_delete_where_they_apply() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, ":batch")
        keys = await footer(pilot)
        assert keys["Enable/Disable"] == "e" and keys["Delete"] == "ctrl+d"
        await pilot.press("right_square_bracket", "right_square_bracket")  # job definitions
        keys = await footer(pilot)
        assert "Enable/Disable" not in keys and keys["Deregister"] == "ctrl+d" and "Delete" not in keys


async def test_read_only_lists_no_key_that_changes_something_and_such_a_key_still_says_why() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, ":batch")
        keys = await footer(pilot)
        assert {"Open", "Describe", "Refresh"} <= set(keys)
        assert not {"Enable/Disable", "Delete", "Create"} & set(keys)
        listed = ids(await help_lines(pilot))
        assert not {"enable-disable", "delete", "create", "seed-demo"} & listed and "describe" in listed
        await pilot.press("e")
        await settle(pilot)
        assert any("read-only" in str(n.message).lower() for n in app._notifications)
        await open_tab(pilot, ":lambda")
        keys = await footer(pilot)
        assert "Create" not in keys and keys["Logs"] == "l"


async def test_l_on_a_function_opens_its_logs_tab() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, ":lambda")
        name = app.screen.selected().name
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, FunctionScreen) and app.screen.function_name == name
        assert app.screen.active == "logs"


async def test_l_on_a_task_opens_its_logs_and_on_a_service_page_goes_to_its_logs_tab() -> None:
    app = make_ecs_app()
    app.backend.ecs.run_task("demo", "web:1")
    app.backend.ecs.create_service("demo", "api", "web:1", desired_count=0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(running(app.backend)) == 1)
        screen = await open_cluster(pilot)
        assert (await footer(pilot))["Logs"] == "l"  # a service's rows have logs
        await pilot.press("right_square_bracket")  # tasks
        await until(pilot, lambda: screen.table.rows)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, TaskScreen) and app.screen.view.id == "logs"
        assert "Logs" not in await footer(pilot)  # already there
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("right_square_bracket")  # container instances: no logs of their own
        assert "Logs" not in await footer(pilot)
        await pilot.press("left_square_bracket", "left_square_bracket")  # services
        await until(pilot, lambda: screen.table.rows)
        await pilot.press("l")  # a service row: its page, on the Logs tab
        await settle(pilot)
        assert isinstance(app.screen, EcsServiceScreen) and app.screen.view.id == "logs"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EcsServiceScreen) and app.screen.view.id == "details"
        await pilot.press("l")
        await settle(pilot)
        assert app.screen.view.id == "logs"


async def test_l_on_the_function_page_goes_to_its_logs_tab_and_is_not_listed_there() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, ":lambda")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FunctionScreen) and screen.active == "code"
        assert (await footer(pilot))["Logs"] == "l"
        await pilot.press("l")
        await settle(pilot)
        assert screen.active == "logs" and "Logs" not in await footer(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.active == "configuration" and (await footer(pilot))["Logs"] == "l"


async def test_ctrl_q_is_listed_on_the_home_page_and_leaves_the_room_to_the_page_elsewhere() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert (await footer(pilot))["Quit"] == "ctrl+q"
        await open_tab(pilot, ":ecs")
        keys = await footer(pilot)
        assert "Quit" not in keys and keys["Help"] == "question_mark"
        assert "quit" in ids(await help_lines(pilot))  # still listed, and still bound
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code is not None


def every_key_in_sight(pilot: Pilot) -> list[str]:
    """The footer's keys drawn past its right end or over the palette key (cut off)."""
    keys = list(pilot.app.screen.query(FooterKey))
    end = min((k.region.x for k in keys if k.key == pilot.app.COMMAND_PALETTE_BINDING),
              default=pilot.app.size.width)
    return [k.description for k in keys if k.key != pilot.app.COMMAND_PALETTE_BINDING and k.region.right > end]


async def test_the_footer_closes_up_rather_than_cut_keys_off_at_120_columns() -> None:
    app = make_ecs_app()
    app.backend.ecs.create_service("demo", "api", "web:1", desired_count=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        await until(pilot, lambda: screen.table.rows)
        await pilot.press("enter")  # the service: the most keys of any page
        await settle(pilot)
        for _ in range(len(app.screen.views)):
            keys = await footer(pilot)
            assert every_key_in_sight(pilot) == [] and keys["Help"] == "question_mark", app.screen.view.id
            await pilot.press("right_square_bracket")
        await pilot.resize_terminal(200, 36)  # room enough: Textual's own spacing again
        await settle(pilot)
        assert every_key_in_sight(pilot) == []
        assert not app.screen.query_one("ConsoleFooter").has_class("-tight")
