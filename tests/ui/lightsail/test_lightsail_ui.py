"""The Lightsail console: the Instances list (address, price and month so far), the create
instance form (blueprints grouped, bundles priced, bad input named, nothing typed lost), an
instance's page and its tabs, read-only refusals, container services, and the price on the home
card and in the header."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea

from computetui.ui.pages.service import ServiceScreen
from computetui.ui.services.lightsail.forms import (
    CreateInstancesForm,
    blueprint_options,
    names_of,
    parse_environment,
)
from computetui.ui.services.lightsail.instance import InstanceScreen
from tests.ui.helpers import SIZE, settle, shown_text, type_text
from tests.ui.lightsail.scene import lightsail_app


async def open_lightsail(pilot: Pilot, tabs_right: int = 0) -> ServiceScreen:
    await settle(pilot)
    await type_text(pilot, ":lightsail")
    await pilot.press("enter")
    await settle(pilot)
    for _ in range(tabs_right):
        await pilot.press("right_square_bracket")
        await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ServiceScreen)
    return screen


async def open_instance(pilot: Pilot, name: str) -> InstanceScreen:
    screen = await open_lightsail(pilot)
    screen.table.move_to(next(r.key for r in screen.table.rows if r.name == name))
    await pilot.press("enter")
    await settle(pilot)
    page = pilot.app.screen
    assert isinstance(page, InstanceScreen)
    return page


def notices(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


# -- the Instances list ---------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_instances_list_their_blueprint_bundle_address_and_monthly_price() -> None:
    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lightsail(pilot)
        row = next(r for r in screen.table.rows if r.name == "web-1")
        assert row.cells["blueprint"] == "Nginx" and row.cells["bundle"] == "nano_3_0"
        assert row.cells["price"] == "$5.00/mo · $0.00 so far"  # made at the fixed clock's very moment
        local = app.backend.lightsail.local_port("web-1", 80)  # type: ignore[union-attr]
        assert local is not None and row.cells["address"] == f"127.0.0.1:{local}"  # port 80, on this machine


def test_views_price_the_month_so_far_by_the_hour_up_to_the_monthly_price() -> None:
    from datetime import UTC, datetime

    from computetui.ui.services.lightsail.views import price_cell, so_far

    now = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    assert so_far(5.0, datetime(2026, 1, 15, 8, 0, tzinfo=UTC), now) == pytest.approx(5.0 / 730 * 2)
    assert so_far(5.0, datetime(2025, 6, 1, tzinfo=UTC), now) == pytest.approx(5.0 / 730 * 346)  # from Jan 1
    assert so_far(5.0, datetime(2025, 6, 1, tzinfo=UTC), datetime(2026, 1, 31, 23, tzinfo=UTC)) == 5.0  # capped
    assert so_far(5.0, None, now) == 0.0
    assert price_cell(12.0, 1.234) == "$12.00/mo · $1.23 so far"


# -- creating instances -------------------------------------------------------------------------
def test_the_blueprint_picker_lists_apps_then_operating_systems() -> None:
    from computetui.models.lightsail import Blueprint

    found = blueprint_options([
        Blueprint(blueprint_id="ubuntu_24_04", name="Ubuntu", group="ubuntu", type="os"),
        Blueprint(blueprint_id="nginx", name="Nginx", group="nginx", type="app"),
    ])
    assert [value for _, value in found] == ["nginx", "ubuntu_24_04"]
    assert found[0][0].startswith("Apps") and found[1][0].startswith("OS")


def test_names_split_on_commas_and_spaces() -> None:
    assert names_of("web-1, web-2  web-3,") == ["web-1", "web-2", "web-3"]
    assert parse_environment("A=1, B = two") == {"A": "1", "B": "two"}
    with pytest.raises(ValueError, match="NAME=value"):
        parse_environment("nope")


@pytest.mark.asyncio
async def test_c_creates_instances_from_the_form_and_they_appear_in_the_list() -> None:
    app = lightsail_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lightsail(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateInstancesForm)
        bundles = form.query_one("#f-bundle", Select)
        assert bundles.value == "nano_3_0"
        labels = [str(label) for label, _ in form._fields[1].options]
        assert labels[0] == "$5.00/mo  nano_3_0 · 0.5 GB RAM · 2 vCPUs · 20 GB SSD · 1 TB"
        assert [v for _, v in form._fields[0].options][:1] == ["nginx"]  # Apps first
        form.query_one("#f-names", Input).value = "web-1, web-2"
        form.query_one("#user-data", TextArea).text = "#!/bin/sh\necho hello\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert {r.name for r in screen.table.rows} == {"web-1", "web-2"}
        assert any("Creating 2 instances (nginx on nano_3_0)" in n for n in notices(app))
        assert app.backend.lightsail.get_instance("web-1").bundle_id == "nano_3_0"  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_a_bad_name_is_named_with_aws_code_and_nothing_typed_is_lost() -> None:
    app = lightsail_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_lightsail(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateInstancesForm)
        form.query_one("#f-names", Input).value = "-bad"
        form.query_one("#user-data", TextArea).text = "echo kept"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        message = str(form.query_one(".form-message", Static).render())
        assert message.startswith("Instance names: InvalidInputException")
        assert "'-bad'" in message
        assert form.query_one("#f-names", Input).value == "-bad"
        assert form.query_one("#user-data", TextArea).text == "echo kept"
        assert app.focused is form.query_one("#f-names", Input)


@pytest.mark.asyncio
async def test_no_name_is_refused_in_the_form_before_anything_is_sent() -> None:
    app = lightsail_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_lightsail(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Instance names: give at least one" in str(form.query_one(".form-message", Static).render())


# -- an instance's page ---------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_enter_opens_the_instance_page_with_its_state_cost_and_username() -> None:
    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_instance(pilot, "web-1")
        facts = shown_text(page.query_one("#facts"))
        # The tests' engine runs nothing: the instance waits, stopped, with the emulator's reason.
        assert "Instance web-1 ● stopped Nginx · nano_3_0 · us-east-1a" in facts
        assert "Docker engine unavailable: no connection to it was made. Start the instance once it is back" in facts
        assert "$0.00 this month so far · at most $5.00/mo" in facts
        connect = shown_text(page.query_one("#connect"))
        assert "Username bitnami" in connect
        assert [v.title for v in page.views] == ["Connect", "Metrics", "Networking", "Snapshots", "Launch script",
                                                 "History"]


@pytest.mark.asyncio
async def test_the_history_tab_lists_what_was_done_to_the_instance() -> None:
    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_instance(pilot, "web-1")
        page.switch_view("history")
        await settle(pilot)
        rows = page.table.rows
        assert [r.cells["operation"] for r in rows] == ["CreateInstance"]
        assert rows[0].cells["status"] == "Succeeded" and rows[0].cells["details"] == "nginx/nano_3_0"


@pytest.mark.asyncio
async def test_the_launch_script_tab_says_nothing_ran_yet_before_the_first_boot() -> None:
    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_instance(pilot, "web-1")
        page.switch_view("launch")
        await settle(pilot)
        status = shown_text(page.query_one("#launch-status"))
        assert status.startswith("Nothing yet: the instance is stopped; the script runs once, at first boot")


@pytest.mark.asyncio
async def test_each_tab_shows_only_its_own_keys() -> None:
    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_instance(pilot, "web-1")
        assert page.check_action("start_stop", ()) is not False  # stopped: S starts it
        assert page.check_action("shell", ()) is False and page.check_action("reboot", ()) is False
        page.state = "running"  # as the header says once the instance runs
        expected = {
            "connect": {"shell", "start_stop", "reboot", "snapshot", "delete"},
            "metrics": {"window"},
            "networking": {"open_port", "attach_ip"},
            "snapshots": {"from_snapshot"},
        }
        for view, keys in expected.items():
            page.switch_view(view)
            await settle(pilot)
            for action in keys:
                assert page.check_action(action, ()) is not False, (view, action)
            for other in ("open_port", "from_snapshot", "window") :
                if other not in keys:
                    assert page.check_action(other, ()) is False, (view, other)
        assert page.check_action("detach_ip", ()) is False  # no static IP attached


@pytest.mark.asyncio
async def test_delete_on_the_instance_page_asks_first_then_goes_back() -> None:
    from computetui.ui.screens.confirm import ConfirmScreen

    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_instance(pilot, "web-1")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is page
        assert app.backend.lightsail.get_instances()  # type: ignore[union-attr]


# -- read-only mode ------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_read_only_refuses_creating_an_instance_and_says_so() -> None:
    app = lightsail_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lightsail(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is screen
        assert any(n.startswith("Read-only mode: creating a instance") or n.startswith("Read-only mode: creating")
                   for n in notices(app))


@pytest.mark.asyncio
async def test_read_only_refuses_every_change_on_the_instance_page() -> None:
    app = lightsail_app("web-1", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_instance(pilot, "web-1")
        page.state = "running"  # every key of a running instance
        for key in ("S", "s", "n", "b", "ctrl+d"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is page, key
        page.switch_view("networking")
        await settle(pilot)
        for key in ("p", "a"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is page, key
        refusals = [n for n in notices(app) if n.startswith("Read-only mode:")]
        assert len(refusals) == 7
        assert any("stop instance web-1" in n for n in refusals)
        assert any("opening a shell in instance web-1" in n for n in refusals)
        assert any("taking a snapshot of web-1" in n for n in refusals)
        assert any("delete instance web-1" in n for n in refusals)
        assert any("opening a port of web-1" in n for n in refusals)
        assert any("reboot instance web-1" in n for n in refusals)
        assert any("attaching a static IP to web-1" in n for n in refusals)
        footer = {b.binding.action.split("(")[0] for b in page.active_bindings.values() if b.binding.show}
        assert not footer & {"start_stop", "shell", "snapshot", "delete", "open_port", "attach_ip"}
        assert app.backend.lightsail.get_instances()  # type: ignore[union-attr]


# -- the price, on the home card and in the header --------------------------------------------------
@pytest.mark.asyncio
async def test_the_home_card_and_the_header_show_the_month_so_far() -> None:
    from computetui.ui.widgets.header import ConsoleHeader

    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        summary = app.overview.summaries["lightsail"]
        assert dict(summary.lines)["This month"] == "$0.00 so far · at most $5.00/mo"
        assert summary.spent == ("Lightsail", 0.0)
        assert "Lightsail $0.00/mo" in shown_text(app.screen.query_one(ConsoleHeader))


@pytest.mark.asyncio
async def test_without_lightsail_resources_the_header_has_no_lightsail_meter() -> None:
    app = lightsail_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.overview.summaries["lightsail"].spent is None


@pytest.mark.asyncio
async def test_the_networking_tab_lists_the_open_ports_and_where_port_80_is_reached() -> None:
    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_instance(pilot, "web-1")
        page.switch_view("networking")
        await settle(pilot)
        ports = {r.cells["ports"]: r for r in page.table.rows}
        assert {"22", "80"} <= set(ports)
        local = app.backend.lightsail.local_port("web-1", 80)  # type: ignore[union-attr]
        assert ports["80"].cells["local"] == f"127.0.0.1:{local}"
        page.switch_view("connect")
        await settle(pilot)
        assert f"curl http://127.0.0.1:{local}" in shown_text(page.query_one("#connect"))


@pytest.mark.asyncio
async def test_n_opens_the_snapshot_form_and_a_refusal_keeps_it_open_with_aws_code() -> None:
    """The tests' engine never ran the instance, so the emulator refuses its snapshot: the form says
    so with Lightsail's code and keeps the name typed."""
    from computetui.ui.services.lightsail.forms import CreateSnapshotForm

    app = lightsail_app("web-1")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_instance(pilot, "web-1")
        page.switch_view("snapshots")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateSnapshotForm)
        form.query_one("#f-name", Input).value = "web-1-first"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert str(form.query_one(".form-message", Static).render()).startswith("InvalidInputException: ")
        assert form.query_one("#f-name", Input).value == "web-1-first"
