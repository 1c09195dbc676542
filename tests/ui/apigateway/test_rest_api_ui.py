"""A REST API's page in the console, and API keys and usage plans on API Gateway's page.

The sample's pets-api opens its page (Resources, Stages, Deployments, Authorizers); the resource
tree shows in the tree's order, indented, each method a row under its resource; the forms are
driven as a user drives them (typing, picking, ctrl+s): a resource under the one under the cursor,
a method with a MOCK, Lambda or HTTP integration (``m``), a deployment to a new or existing stage,
a Lambda authorizer, an API key, a usage plan, a key added to a plan. What API Gateway refuses is
named with its code on the field, nothing typed is lost and nothing is left half made. ctrl+d asks
first. Read-only mode refuses every change. End to end, on a local backend whose gateway listens:
what the forms made answers HTTP requests on the stage's invoke URL, a key-guarded method 403
without the key and 200 with it. And the page on the aws backend (moto's server).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, Static

from computetui.app import ComputeApp
from computetui.backends.local import LocalBackend
from computetui.settings import Settings
from computetui.ui.pages.service import ServiceScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.detail import DetailScreen
from computetui.ui.services.apigateway.key_forms import (
    AddPlanKeyForm,
    CreateApiKeyForm,
    CreateUsagePlanForm,
    UsagePlanScreen,
)
from computetui.ui.services.apigateway.rest_api import RestApiScreen
from computetui.ui.services.apigateway.rest_forms import (
    CreateAuthorizerForm,
    CreateMethodForm,
    CreateResourceForm,
    DeployForm,
)
from tests.support.aws import aws_credentials, moto_server  # noqa: F401
from tests.support.fakes import StaticEngine
from tests.ui.apigateway.navigate import form_of, open_api_page, open_apigw
from tests.ui.helpers import SIZE, make_app, settle, shown_text
from tests.ui.lightsail.scene import set_read_only

pytestmark = pytest.mark.asyncio

HELLO_WORLD = "arn:aws:lambda:us-east-1:000000000000:function:hello-world"
HELLO_INVOCATION = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{HELLO_WORLD}/invocations"


def gateway(app: Any) -> Any:
    assert app.backend is not None and app.backend.apigateway is not None
    return app.backend.apigateway


def pets(app: Any) -> Any:
    return next(a for a in gateway(app).get_rest_apis() if a.name == "pets-api")


def root_of(app: Any, api_id: str) -> str:
    return next(r.id for r in gateway(app).get_resources(api_id) if r.path == "/")


def notices(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def message_of(form: Any) -> str:
    return str(form.query_one(".form-message", Static).render())


async def type_into(pilot: Pilot, form: Any, field: str, text: str) -> None:
    """Put the cursor in a form's input, empty it, and type ``text`` key by key, as a user does."""
    widget = form.query_one(f"#f-{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.pause()
    await pilot.press(*[c if c.isalnum() else _character_to_key(c) for c in text])


async def pick(pilot: Pilot, form: Any, field: str, value: Any) -> None:
    form.query_one(f"#f-{field}", Select).value = value
    await pilot.pause()


async def submit(pilot: Pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def open_rest(pilot: Pilot, tab: str | None = None, name: str = "pets-api") -> RestApiScreen:
    """Enter on the REST API's row in API Gateway's list; then, given one, its tab."""
    return await open_api_page(pilot, name, RestApiScreen, tab)


def row_named(page: Any, name: str) -> Any:
    return next(r for r in page.table.rows if r.name == name)


def shown_rows(page: Any) -> list[Any]:
    """The table's rows top to bottom, as it shows them (sorted, filtered)."""
    by_key = {r.key: r for r in page.table.rows}
    return [by_key[key] for key in page.table.visible_keys]


def tree(page: RestApiScreen) -> list[str]:
    """The Resources tab's first column, row by row as the table shows them."""
    return [str(r.cells["resource"]) for r in shown_rows(page)]


async def key_on(pilot: Pilot, page: Any, name: str, key: str) -> Any:
    """Put the cursor on row ``name``, press ``key``: the screen that opens."""
    assert page.table.move_to(row_named(page, name).key)
    await pilot.press(key)
    await settle(pilot)
    return pilot.app.screen


def mock(app: Any, api_id: str, resource_id: str, verb: str = "GET", body: str = "{}") -> None:
    gw = gateway(app)
    gw.put_method(api_id, resource_id, verb)
    gw.put_integration(api_id, resource_id, verb, "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.put_method_response(api_id, resource_id, verb, "200")
    gw.put_integration_response(api_id, resource_id, verb, "200", response_templates={"application/json": body})


# -- the page -------------------------------------------------------------------------------------
async def test_enter_on_pets_api_opens_its_page_with_its_tabs_and_header() -> None:
    app = make_app()
    api = pets(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot)
        assert page.api_id == api.id
        assert [v.title for v in page.views] == ["Resources", "Stages", "Deployments", "Authorizers", "Metrics",
                                                   "Logs"]
        facts = shown_text(page.query_one("#facts"))
        assert f"REST API pets-api ID {api.id} · REST API example" in facts and "Endpoint Regional" in facts
        crumbs = shown_text(page.query_one("Breadcrumbs"))
        assert "API Gateway" in crumbs and "pets-api" in crumbs and "Resources" in crumbs
        assert tree(page) == ["/"]
        assert "m Method" in shown_text(page.query_one("ConsoleFooter"))


async def test_the_resource_tree_is_in_tree_order_indented_with_each_method_under_its_resource() -> None:
    app = make_app()
    api = pets(app)
    gw = gateway(app)
    root = root_of(app, api.id)
    zoo = gw.create_resource(api.id, root, "zoo")
    pet_list = gw.create_resource(api.id, root, "pets")
    pet = gw.create_resource(api.id, pet_list.id, "{id}")
    gw.create_resource(api.id, pet_list.id, "-toys")  # sorts before "{id}" as text, and still under /pets
    mock(app, api.id, pet.id, "GET")
    mock(app, api.id, pet.id, "DELETE")
    gw.put_method(api.id, zoo.id, "POST", api_key_required=True)
    gw.put_integration(api.id, zoo.id, "POST", "AWS_PROXY", uri=HELLO_INVOCATION, integration_http_method="POST")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources")
        assert tree(page) == ["/", "  /pets", "    /-toys", "    /{id}", "      DELETE", "      GET", "  /zoo",
                              "    POST"]
        assert [r.name for r in shown_rows(page)][:4] == ["/", "/pets", "/pets/-toys", "/pets/{id}"]
        get = row_named(page, "GET /pets/{id}")
        assert {k: v for k, v in get.cells.items() if k != "resource"} == {
            "id": "", "authorization": "NONE", "api_key": "no", "integration": "MOCK", "uri": "-"}
        post = row_named(page, "POST /zoo")
        assert (post.cells["api_key"], post.cells["integration"], post.cells["uri"]) == ("yes", "AWS_PROXY",
                                                                                        HELLO_WORLD)
        assert row_named(page, "/pets").cells["id"] == pet_list.id
        shown = shown_text(page.table)
        assert "/pets" in shown and "DELETE" in shown and "AWS_PROXY" in shown
        await pilot.press("o")  # by ID, then back round to the tree
        await settle(pilot)
        for _ in page.views[0].columns[1:]:
            await pilot.press("o")
        await settle(pilot)
        assert tree(page)[:4] == ["/", "  /pets", "    /-toys", "    /{id}"]


# -- resources ------------------------------------------------------------------------------------
async def test_c_creates_a_resource_under_the_one_under_the_cursor() -> None:
    app = make_app()
    api = pets(app)
    pet_list = gateway(app).create_resource(api.id, root_of(app, api.id), "pets")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources")
        form = await key_on(pilot, page, "/pets", "c")
        assert isinstance(form, CreateResourceForm)
        assert form.query_one("#f-parent", Select).value == pet_list.id
        assert app.focused is form.query_one("#f-part", Input)
        await type_into(pilot, form, "part", "{id}")
        await submit(pilot)
        assert app.screen is page
        made = next(r for r in gateway(app).get_resources(api.id) if r.path == "/pets/{id}")
        assert made.parent_id == pet_list.id
        assert tree(page) == ["/", "  /pets", "    /{id}"]
        assert page.table.cursor_row is not None and page.table.cursor_row.name == "/pets/{id}"
        assert ("Created resource /pets/{id}. Callers see it after the next deployment (c or n on Stages)."
                in notices(app))


async def test_a_bad_path_part_is_refused_naming_the_field_and_nothing_typed_is_lost() -> None:
    app = make_app()
    api = pets(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources")
        form = await key_on(pilot, page, "/", "c")
        assert isinstance(form, CreateResourceForm)
        await submit(pilot)
        assert message_of(form) == "Path part: is required (pets, {id} or {proxy+})"
        await type_into(pilot, form, "part", "a/b")
        await submit(pilot)
        assert app.screen is form
        message = message_of(form)
        assert message.startswith("Path part: BadRequestException: Invalid path part 'a/b'"), message
        assert form.query_one("#f-part", Input).value == "a/b"
        assert app.focused is form.query_one("#f-part", Input)
        assert [r.path for r in gateway(app).get_resources(api.id)] == ["/"]


async def test_ctrl_d_asks_first_then_deletes_a_method_or_a_resource_with_its_children() -> None:
    app = make_app()
    api = pets(app)
    gw = gateway(app)
    pet_list = gw.create_resource(api.id, root_of(app, api.id), "pets")
    pet = gw.create_resource(api.id, pet_list.id, "{id}")
    mock(app, api.id, pet_list.id, "GET")
    mock(app, api.id, pet_list.id, "POST")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources")
        confirm = await key_on(pilot, page, "POST /pets", "ctrl+d")
        assert isinstance(confirm, ConfirmScreen)
        assert "Delete method POST /pets?" in shown_text(confirm)
        await pilot.press("escape")
        await settle(pilot)
        assert sorted(next(r for r in gw.get_resources(api.id) if r.id == pet_list.id).resource_methods) == [
            "GET", "POST"]
        await key_on(pilot, page, "POST /pets", "ctrl+d")
        await pilot.press("y")
        await settle(pilot)
        assert sorted(next(r for r in gw.get_resources(api.id) if r.id == pet_list.id).resource_methods) == ["GET"]
        assert "Deleted method POST /pets." in notices(app)
        assert tree(page) == ["/", "  /pets", "    GET", "    /{id}"]

        confirm = await key_on(pilot, page, "/pets", "ctrl+d")
        assert isinstance(confirm, ConfirmScreen) and "Delete resource /pets?" in shown_text(confirm)
        assert "every resource under it" in shown_text(confirm)
        await pilot.press("y")
        await settle(pilot)
        assert [r.path for r in gw.get_resources(api.id)] == ["/"]
        assert pet.id not in {r.id for r in gw.get_resources(api.id)}
        assert tree(page) == ["/"]


# -- methods --------------------------------------------------------------------------------------
async def test_m_creates_a_mock_method_with_its_responses_and_shows_only_the_mock_s_fields() -> None:
    app = make_app()
    api = pets(app)
    pet_list = gateway(app).create_resource(api.id, root_of(app, api.id), "pets")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources")
        form = await key_on(pilot, page, "/pets", "m")
        assert isinstance(form, CreateMethodForm)
        assert "Create a method of /pets in pets-api" in shown_text(form)
        assert form.query_one("#f-function").display and not form.query_one("#f-status").display
        await pick(pilot, form, "method", "POST")
        await pick(pilot, form, "type", "MOCK")
        assert not form.query_one("#f-function").display and form.query_one("#f-status").display
        assert not form.query_one("#f-url").display
        await type_into(pilot, form, "status", "201")
        await type_into(pilot, form, "body", '{"made": true}')
        await submit(pilot)
        assert app.screen is page
        [listed] = [r for r in gateway(app).get_resources(api.id) if r.id == pet_list.id]
        method = listed.resource_methods["POST"]
        assert method["methodIntegration"]["type"] == "MOCK"
        assert method["methodIntegration"]["requestTemplates"] == {"application/json": '{"statusCode": 201}'}
        assert method["methodIntegration"]["integrationResponses"]["201"]["responseTemplates"] == {
            "application/json": '{"made": true}'}
        assert "201" in method["methodResponses"]
        row = row_named(page, "POST /pets")
        assert (str(row.cells["resource"]), row.cells["integration"]) == ("    POST", "MOCK")
        assert page.table.cursor_row is not None and page.table.cursor_row.name == "POST /pets"
        assert any(n.startswith("Created method POST to a mock answering 201.") for n in notices(app))


async def test_m_creates_a_lambda_proxy_method_guarded_by_an_authorizer_and_an_api_key() -> None:
    app = make_app()
    api = pets(app)
    gw = gateway(app)
    who = gw.create_rest_authorizer(api.id, "who", "TOKEN", authorizer_uri=HELLO_INVOCATION,
                                    identity_source="method.request.header.Authorization")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources")
        form = await key_on(pilot, page, "/", "m")
        assert isinstance(form, CreateMethodForm)
        assert [v for _, v in form._fields[1].options] == ["NONE", who.id]
        await pick(pilot, form, "authorization", who.id)
        form.query_one("#f-api_key", Checkbox).focus()
        await pilot.press("space")
        await pick(pilot, form, "function", HELLO_WORLD)
        await submit(pilot)
        assert app.screen is page
        method = gw.get_resources(api.id)[0].resource_methods["GET"]
        assert (method["authorizationType"], method["authorizerId"], method["apiKeyRequired"]) == (
            "CUSTOM", who.id, True)
        assert (method["methodIntegration"]["uri"], method["methodIntegration"]["httpMethod"]) == (
            HELLO_INVOCATION, "POST")
        row = row_named(page, "GET /")
        assert (row.cells["authorization"], row.cells["api_key"], row.cells["uri"]) == ("CUSTOM (who)", "yes",
                                                                                       HELLO_WORLD)
        assert any(n.startswith("Created method GET to Lambda function hello-world, guarded by authorizer who "
                                "(API key required).") for n in notices(app))


async def test_a_refused_integration_leaves_no_method_behind_and_names_the_field() -> None:
    app = make_app()
    api = pets(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources")
        form = await key_on(pilot, page, "/", "m")
        assert isinstance(form, CreateMethodForm)
        await pick(pilot, form, "type", "HTTP_PROXY")
        await submit(pilot)
        assert message_of(form) == "URL: is required for an HTTP proxy (http:// or https://)"
        await type_into(pilot, form, "url", "ftp://files.example")
        await submit(pilot)
        assert app.screen is form
        message = message_of(form)
        assert message.startswith("URL: BadRequestException: Invalid HTTP endpoint specified for URI"), message
        assert app.focused is form.query_one("#f-url", Input)
        assert gateway(app).get_resources(api.id)[0].resource_methods == {}  # the method put first is gone again
        await type_into(pilot, form, "url", "https://files.example/{proxy}")
        await submit(pilot)
        assert app.screen is page
        method = gateway(app).get_resources(api.id)[0].resource_methods["GET"]
        assert method["methodIntegration"]["uri"] == "https://files.example/{proxy}"
        assert row_named(page, "GET /").cells["uri"] == "https://files.example/{proxy}"

        form = await key_on(pilot, page, "/", "m")
        await pick(pilot, form, "type", "MOCK")
        await submit(pilot)
        assert app.screen is form  # GET is there already
        assert message_of(form) == "ConflictException: Method already exists for this resource"
        assert gateway(app).get_resources(api.id)[0].resource_methods["GET"]["methodIntegration"]["type"] == \
            "HTTP_PROXY"


# -- stages and deployments ---------------------------------------------------------------------------
async def test_c_on_stages_deploys_to_a_new_stage_and_n_deploys_again_newest_first() -> None:
    app = make_app()
    api = pets(app)
    mock(app, api.id, root_of(app, api.id))
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "stages")
        assert "No stage yet: a REST API answers only on a stage" in shown_text(page.table)
        assert "A change to resources and methods shows only after a deployment." in page.table.empty_hint
        form = await form_of(pilot, "c", DeployForm)
        assert "reaches callers only once deployed" in message_of(form)
        await type_into(pilot, form, "name", "prod")
        await type_into(pilot, form, "description", "first")
        await type_into(pilot, form, "variables", "table=pets")
        await submit(pilot)
        assert app.screen is page
        [stage] = gateway(app).get_stages(api.id)
        [first] = gateway(app).get_rest_deployments(api.id)
        assert (stage.stage_name, stage.deployment_id, stage.variables) == ("prod", first.id, {"table": "pets"})
        row = row_named(page, "prod")
        url = gateway(app).rest_invoke_url(api.id, "prod")
        assert row.cells == {"name": "prod", "deployment": first.id, "url": url, "variables": "table=pets"}
        assert url.endswith(f"/_aws/execute-api/{api.id}/prod")
        assert f"Deployed to stage prod: deployment {first.id}, at {url}" in notices(app)

        await key_on(pilot, page, "prod", "n")
        again = [d for d in gateway(app).get_rest_deployments(api.id) if d.id != first.id]
        assert len(again) == 1
        assert f"Deployed to stage prod: deployment {again[0].id}." in notices(app)
        assert row_named(page, "prod").cells["deployment"] == again[0].id

        form = await key_on(pilot, page, "prod", "c")  # an existing stage, picked
        assert isinstance(form, DeployForm) and form.query_one("#f-stage", Select).value == "prod"
        await submit(pilot)
        assert len(gateway(app).get_rest_deployments(api.id)) == 3

        page.switch_view("deployments")
        await settle(pilot)
        newest = gateway(app).get_stages(api.id)[0].deployment_id
        assert shown_rows(page)[0].name == newest
        assert shown_rows(page)[0].cells["stages"] == "prod"
        assert row_named(page, first.id).cells == {"id": first.id, "created": row_named(page, first.id).cells["created"],
                                                   "stages": "-", "description": "first"}


async def test_deploying_an_api_without_methods_is_refused_with_aws_words() -> None:
    app = make_app()
    api = pets(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "stages")
        form = await form_of(pilot, "c", DeployForm)
        await submit(pilot)
        assert message_of(form) == "New stage name: is required (or pick an existing stage)"
        await type_into(pilot, form, "name", "prod")
        await submit(pilot)
        assert app.screen is form
        assert message_of(form) == "BadRequestException: The REST API doesn't contain any methods"
        assert gateway(app).get_stages(api.id) == []
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is page


# -- authorizers ----------------------------------------------------------------------------------
async def test_c_on_authorizers_creates_a_token_authorizer_and_ctrl_d_deletes_it() -> None:
    app = make_app()
    api = pets(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "authorizers")
        form = await form_of(pilot, "c", CreateAuthorizerForm)
        await type_into(pilot, form, "name", "token-check")
        await pick(pilot, form, "function", HELLO_WORLD)
        await type_into(pilot, form, "source", "method.request.querystring.token")
        await submit(pilot)
        assert app.screen is form
        assert message_of(form).startswith("Identity source: BadRequestException: A TOKEN authorizer's identity "
                                           "source is one header"), message_of(form)
        await type_into(pilot, form, "source", "method.request.header.Authorization")
        await type_into(pilot, form, "ttl", "60")
        await submit(pilot)
        assert app.screen is page
        [made] = gateway(app).get_rest_authorizers(api.id)
        assert (made.name, made.type, made.authorizer_uri, made.authorizer_result_ttl_in_seconds) == (
            "token-check", "TOKEN", HELLO_INVOCATION, 60)
        row = row_named(page, "token-check")
        assert row.cells == {"name": "token-check", "id": made.id, "type": "TOKEN", "function": "hello-world",
                             "source": "method.request.header.Authorization", "ttl": 60}
        confirm = await key_on(pilot, page, "token-check", "ctrl+d")
        assert isinstance(confirm, ConfirmScreen) and "Delete authorizer token-check?" in shown_text(confirm)
        await pilot.press("y")
        await settle(pilot)
        assert gateway(app).get_rest_authorizers(api.id) == []


# -- API keys and usage plans ---------------------------------------------------------------------
async def test_api_keys_are_a_view_of_api_gateway_with_the_value_only_in_the_json() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_apigw(pilot, "apikeys")
        assert [v.title for v in screen.views] == ["APIs", "API keys", "Usage plans"]
        form = await form_of(pilot, "c", CreateApiKeyForm)
        await type_into(pilot, form, "name", "team-web")
        await type_into(pilot, form, "value", "short")
        await submit(pilot)
        assert app.screen is form
        assert message_of(form).startswith("Value: BadRequestException: "), message_of(form)
        await type_into(pilot, form, "value", "a-value-of-twenty-four-c")
        await type_into(pilot, form, "description", "the web team")
        await submit(pilot)
        assert app.screen is screen
        [made] = gateway(app).get_api_keys(include_values=True)
        assert (made.name, made.value, made.enabled) == ("team-web", "a-value-of-twenty-four-c", True)
        row = row_named(screen, "team-web")
        assert {k: row.cells[k] for k in ("name", "id", "enabled", "description")} == {
            "name": "team-web", "id": made.id, "enabled": "yes", "description": "the web team"}
        assert "a-value-of-twenty-four-c" not in shown_text(screen.table)
        assert "a-value-of-twenty-four-c" not in row.text()  # nor does the filter find it
        assert screen.table.cursor_row is not None and screen.table.cursor_row.name == "team-web"
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and "a-value-of-twenty-four-c" in shown_text(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        confirm = await key_on(pilot, screen, "team-web", "ctrl+d")
        assert isinstance(confirm, ConfirmScreen) and "Delete API key team-web?" in shown_text(confirm)
        await pilot.press("y")
        await settle(pilot)
        assert gateway(app).get_api_keys() == []


async def test_a_usage_plan_is_made_for_a_stage_and_a_key_added_and_removed_on_its_page() -> None:
    app = make_app()
    api = pets(app)
    mock(app, api.id, root_of(app, api.id))
    gateway(app).create_rest_deployment(api.id, "prod")
    team = gateway(app).create_api_key("team")
    gateway(app).create_api_key("other")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_apigw(pilot, "usageplans")
        form = await form_of(pilot, "c", CreateUsagePlanForm)
        assert form._fields[-1].options[0] == ("pets-api · prod", f"{api.id}/prod")
        await type_into(pilot, form, "name", "basic")
        await type_into(pilot, form, "rate", "fast")
        await submit(pilot)
        assert message_of(form) == "Rate (requests/s): must be a number (got 'fast')"
        await type_into(pilot, form, "rate", "10")
        await type_into(pilot, form, "burst", "20")
        await type_into(pilot, form, "limit", "1000")
        await pick(pilot, form, "period", "DAY")
        await submit(pilot)
        assert app.screen is screen
        [plan] = gateway(app).get_usage_plans()
        assert (plan.name, plan.throttle, plan.quota["limit"], plan.quota["period"], plan.api_stages) == (
            "basic", {"rateLimit": 10.0, "burstLimit": 20}, 1000, "DAY", [{"apiId": api.id, "stage": "prod"}])
        row = row_named(screen, "basic")
        assert {k: row.cells[k] for k in ("rate", "burst", "quota", "keys", "stages")} == {
            "rate": "10", "burst": "20", "quota": "1,000 per day", "keys": 0, "stages": "pets-api prod"}

        page = await key_on(pilot, screen, "basic", "enter")
        assert isinstance(page, UsagePlanScreen)
        assert [v.title for v in page.views] == ["API keys", "API stages"]
        assert "rate 10/s, burst 20 · quota 1,000 per day" in shown_text(page.query_one("#facts"))
        form = await form_of(pilot, "c", AddPlanKeyForm)
        assert [label.split()[0] for label, _ in form._fields[0].options] == ["other", "team"]
        await pick(pilot, form, "key", team.id)
        await submit(pilot)
        assert app.screen is page
        assert [k["id"] for k in gateway(app).get_usage_plan_keys(plan.id)] == [team.id]
        assert row_named(page, "team").cells == {"name": "team", "id": team.id, "type": "API_KEY", "enabled": "yes"}
        assert "Added API key team to the usage plan." in notices(app)

        await pilot.press("c")
        await settle(pilot)
        assert [v for _, v in app.screen._fields[0].options] != [team.id]  # a key the plan holds is not offered
        await pilot.press("escape")
        await settle(pilot)

        page.switch_view("stages")
        await settle(pilot)
        assert row_named(page, "pets-api prod").cells["url"] == gateway(app).rest_invoke_url(api.id, "prod")
        page.switch_view("keys")
        await settle(pilot)
        confirm = await key_on(pilot, page, "team", "ctrl+d")
        assert isinstance(confirm, ConfirmScreen) and "Remove API key team from the plan?" in shown_text(confirm)
        await pilot.press("y")
        await settle(pilot)
        assert gateway(app).get_usage_plan_keys(plan.id) == []
        assert {k.name for k in gateway(app).get_api_keys()} == {"team", "other"}  # the key itself stays
        assert "Removed API key team from the plan: the key itself stays." in notices(app)


# -- read-only ------------------------------------------------------------------------------------
async def test_read_only_refuses_every_change_with_a_notice() -> None:
    app = make_app()
    api = pets(app)
    mock(app, api.id, root_of(app, api.id))
    set_read_only(app)
    resources = gateway(app).get_resources(api.id)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources")
        assert "m Method" not in shown_text(page.query_one("ConsoleFooter"))
        for tab, keys in (("resources", ("c", "m", "ctrl+d")), ("stages", ("c",)), ("authorizers", ("c",))):
            page.switch_view(tab)
            await settle(pilot)
            if tab == "resources":
                assert page.table.move_to(row_named(page, "GET /").key)
            for key in keys:
                count = len(notices(app))
                await pilot.press(key)
                await settle(pilot)
                assert app.screen is page, (tab, key)
                said = notices(app)[count:]
                assert said and said[-1].startswith("Read-only mode: ") and "is refused" in said[-1], (tab, key)
        assert gateway(app).get_resources(api.id) == resources
        assert gateway(app).get_stages(api.id) == []
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ServiceScreen)
        for view in ("apikeys", "usageplans"):
            screen.switch_view(view)
            await settle(pilot)
            count = len(notices(app))
            await pilot.press("c")
            await settle(pilot)
            assert notices(app)[count:][-1].startswith("Read-only mode: "), view
        assert gateway(app).get_api_keys() == [] and gateway(app).get_usage_plans() == []


# -- end to end, on a gateway that listens ------------------------------------------------------------
def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    try:
        conn.request("GET", parts.path, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[ComputeApp]:
    """The console on a local backend that leads its state dir, so its gateway listens (on a port the
    system picks)."""
    backend = LocalBackend(tmp_path / "state", lambda_sandbox="process", engine=StaticEngine(), apigateway_port=0)
    backend.apigateway.create_rest_api("shop")
    try:
        yield ComputeApp(Settings(refresh=0), backend, polling=False, blink=False)
    finally:
        backend.close()


async def test_what_the_forms_make_answers_on_the_invoke_url_and_a_key_guards_it(serving: ComputeApp) -> None:
    app = serving
    api = next(a for a in gateway(app).get_rest_apis() if a.name == "shop")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_rest(pilot, "resources", name="shop")
        form = await key_on(pilot, page, "/", "c")
        await type_into(pilot, form, "part", "health")
        await submit(pilot)
        form = await key_on(pilot, page, "/health", "m")
        assert isinstance(form, CreateMethodForm)
        await pick(pilot, form, "type", "MOCK")
        await type_into(pilot, form, "body", '{"up": true}')
        await submit(pilot)
        form = await key_on(pilot, page, "/", "c")
        await type_into(pilot, form, "part", "paid")
        await submit(pilot)
        form = await key_on(pilot, page, "/paid", "m")
        await pick(pilot, form, "type", "MOCK")
        form.query_one("#f-api_key", Checkbox).value = True
        await type_into(pilot, form, "body", "paid for")
        await submit(pilot)
        assert tree(page) == ["/", "  /health", "    GET", "  /paid", "    GET"]

        page.switch_view("stages")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_into(pilot, app.screen, "name", "live")
        await submit(pilot)
        url = str(row_named(page, "live").cells["url"])
        assert url == gateway(app).rest_invoke_url(api.id, "live")
        assert get(url + "/health") == (200, b'{"up": true}')
        assert get(url + "/paid")[0] == 403

        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ServiceScreen)
        screen.switch_view("apikeys")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_into(pilot, app.screen, "name", "buyer")
        await submit(pilot)
        screen.switch_view("usageplans")
        await settle(pilot)
        form = await form_of(pilot, "c", CreateUsagePlanForm)
        await type_into(pilot, form, "name", "paying")
        await pick(pilot, form, "stage", f"{api.id}/live")
        await submit(pilot)
        page = await key_on(pilot, screen, "paying", "enter")
        assert isinstance(page, UsagePlanScreen)
        await pilot.press("c")
        await settle(pilot)
        await submit(pilot)  # the one key there is
        [key] = gateway(app).get_api_keys(include_values=True)
        assert [k["id"] for k in gateway(app).get_usage_plan_keys(gateway(app).get_usage_plans()[0].id)] == [key.id]
        status, body = get(url + "/paid")
        assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
        assert get(url + "/paid", {"x-api-key": "not-the-key-of-anyone"})[0] == 403
        assert get(url + "/paid", {"x-api-key": key.value}) == (200, b"paid for")


# -- on the aws backend ---------------------------------------------------------------------------
async def test_the_rest_api_page_and_its_forms_on_the_aws_backend(moto_server, aws_credentials) -> None:  # noqa: ANN001, F811
    from tests.support.aws import reset_moto
    from tests.ui.test_aws_ui import aws_app, until_ready

    reset_moto(moto_server)
    app = aws_app(moto_server)
    async with app.run_test(size=SIZE) as pilot:
        await until_ready(pilot, app, "us-east-1")
        api = gateway(app).create_rest_api(name="orders")
        page = await open_rest(pilot, "resources", name="orders")
        assert tree(page) == ["/"]
        form = await key_on(pilot, page, "/", "c")
        await type_into(pilot, form, "part", "orders")
        await submit(pilot)
        form = await key_on(pilot, page, "/orders", "m")
        assert isinstance(form, CreateMethodForm)
        await pick(pilot, form, "method", "POST")
        await pick(pilot, form, "type", "HTTP_PROXY")
        await type_into(pilot, form, "url", "https://orders.example/new")
        await submit(pilot)
        assert app.screen is page
        assert tree(page) == ["/", "  /orders", "    POST"]
        row = row_named(page, "POST /orders")
        assert (row.cells["integration"], row.cells["uri"]) == ("HTTP_PROXY", "https://orders.example/new")

        page.switch_view("stages")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_into(pilot, app.screen, "name", "prod")
        await submit(pilot)
        assert row_named(page, "prod").cells["url"] == f"https://{api.id}.execute-api.us-east-1.amazonaws.com/prod"

        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ServiceScreen)
        screen.switch_view("apikeys")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_into(pilot, app.screen, "name", "partner")
        await submit(pilot)
        assert row_named(screen, "partner").cells["enabled"] == "yes"
