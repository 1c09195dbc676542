"""Lightsail's container services in the console: the Container services tab (state, power, scale,
price), the create form (a refused name named with AWS's code, nothing typed lost), a service's
page (header, Details, Deployments and the deploy form, Logs), its power/scale form, disabling and
deleting it (each asked first), and read-only mode refusing every change.

The tests' backend runs no leader: a new service stays PENDING. ``scene.running_service`` settles
one as the leader would once its nodes are healthy."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Log, Select, Static

from computetui.models import lightsail as m
from computetui.ui.pages.service import ServiceScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.services.lightsail.container_service import ContainerServiceScreen
from computetui.ui.services.lightsail.forms import (
    CreateContainerServiceForm,
    DeploymentForm,
    UpdateContainerServiceForm,
)
from tests.ui.helpers import SIZE, settle, shown_text, type_text
from tests.ui.lightsail.scene import lightsail_app, local, log_lines, running_service, set_read_only

HOUR = 3600


async def open_services(pilot: Pilot) -> ServiceScreen:
    """The Lightsail page on its Container services tab."""
    await settle(pilot)
    await type_text(pilot, ":lightsail")
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ServiceScreen)
    for _ in range(2):  # Instances, Bundles, Container services
        await pilot.press("right_square_bracket")
        await settle(pilot)
    assert screen.view.id == "container-services"
    return screen


async def open_service(pilot: Pilot, name: str, tab: str | None = None) -> ContainerServiceScreen:
    screen = await open_services(pilot)
    screen.table.move_to(next(r.key for r in screen.table.rows if r.name == name))
    await pilot.press("enter")
    await settle(pilot)
    page = pilot.app.screen
    assert isinstance(page, ContainerServiceScreen)
    if tab is not None:
        page.switch_view(tab)
        await settle(pilot)
    return page


async def open_deploy_form(pilot: Pilot, name: str) -> DeploymentForm:
    """``c`` on the service's Deployments tab: the deploy form."""
    await open_service(pilot, name, "deployments")
    await pilot.press("c")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, DeploymentForm)
    return form


def notices(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def message_of(form: Any) -> str:
    return str(form.query_one(".form-message", Static).render())


def service(app: Any, name: str) -> m.ContainerService:
    return local(app).lightsail.get_container_services(name)[0]  # type: ignore[union-attr]


# -- the Container services tab ----------------------------------------------------------------
@pytest.mark.asyncio
async def test_the_tab_lists_a_service_and_enter_opens_its_page_with_state_url_and_month_so_far() -> None:
    app = lightsail_app()
    backend = local(app)
    running_service(backend, "site", "micro", 2)
    backend.clock.advance(3 * HOUR)  # type: ignore[attr-defined]
    url = service(app, "site").url
    assert url is not None and url.startswith("http://127.0.0.1:")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_services(pilot)
        row = next(r for r in screen.table.rows if r.name == "site")
        assert row.cells["state"] == "RUNNING"
        assert row.cells["power"] == "micro" and row.cells["scale"] == 2
        assert row.cells["deployment"] == "v1 ACTIVE"
        assert row.cells["price"] == "$20.00/mo · $0.08 so far"  # 2 × micro's $10, 3 hours of it
        assert row.cells["url"] == url
        listed = shown_text(screen.table)
        assert "site" in listed and "RUNNING" in listed and "$20.00/mo · $0.08 so far" in listed
        await pilot.press("enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, ContainerServiceScreen) and page.service_name == "site"
        facts = shown_text(page.query_one("#facts"))
        assert f"Container service site ● RUNNING URL {url}" in facts
        assert "$0.08 this month so far · at most $20.00/mo (2 × micro)" in facts
        assert [v.title for v in page.views] == ["Details", "Deployments", "Logs"]


@pytest.mark.asyncio
async def test_a_disabled_service_is_listed_disabled_and_still_priced() -> None:
    app = lightsail_app()
    backend = local(app)
    running_service(backend, "site", "nano", 1)
    backend.lightsail.update_container_service("site", is_disabled=True)  # type: ignore[union-attr]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_services(pilot)
        row = next(r for r in screen.table.rows if r.name == "site")
        assert row.cells["state"] == "DISABLED" and row.state == "DISABLED"
        assert row.cells["price"] == "$7.00/mo · $0.00 so far"  # billed while disabled


@pytest.mark.asyncio
async def test_c_creates_a_service_from_the_form_and_it_is_listed_pending() -> None:
    app = lightsail_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_services(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateContainerServiceForm)
        powers = form.query_one("#f-power", Select)
        assert powers.value == "nano"  # the cheapest first
        labels = [str(label) for label, _ in form._fields[1].options]
        assert labels[0].startswith("nano    $7.00/mo per node")
        form.query_one("#f-name", Input).value = "shop"
        powers.value = "small"
        form.query_one("#f-scale", Input).value = "3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        created = service(app, "shop")
        assert (created.state, created.power, created.scale) == (m.ContainerServiceState.PENDING, "small", 3)
        row = next(r for r in screen.table.rows if r.name == "shop")
        assert row.cells["state"] == "PENDING" and row.cells["price"] == "$75.00/mo · $0.00 so far"
        assert screen.table.cursor_row is not None and screen.table.cursor_row.name == "shop"
        assert "Creating container service shop (3 × small)." in notices(app)


@pytest.mark.asyncio
async def test_a_bad_service_name_is_named_with_aws_code_and_nothing_typed_is_lost() -> None:
    app = lightsail_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_services(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateContainerServiceForm)
        form.query_one("#f-name", Input).value = "Bad_Name"
        form.query_one("#f-power", Select).value = "medium"
        form.query_one("#f-scale", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        message = message_of(form)
        assert message.startswith("Service name: InvalidInputException")
        assert "'Bad_Name'" in message
        assert form.query_one("#f-name", Input).value == "Bad_Name"
        assert form.query_one("#f-power", Select).value == "medium"
        assert form.query_one("#f-scale", Input).value == "4"
        assert app.focused is form.query_one("#f-name", Input)
        assert local(app).lightsail.get_container_services() == []  # type: ignore[union-attr]


# -- deploying -----------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_c_on_deployments_deploys_an_image_as_version_1_activating() -> None:
    app = lightsail_app()
    local(app).lightsail.create_container_service("shop", "nano", 1)  # type: ignore[union-attr]
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "shop", "deployments")
        empty = shown_text(page.table)
        assert "No deployment yet." in empty and "Press c to deploy an image." in empty
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DeploymentForm) and form.service == "shop"
        assert form.query_one("#f-container", Input).value == "app"
        form.query_one("#f-image", Input).value = "nginx:1.27"
        form.query_one("#f-environment", Input).value = "MODE=prod"
        form.query_one("#f-port", Input).value = "8080"
        form.query_one("#f-health", Input).value = "/up"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        assert "Deploying nginx:1.27 to shop." in notices(app)
        s = service(app, "shop")
        assert s.next_deployment is not None and s.current_deployment is None
        assert (s.next_deployment.version, s.next_deployment.state) == (1, m.ContainerServiceDeploymentState.ACTIVATING)
        container = s.next_deployment.containers["app"]
        assert container.image == "nginx:1.27" and container.environment == {"MODE": "prod"}
        assert container.ports == {"8080": "HTTP"}
        endpoint = s.next_deployment.public_endpoint
        assert endpoint is not None and (endpoint.container_name, endpoint.container_port) == ("app", 8080)
        assert endpoint.health_check is not None and endpoint.health_check.path == "/up"
        row = next(r for r in page.table.rows if r.name == "v1")
        assert row.cells["state"] == "ACTIVATING" and row.cells["endpoint"] == "app:8080"
        assert row.cells["containers"] == "app (nginx:1.27)"


@pytest.mark.asyncio
async def test_a_public_endpoint_without_its_port_is_refused_naming_the_field() -> None:
    app = lightsail_app()
    local(app).lightsail.create_container_service("shop", "nano", 1)  # type: ignore[union-attr]
    async with app.run_test(size=SIZE) as pilot:
        form = await open_deploy_form(pilot, "shop")
        form.query_one("#f-image", Input).value = "nginx:1.27"
        assert form.value("public") is True and form.value("port") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert message_of(form) == "Port (HTTP): a public endpoint needs the port it reaches"
        assert app.focused is form.query_one("#f-port", Input)
        assert form.query_one("#f-image", Input).value == "nginx:1.27"
        assert service(app, "shop").next_deployment is None


@pytest.mark.asyncio
async def test_a_health_check_path_lightsail_refuses_is_named_with_aws_code() -> None:
    app = lightsail_app()
    local(app).lightsail.create_container_service("shop", "nano", 1)  # type: ignore[union-attr]
    async with app.run_test(size=SIZE) as pilot:
        form = await open_deploy_form(pilot, "shop")
        form.query_one("#f-image", Input).value = "nginx:1.27"
        form.query_one("#f-port", Input).value = "80"
        form.query_one("#f-health", Input).value = "healthz"  # a path starts with /
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        message = message_of(form)
        assert message.startswith("Health check path: InvalidInputException"), message
        assert "'healthz'" in message
        assert app.focused is form.query_one("#f-health", Input)
        assert form.query_one("#f-port", Input).value == "80"
        assert service(app, "shop").next_deployment is None


@pytest.mark.asyncio
async def test_the_deploy_form_starts_from_what_runs_now() -> None:
    app = lightsail_app()
    running_service(local(app), "site")
    async with app.run_test(size=SIZE) as pilot:
        form = await open_deploy_form(pilot, "site")
        assert [form.value(f) for f in ("container", "image", "environment", "port", "public", "health")] == [
            "web", "nginx:latest", "MODE=prod", "80", True, "/healthz"]


# -- a running service's tabs ----------------------------------------------------------------------
@pytest.mark.asyncio
async def test_details_of_a_running_service_show_its_current_deployment_and_endpoint() -> None:
    app = lightsail_app()
    running_service(local(app), "site", "micro", 2)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "site")
        assert page.view.id == "details"
        details = shown_text(page.query_one("#service-details"))
        assert "State RUNNING" in details and "Scale 2 nodes" in details and "Power micro" in details
        assert f"Public URL {service(app, 'site').url}" in details
        assert "Current deployment v1 ACTIVE" in details
        assert "web nginx:latest · 80/HTTP" in details
        assert "MODE=prod" in details
        assert "Endpoint web:80 · health check /healthz" in details
        assert "Next deployment" not in details


@pytest.mark.asyncio
async def test_the_logs_tab_shows_the_containers_lines_and_the_deployment_lines_oldest_first() -> None:
    app = lightsail_app()
    backend = local(app)
    running_service(backend, "site")
    start = int(backend.clock.time() * 1000)
    log_lines(backend, "site", [
        (start + 3000, "web", "GET /healthz 200"),  # written first, later in time
        (start + 1000, "deployment", "[deployment:1] Creating your deployment"),
        (start + 2000, "web", "nginx: ready for start up"),
        (start + 4000, "deployment", "[deployment:1] Reached a steady state"),
    ])
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "site", "logs")
        status = shown_text(page.query_one("#container-logs-status"))
        assert status == "Containers web · 4 lines"
        log = page.query_one("#container-log", Log)
        assert list(log.lines) == [
            "09:30:01  [deployment:1] Creating your deployment",
            "09:30:02  nginx: ready for start up",
            "09:30:03  GET /healthz 200",
            "09:30:04  [deployment:1] Reached a steady state",
        ]
        assert "09:30:02 nginx: ready for start up" in shown_text(log)


@pytest.mark.asyncio
async def test_with_two_containers_their_lines_are_tagged_and_the_deployment_lines_shown_once() -> None:
    """Each container's log holds the service's own [deployment:N] lines; merged, they show once."""
    app = lightsail_app()
    backend = local(app)
    backend.lightsail.create_container_service("duo", "nano", 1)  # type: ignore[union-attr]
    backend.lightsail.create_container_service_deployment(  # type: ignore[union-attr]
        "duo", {"web": {"image": "nginx", "ports": {"80": "HTTP"}}, "worker": {"image": "busybox"}},
        public_endpoint={"containerName": "web", "containerPort": 80})
    start = int(backend.clock.time() * 1000)
    log_lines(backend, "duo", [
        (start + 1000, "deployment", "[deployment:1] Creating your deployment"),
        (start + 2000, "web", "up"),
        (start + 3000, "worker", "working"),
    ])
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "duo", "logs")
        assert shown_text(page.query_one("#container-logs-status")) == "Containers web, worker · 3 lines"
        assert list(page.query_one("#container-log", Log).lines) == [
            "09:30:01  [deployment:1] Creating your deployment",
            "09:30:02  [web] up",
            "09:30:03  [worker] working",
        ]


@pytest.mark.asyncio
async def test_the_logs_tab_of_a_service_without_deployment_says_how_to_make_one() -> None:
    app = lightsail_app()
    local(app).lightsail.create_container_service("shop", "nano", 1)  # type: ignore[union-attr]
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "shop", "logs")
        assert shown_text(page.query_one("#container-logs-status")).startswith("No deployment yet: deploy an image")


# -- power, scale, disabling, deleting --------------------------------------------------------------
@pytest.mark.asyncio
async def test_u_changes_the_scale_from_the_form() -> None:
    app = lightsail_app()
    running_service(local(app), "site", "micro", 2)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "site")
        await pilot.press("u")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, UpdateContainerServiceForm)
        assert form.query_one("#f-power", Select).value == "micro"
        scale = form.query_one("#f-scale", Input)
        assert scale.value == "2"
        scale.value = "3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        assert "Updating container service site to 3 × micro." in notices(app)
        s = service(app, "site")
        assert (s.scale, s.power, s.state) == (3, "micro", m.ContainerServiceState.UPDATING)
        facts = shown_text(page.query_one("#facts"))
        assert "● UPDATING" in facts and "at most $30.00/mo (3 × micro)" in facts


@pytest.mark.asyncio
async def test_u_on_a_pending_service_keeps_the_form_open_with_aws_refusal() -> None:
    app = lightsail_app()
    local(app).lightsail.create_container_service("shop", "nano", 1)  # type: ignore[union-attr]
    async with app.run_test(size=SIZE) as pilot:
        await open_service(pilot, "shop")
        await pilot.press("u")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, UpdateContainerServiceForm)
        form.query_one("#f-scale", Input).value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert message_of(form).startswith("InvalidInputException: ")
        assert "while it is PENDING" in message_of(form)
        assert service(app, "shop").scale == 1


@pytest.mark.asyncio
async def test_e_asks_first_then_disables_the_service() -> None:
    app = lightsail_app()
    running_service(local(app), "site")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "site")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is page and service(app, "site").is_disabled is False
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Disable container service site?" in shown_text(app.screen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is page
        s = service(app, "site")
        assert s.is_disabled is True and s.state == m.ContainerServiceState.DISABLED
        assert "Disabling container service site." in notices(app)
        assert "● DISABLED" in shown_text(page.query_one("#facts"))
        assert "Disabled yes: no node runs, billing goes on" in shown_text(page.query_one("#service-details"))
        await pilot.press("e")  # enabling again is not asked
        await settle(pilot)
        assert app.screen is page
        assert service(app, "site").is_disabled is False
        assert "Enabling container service site." in notices(app)


@pytest.mark.asyncio
async def test_delete_asks_first_then_the_service_is_deleting_and_the_screen_goes_back() -> None:
    app = lightsail_app()
    running_service(local(app), "site")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "site", "deployments")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete container service site?" in shown_text(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is page and service(app, "site").state == m.ContainerServiceState.RUNNING
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ServiceScreen)
        assert service(app, "site").state == m.ContainerServiceState.DELETING
        assert "Deleting container service site." in notices(app)
        row = next(r for r in app.screen.table.rows if r.name == "site")
        assert row.cells["state"] == "DELETING"


# -- read-only mode ---------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_read_only_refuses_creating_a_service_on_the_tab() -> None:
    app = lightsail_app()
    running_service(local(app), "site")
    set_read_only(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_services(pilot)
        for key in ("c", "ctrl+d"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen, key
        refusals = [n for n in notices(app) if n.startswith("Read-only mode:")]
        assert refusals == [
            "Read-only mode: creating a container service is refused (started with --read-only).",
            "Read-only mode: delete container service site is refused (started with --read-only).",
        ]
        assert [s.container_service_name for s in local(app).lightsail.get_container_services()] == ["site"]  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_read_only_refuses_every_change_on_the_service_page() -> None:
    app = lightsail_app()
    running_service(local(app), "site", "micro", 2)
    set_read_only(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_service(pilot, "site")
        for key in ("u", "e", "ctrl+d"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is page, key
        page.switch_view("deployments")
        await settle(pilot)
        assert "Press c" not in shown_text(page.table)
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is page
        refusals = [n for n in notices(app) if n.startswith("Read-only mode:")]
        assert len(refusals) == 4, refusals
        assert any("changing container service site" in n for n in refusals)
        assert any("disable container service site" in n for n in refusals)
        assert any("delete container service site" in n for n in refusals)
        assert any("creating a deployment" in n for n in refusals)
        footer = {b.binding.action.split("(")[0] for b in page.active_bindings.values() if b.binding.show}
        assert not footer & {"update", "disable", "enable", "delete", "create"}
        s = service(app, "site")
        assert (s.state, s.scale, s.is_disabled) == (m.ContainerServiceState.RUNNING, 2, False)
        assert [d.version for d in local(app).lightsail.get_container_service_deployments("site")] == [1]  # type: ignore[union-attr]
