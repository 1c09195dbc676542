"""An HTTP API's page in the console: the header (name, id, protocol, endpoint) and its Routes,
Integrations, Stages and Deployments tabs for the sample's hello-api (quick-created in front of
hello-world); the create forms for a route, a Lambda integration and a stage (a refused route key
named with AWS's code, nothing typed lost); ``n`` deploying to a stage; ctrl+d asking first;
read-only mode refusing every change; and ``a`` on a Lambda function's page quick-creating an API.

A WebSocket API's row still opens its JSON (a REST API's opens its page: test_rest_api_ui.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, Static

from computetui.models import apigateway as m
from computetui.ui.pages.service import ServiceScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.detail import DetailScreen
from computetui.ui.services.apigateway.forms import CreateIntegrationForm, CreateRouteForm, CreateStageForm
from computetui.ui.services.apigateway.http_api import HttpApiScreen
from computetui.ui.services.lambda_.function import FunctionScreen
from tests.ui.apigateway.navigate import form_of, open_api_page, open_apigw
from tests.ui.helpers import SIZE, make_app, settle, shown_text
from tests.ui.lightsail.scene import set_read_only

pytestmark = pytest.mark.asyncio

HELLO_WORLD = "arn:aws:lambda:us-east-1:000000000000:function:hello-world"
HELLO_NODE = "arn:aws:lambda:us-east-1:000000000000:function:hello-node"
INVOKE_URL = re.compile(r"http://127\.0\.0\.1:\d+/_aws/execute-api/(?P<id>[a-z0-9]+)$")


def gateway(app: Any) -> Any:
    assert app.backend is not None and app.backend.apigateway is not None
    return app.backend.apigateway


def hello_api(app: Any) -> m.HttpApi:
    return next(a for a in gateway(app).get_apis() if a.name == "hello-api")


def notices(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def message_of(form: Any) -> str:
    return str(form.query_one(".form-message", Static).render())


async def open_apis(pilot: Pilot) -> ServiceScreen:
    return await open_apigw(pilot)


async def open_api(pilot: Pilot, tab: str | None = None, name: str = "hello-api") -> HttpApiScreen:
    """Enter on the API's row in API Gateway's list; then, given one, its tab."""
    return await open_api_page(pilot, name, HttpApiScreen, tab)


async def create_form(pilot: Pilot, tab: str, kind: type) -> Any:
    """``c`` on the API page's ``tab``: its create form, of class ``kind``."""
    await open_api(pilot, tab)
    form = await form_of(pilot, "c", kind)
    return form


def row_named(page: HttpApiScreen, name: str) -> Any:
    return next(r for r in page.table.rows if r.name == name)


# -- the page ---------------------------------------------------------------------------------
async def test_enter_on_hello_api_opens_its_page_with_name_id_protocol_and_endpoint() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot)
        assert page.api_id == api.api_id
        assert [v.title for v in page.views] == ["Routes", "Integrations", "Authorizers", "Stages", "Deployments",
                                                 "CORS", "Throttling", "Metrics", "Logs"]
        facts = shown_text(page.query_one("#facts"))
        assert f"HTTP API hello-api ID {api.api_id} · HTTP" in facts
        assert api.api_endpoint is not None and INVOKE_URL.match(api.api_endpoint)
        assert f"Endpoint {api.api_endpoint}" in facts
        crumbs = shown_text(page.query_one("Breadcrumbs"))
        assert "API Gateway" in crumbs and "hello-api" in crumbs and "Routes" in crumbs


async def test_a_websocket_api_row_still_opens_its_json() -> None:
    app = make_app()
    gateway(app).create_api("chat", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_apis(pilot)
        assert screen.table.move_to(next(r.key for r in screen.table.rows if r.name == "chat"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)


async def test_the_tabs_show_hello_api_route_integration_stage_and_deployment() -> None:
    app = make_app()
    api = hello_api(app)
    integration = gateway(app).get_integrations(api.api_id)[0]
    deployment = gateway(app).get_deployments(api.api_id)[0]
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot)
        route = row_named(page, "$default")
        assert route.cells == {"key": "$default", "target": HELLO_WORLD, "authorization": "NONE"}
        assert "$default" in shown_text(page.table) and "hello-world" in shown_text(page.table)

        page.switch_view("integrations")
        await settle(pilot)
        row = row_named(page, integration.integration_id)
        assert row.cells == {"id": integration.integration_id, "type": "AWS_PROXY", "uri": HELLO_WORLD,
                             "payload": "2.0", "timeout": 30000}

        page.switch_view("stages")
        await settle(pilot)
        stage = row_named(page, "$default")
        url = stage.cells["url"]
        found = INVOKE_URL.match(str(url))
        assert found is not None and found["id"] == api.api_id
        assert url == gateway(app).invoke_url(api.api_id, "$default")
        assert stage.cells["auto"] == "yes" and stage.cells["deployment"] == deployment.deployment_id
        assert stage.cells["variables"] == "-"
        assert str(url) in shown_text(page.table)

        page.switch_view("deployments")
        await settle(pilot)
        row = row_named(page, deployment.deployment_id)
        assert row.cells["status"] == "DEPLOYED" and row.cells["auto"] == "yes"
        assert row.cells["description"] == "Automatic deployment"


# -- creating ---------------------------------------------------------------------------------
async def test_c_on_routes_creates_a_route_to_the_picked_integration() -> None:
    app = make_app()
    api = hello_api(app)
    integration = gateway(app).get_integrations(api.api_id)[0]
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        form = await form_of(pilot, "c", CreateRouteForm)
        picker = form.query_one("#f-integration", Select)
        assert picker.value == f"integrations/{integration.integration_id}"
        form.query_one("#f-key", Input).value = "GET /pets/{id}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        made = next(r for r in gateway(app).get_routes(api.api_id) if r.route_key == "GET /pets/{id}")
        assert made.target == HELLO_WORLD  # the integration's URI, as the console shows it
        assert row_named(page, "GET /pets/{id}").cells["target"] == HELLO_WORLD
        assert page.table.cursor_row is not None and page.table.cursor_row.name == "GET /pets/{id}"
        assert f"Created route GET /pets/{{id}} to {integration.integration_id}." in notices(app)


async def test_a_route_without_integration_is_made_without_target() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        form = await form_of(pilot, "c", CreateRouteForm)
        form.query_one("#f-key", Input).value = "POST /orders"
        form.query_one("#f-integration", Select).value = "none"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        made = next(r for r in gateway(app).get_routes(api.api_id) if r.route_key == "POST /orders")
        assert made.target is None
        assert row_named(page, "POST /orders").cells["target"] == "none"


async def test_a_bad_route_key_is_refused_naming_the_field_with_aws_code_and_nothing_typed_is_lost() -> None:
    app = make_app()
    api = hello_api(app)
    before = gateway(app).get_routes(api.api_id)
    async with app.run_test(size=SIZE) as pilot:
        form = await create_form(pilot, "routes", CreateRouteForm)
        form.query_one("#f-key", Input).value = "GET pets"
        form.query_one("#f-integration", Select).value = "none"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        message = message_of(form)
        assert message.startswith("Route key: BadRequestException: "), message
        assert "'GET pets'" in message
        assert form.query_one("#f-key", Input).value == "GET pets"
        assert form.query_one("#f-integration", Select).value == "none"
        assert app.focused is form.query_one("#f-key", Input)
        assert gateway(app).get_routes(api.api_id) == before


async def test_c_on_integrations_creates_a_lambda_proxy_integration() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "integrations")
        form = await form_of(pilot, "c", CreateIntegrationForm)
        functions = form.query_one("#f-function", Select)
        assert [v for _, v in form._fields[0].options] == [HELLO_NODE, HELLO_WORLD]  # by name
        functions.value = HELLO_NODE
        form.query_one("#f-payload", Select).value = "1.0"
        form.query_one("#f-timeout", Input).value = "5000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        made = next(i for i in gateway(app).get_integrations(api.api_id) if i.integration_uri == HELLO_NODE)
        assert (made.integration_type, made.payload_format_version, made.timeout_in_millis) == (
            "AWS_PROXY", "1.0", 5000)
        row = row_named(page, made.integration_id)
        assert row.cells["payload"] == "1.0" and row.cells["timeout"] == 5000
        assert f"Created integration {made.integration_id} to hello-node (payload 1.0)." in notices(app)


async def test_a_timeout_api_gateway_refuses_is_named_and_nothing_is_made() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        form = await create_form(pilot, "integrations", CreateIntegrationForm)
        form.query_one("#f-timeout", Input).value = "10"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert message_of(form).startswith("Timeout (ms): BadRequestException: "), message_of(form)
        assert app.focused is form.query_one("#f-timeout", Input)
        assert len(gateway(app).get_integrations(api.api_id)) == 1


async def test_c_on_stages_creates_a_stage_with_its_variables_and_n_deploys_to_it() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "stages")
        form = await form_of(pilot, "c", CreateStageForm)
        assert form.query_one("#f-auto", Checkbox).value is False
        form.query_one("#f-name", Input).value = "prod"
        form.query_one("#f-variables", Input).value = "env=prod, table=pets"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        stage = next(s for s in gateway(app).get_api_stages(api.api_id) if s.stage_name == "prod")
        assert stage.auto_deploy is False and stage.deployment_id is None
        assert stage.stage_variables == {"env": "prod", "table": "pets"}
        row = row_named(page, "prod")
        assert row.cells["variables"] == "env=prod, table=pets" and row.cells["deployment"] == "none yet"
        assert row.cells["url"] == f"{api.api_endpoint}/prod"
        assert page.table.cursor_row is not None and page.table.cursor_row.name == "prod"

        before = {d.deployment_id for d in gateway(app).get_deployments(api.api_id)}
        await pilot.press("n")
        await settle(pilot)
        after = gateway(app).get_deployments(api.api_id)
        new = [d for d in after if d.deployment_id not in before]
        assert len(new) == 1
        stage = next(s for s in gateway(app).get_api_stages(api.api_id) if s.stage_name == "prod")
        assert stage.deployment_id == new[0].deployment_id
        assert f"Deployed to stage prod: deployment {new[0].deployment_id}." in notices(app)
        assert row_named(page, "prod").cells["deployment"] == new[0].deployment_id

        page.switch_view("deployments")
        await settle(pilot)
        assert page.table.rows[0].name == new[0].deployment_id  # newest first


async def test_bad_stage_variables_are_refused_before_anything_is_sent() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        form = await create_form(pilot, "stages", CreateStageForm)
        form.query_one("#f-name", Input).value = "beta"
        form.query_one("#f-variables", Input).value = "env"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert message_of(form) == "Stage variables: 'env' is not NAME=value"
        form.query_one("#f-variables", Input).value = "bad name=1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message_of(form).startswith("Stage variables: BadRequestException: "), message_of(form)
        assert form.query_one("#f-name", Input).value == "beta"
        assert [s.stage_name for s in gateway(app).get_api_stages(api.api_id)] == ["$default"]


# -- deleting ---------------------------------------------------------------------------------
async def test_ctrl_d_asks_first_then_deletes_the_route() -> None:
    app = make_app()
    api = hello_api(app)
    gateway(app).create_route(api.api_id, "GET /old")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        assert page.table.move_to(row_named(page, "GET /old").key)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete route GET /old?" in shown_text(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is page
        assert any(r.route_key == "GET /old" for r in gateway(app).get_routes(api.api_id))
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is page
        assert [r.route_key for r in gateway(app).get_routes(api.api_id)] == ["$default"]
        assert "Deleted route GET /old." in notices(app)


async def test_ctrl_d_on_stages_and_integrations_asks_first() -> None:
    app = make_app()
    api = hello_api(app)
    gateway(app).create_stage(api.api_id, "beta")
    extra = gateway(app).create_integration(api.api_id, "AWS_PROXY", integration_uri=HELLO_NODE,
                                            payload_format_version="2.0")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "stages")
        assert page.table.move_to(row_named(page, "beta").key)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "Delete stage beta?" in shown_text(app.screen)
        await pilot.press("y")
        await settle(pilot)
        assert [s.stage_name for s in gateway(app).get_api_stages(api.api_id)] == ["$default"]

        page.switch_view("integrations")
        await settle(pilot)
        assert page.table.move_to(row_named(page, extra.integration_id).key)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Delete integration {extra.integration_id}?" in shown_text(app.screen)
        await pilot.press("y")
        await settle(pilot)
        assert extra.integration_id not in {i.integration_id for i in gateway(app).get_integrations(api.api_id)}


# -- read-only --------------------------------------------------------------------------------
async def test_read_only_refuses_every_change_with_a_notice() -> None:
    app = make_app()
    api = hello_api(app)
    set_read_only(app)
    routes, stages = gateway(app).get_routes(api.api_id), gateway(app).get_api_stages(api.api_id)
    deployments = gateway(app).get_deployments(api.api_id)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        for tab, keys in (("routes", ("c", "ctrl+d")), ("integrations", ("c", "ctrl+d")),
                          ("stages", ("c", "ctrl+d", "n"))):
            page.switch_view(tab)
            await settle(pilot)
            for key in keys:
                count = len(notices(app))
                await pilot.press(key)
                await settle(pilot)
                assert app.screen is page, (tab, key)
                said = notices(app)[count:]
                assert said and said[-1].startswith("Read-only mode: ") and "is refused" in said[-1], (tab, key)
        assert gateway(app).get_routes(api.api_id) == routes
        assert gateway(app).get_api_stages(api.api_id) == stages
        assert gateway(app).get_deployments(api.api_id) == deployments


# -- from a Lambda function -----------------------------------------------------------------------
async def open_function(pilot: Pilot, name: str) -> FunctionScreen:
    await settle(pilot)
    pilot.app.open_function(name)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FunctionScreen)
    return screen


async def test_a_on_a_function_quick_creates_an_http_api_and_tells_its_url() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, "hello-node")
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen
        api = next(a for a in gateway(app).get_apis() if a.name == "hello-node-api")
        assert api.api_endpoint is not None and INVOKE_URL.match(api.api_endpoint)
        assert [r.target for r in gateway(app).get_routes(api.api_id)] == [HELLO_NODE]
        assert [s.stage_name for s in gateway(app).get_api_stages(api.api_id)] == ["$default"]
        said = notices(app)[-1]
        assert said == f"Created HTTP API hello-node-api ({api.api_id}) in front of hello-node: {api.api_endpoint}"


async def test_a_on_a_function_in_read_only_mode_is_refused() -> None:
    app = make_app()
    set_read_only(app)
    before = gateway(app).get_apis()
    async with app.run_test(size=SIZE) as pilot:
        await open_function(pilot, "hello-node")
        await pilot.press("a")
        await settle(pilot)
        assert notices(app)[-1] == ("Read-only mode: creating an HTTP API in front of hello-node is refused "
                                    "(started with --read-only).")
        assert gateway(app).get_apis() == before
