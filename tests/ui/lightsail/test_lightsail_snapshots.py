"""Pictures of the Lightsail console on the scene of tests/ui/lightsail/scene.py: the Instances
list, the create instance form, and an instance's tabs. Regenerate with
``pytest tests/ui/lightsail --snapshot-update`` and look at them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.ui.helpers import SIZE, settle, type_text
from tests.ui.lightsail.scene import lightsail_app, local, log_lines, running_service


async def instances(pilot: Pilot) -> None:
    await settle(pilot)
    await type_text(pilot, ":lightsail")
    await pilot.press("enter")
    await settle(pilot)


def on_instance(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def go(pilot: Pilot) -> None:
        await instances(pilot)
        await pilot.press("enter")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return go


def test_lightsail_instances_snapshot(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(lightsail_app("web-1", "web-2"), terminal_size=SIZE, run_before=instances)


def test_lightsail_create_instance_form_snapshot(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await instances(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(lightsail_app(), terminal_size=SIZE, run_before=go)


@pytest.mark.parametrize("tabs_right", [0, 2, 3, 4, 5], ids=["connect", "networking", "snapshots", "launch",
                                                              "history"])
def test_lightsail_instance_tab_snapshot(snap_compare, tabs_right: int) -> None:  # noqa: ANN001
    app = lightsail_app("web-1")
    assert snap_compare(app, terminal_size=SIZE, run_before=on_instance(*["right_square_bracket"] * tabs_right))


def service_app() -> object:
    """The scene with container service ``site`` RUNNING two micro nodes, with a few log lines."""
    app = lightsail_app()
    backend = local(app)
    running_service(backend, "site")
    log_lines(backend, "site", [
        (1_768_469_400_000, "deployment", "[deployment:1] Creating 1 container(s) on 2 node(s) of power micro"),
        (1_768_469_401_000, "deployment", "[deployment:1] Started 2 new node(s); checking their health on /healthz"),
        (1_768_469_401_500, "web", "nginx: ready for start up"),
        (1_768_469_406_000, "deployment", "[deployment:1] Reached a steady state"),
    ])
    return app


def test_lightsail_container_services_snapshot(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await instances(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)

    assert snap_compare(service_app(), terminal_size=SIZE, run_before=go)


@pytest.mark.parametrize("tabs_right", [0, 1, 2], ids=["details", "deployments", "logs"])
def test_lightsail_container_service_tab_snapshot(snap_compare, tabs_right: int) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await instances(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        for _ in range(tabs_right):
            await pilot.press("right_square_bracket")
            await settle(pilot)

    assert snap_compare(service_app(), terminal_size=SIZE, run_before=go)
