"""An HTTP API's Authorizers, CORS, Throttling, Metrics and Logs tabs, and ``a`` on Routes, driven as
a user drives them on the local backend (the sample's hello-api): the forms change what API
Gateway keeps, the tabs show it, a value API Gateway refuses is named with its field and AWS's code
and nothing typed is lost, and read-only mode refuses every change.

What the gateway then does with the settings (401, 429, the access log's lines, the metrics) is in
``test_http_api_tabs_e2e.py``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Label, Log, Select, Sparkline

from computetui.models.metrics import MetricDataResult
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.services.apigateway.http_forms import (
    DEFAULT_ACCESS_LOG_FORMAT,
    AccessLogForm,
    CorsForm,
    CreateAuthorizerForm,
    RouteAuthorizationForm,
    ThrottlingForm,
)
from computetui.ui.services.apigateway.http_panels import AccessLogsPanel, CorsPanel, HttpMetricsPanel
from computetui.ui.services.apigateway.http_tabs import invocation_uri
from tests.ui.apigateway.test_http_api_ui import (
    HELLO_WORLD,
    gateway,
    hello_api,
    message_of,
    notices,
    open_api,
    row_named,
)
from tests.ui.helpers import SIZE, make_app, settle, shown_text
from tests.ui.lightsail.scene import set_read_only
from tests.ui.test_keys_that_apply import footer, help_lines, ids

pytestmark = pytest.mark.asyncio

ISSUER = "https://issuer.example"
ACCESS_GROUP = "/aws/apigateway/hello-api"
ACCESS_ARN = f"arn:aws:logs:us-east-1:000000000000:log-group:{ACCESS_GROUP}"


async def press_on(pilot: Pilot, key: str, kind: type) -> Any:
    """``key`` on the page; the form it opens, of class ``kind``."""
    await pilot.press(key)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, kind), form
    return form


async def submit(pilot: Pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def shown_fields(form: Any) -> list[str]:
    """The labels of the form's fields that show."""
    return [str(label.render()) for label in form.query(Label) if label.display]


def jwt_authorizer(app: Any, api_id: str, name: str = "users") -> Any:
    return gateway(app).create_authorizer(api_id, name, "JWT", ["$request.header.Authorization"],
                                          jwt_configuration={"Issuer": ISSUER, "Audience": ["app"]})


def lambda_authorizer(app: Any, api_id: str, name: str = "who") -> Any:
    return gateway(app).create_authorizer(api_id, name, "REQUEST", ["$request.header.Authorization"],
                                          authorizer_uri=invocation_uri(HELLO_WORLD),
                                          authorizer_payload_format_version="2.0", enable_simple_responses=True)


def default_route(app: Any, api_id: str) -> Any:
    return next(r for r in gateway(app).get_routes(api_id) if r.route_key == "$default")


def stage(app: Any, api_id: str, name: str = "$default") -> Any:
    return next(s for s in gateway(app).get_api_stages(api_id) if s.stage_name == name)


# -- Authorizers ------------------------------------------------------------------------------------
async def test_c_on_authorizers_creates_a_lambda_request_authorizer_with_the_function_s_invocation_uri() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "authorizers")
        assert "No authorizer yet" in shown_text(page.table)
        form = await press_on(pilot, "c", CreateAuthorizerForm)
        assert shown_fields(form) == ["Name", "Type", "Identity source", "Lambda function", "Payload format",
                                      "Simple responses", "Cache TTL (s)"]
        assert form.query_one("#f-identity", Input).value == "$request.header.Authorization"
        form.query_one("#f-name", Input).value = "who"
        form.query_one("#f-function", Select).value = HELLO_WORLD
        form.query_one("#f-ttl", Input).value = "60"
        await submit(pilot)
        assert app.screen is page
        [made] = gateway(app).get_authorizers(api.api_id)
        assert (made.name, made.authorizer_type, made.identity_source) == (
            "who", "REQUEST", ["$request.header.Authorization"])
        assert made.authorizer_uri == ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                       f"{HELLO_WORLD}/invocations")
        assert (made.authorizer_payload_format_version, made.enable_simple_responses,
                made.authorizer_result_ttl_in_seconds) == ("2.0", True, 60)
        row = row_named(page, "who")
        assert row.cells == {"name": "who", "id": made.authorizer_id, "type": "REQUEST",
                             "identity": "$request.header.Authorization", "checks": "hello-world", "audience": "-",
                             "payload": "2.0", "simple": "yes", "ttl": 60}
        assert page.table.cursor_row is not None and page.table.cursor_row.name == "who"
        assert (f"Created authorizer who ({made.authorizer_id}, REQUEST): Lambda function hello-world."
                in notices(app))


async def test_a_jwt_authorizer_s_form_shows_only_its_fields_and_needs_an_issuer() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "authorizers")
        form = await press_on(pilot, "c", CreateAuthorizerForm)
        form.query_one("#f-type", Select).value = "JWT"
        await settle(pilot)
        assert shown_fields(form) == ["Name", "Type", "Identity source", "Issuer", "Audience"]
        form.query_one("#f-name", Input).value = "users"
        form.query_one("#f-audience", Input).value = "app, web"
        await submit(pilot)
        assert app.screen is form
        assert message_of(form) == "Issuer: is required for a JWT authorizer: the tokens' iss claim, an https:// URL"
        assert app.focused is form.query_one("#f-issuer", Input)
        assert gateway(app).get_authorizers(api.api_id) == []
        form.query_one("#f-issuer", Input).value = ISSUER
        await submit(pilot)
        assert app.screen is page
        [made] = gateway(app).get_authorizers(api.api_id)
        assert (made.authorizer_type, made.jwt_configuration) == ("JWT", {"Issuer": ISSUER, "Audience": ["app", "web"]})
        cells = row_named(page, "users").cells
        assert (cells["checks"], cells["audience"], cells["simple"], cells["ttl"]) == (ISSUER, "app, web", "-", None)


async def test_a_ttl_api_gateway_refuses_is_named_with_aws_code_and_nothing_typed_is_lost() -> None:
    app = make_app()
    api = hello_api(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_api(pilot, "authorizers")
        form = await press_on(pilot, "c", CreateAuthorizerForm)
        form.query_one("#f-name", Input).value = "who"
        form.query_one("#f-ttl", Input).value = "4000"
        await submit(pilot)
        assert app.screen is form
        assert message_of(form).startswith("Cache TTL (s): BadRequestException: "), message_of(form)
        assert "less than or equal to 3600" in message_of(form)
        assert app.focused is form.query_one("#f-ttl", Input)
        assert form.query_one("#f-name", Input).value == "who"
        form.query_one("#f-ttl", Input).value = "300"
        form.query_one("#f-payload", Select).value = "1.0"
        await submit(pilot)
        assert app.screen is form
        assert message_of(form) == "Simple responses: BadRequestException: Simple responses need payload format 2.0."
        assert app.focused is form.query_one("#f-simple", Checkbox)
        assert gateway(app).get_authorizers(api.api_id) == []


async def test_ctrl_d_asks_first_and_api_gateway_refuses_an_authorizer_a_route_uses() -> None:
    app = make_app()
    api = hello_api(app)
    made = jwt_authorizer(app, api.api_id)
    gateway(app).update_route(api.api_id, default_route(app, api.api_id).route_id, authorization_type="JWT",
                              authorizer_id=made.authorizer_id)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "authorizers")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "Delete authorizer users?" in shown_text(app.screen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is page
        assert "ConflictException" in notices(app)[-1]
        assert [a.name for a in gateway(app).get_authorizers(api.api_id)] == ["users"]

        gateway(app).update_route(api.api_id, default_route(app, api.api_id).route_id, authorization_type="NONE")
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert gateway(app).get_authorizers(api.api_id) == []
        assert "Deleted authorizer users." in notices(app)


# -- a on Routes ------------------------------------------------------------------------------------------
async def test_a_on_a_route_attaches_a_jwt_authorizer_with_scopes_and_none_takes_it_off() -> None:
    app = make_app()
    api = hello_api(app)
    made = jwt_authorizer(app, api.api_id)
    deployments = len(gateway(app).get_deployments(api.api_id))
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        form = await press_on(pilot, "a", RouteAuthorizationForm)
        picker = form.query_one("#f-authorizer", Select)
        assert picker.value == "NONE"
        assert [v for _, v in form._fields[0].options] == ["NONE", made.authorizer_id]
        picker.value = made.authorizer_id
        form.query_one("#f-scopes", Input).value = "pets:read pets:write"
        await submit(pilot)
        assert app.screen is page
        route = default_route(app, api.api_id)
        assert (route.authorization_type, route.authorizer_id, route.authorization_scopes) == (
            "JWT", made.authorizer_id, ["pets:read", "pets:write"])
        assert row_named(page, "$default").cells["authorization"] == "JWT users · pets:read, pets:write"
        assert "Route $default: authorization JWT users (scopes pets:read, pets:write)." in notices(app)
        assert len(gateway(app).get_deployments(api.api_id)) == deployments + 1  # the auto-deploying stage has it

        form = await press_on(pilot, "a", RouteAuthorizationForm)
        assert form.query_one("#f-authorizer", Select).value == made.authorizer_id
        assert form.query_one("#f-scopes", Input).value == "pets:read, pets:write"
        form.query_one("#f-authorizer", Select).value = "NONE"
        form.query_one("#f-scopes", Input).value = ""
        await submit(pilot)
        route = default_route(app, api.api_id)
        assert (route.authorization_type, route.authorizer_id, route.authorization_scopes) == ("NONE", None, None)
        assert row_named(page, "$default").cells["authorization"] == "NONE"


async def test_scopes_are_refused_before_sending_unless_the_authorizer_is_a_jwt_one() -> None:
    app = make_app()
    api = hello_api(app)
    made = lambda_authorizer(app, api.api_id)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        form = await press_on(pilot, "a", RouteAuthorizationForm)
        form.query_one("#f-scopes", Input).value = "pets:read"
        await submit(pilot)
        assert app.screen is form
        assert message_of(form) == "JWT scopes: only a JWT authorizer checks scopes: empty the field, or pick one"
        form.query_one("#f-authorizer", Select).value = made.authorizer_id
        await submit(pilot)
        assert message_of(form) == ("JWT scopes: who is a Lambda (REQUEST) authorizer, which takes no scopes: "
                                    "empty the field")
        assert app.focused is form.query_one("#f-scopes", Input)
        assert default_route(app, api.api_id).authorization_type == "NONE"
        form.query_one("#f-scopes", Input).value = ""
        await submit(pilot)
        assert app.screen is page
        route = default_route(app, api.api_id)
        assert (route.authorization_type, route.authorizer_id) == ("CUSTOM", made.authorizer_id)
        assert row_named(page, "$default").cells["authorization"] == "CUSTOM who"


async def test_a_shows_on_routes_only_and_e_on_cors_throttling_and_logs_in_the_footer_and_help() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        keys = await footer(pilot)
        assert keys["Authorization"] == "a" and "Edit" not in keys and "Next stage" not in keys
        listed = ids(await help_lines(pilot))
        assert "apigw-route-authorization" in listed and "apigw-edit" not in listed
        for tab, edit, stages in (("integrations", False, False), ("authorizers", False, False),
                                  ("stages", False, False), ("cors", True, False), ("throttling", True, False),
                                  ("metrics", False, True), ("logs", True, True)):
            page.switch_view(tab)
            keys = await footer(pilot)
            assert "Authorization" not in keys, tab
            assert ("Edit" in keys) is edit and ("Next stage" in keys) is stages, (tab, keys)
        listed = ids(await help_lines(pilot))
        assert {"apigw-edit", "apigw-next-stage"} <= listed and "apigw-route-authorization" not in listed


async def test_read_only_refuses_a_and_e_with_a_notice_and_changes_nothing() -> None:
    app = make_app()
    api = hello_api(app)
    set_read_only(app)
    before = (gateway(app).get_routes(api.api_id), gateway(app).get_api_stages(api.api_id), hello_api(app))
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        for tab, key in (("routes", "a"), ("authorizers", "c"), ("cors", "e"), ("throttling", "e"), ("logs", "e")):
            page.switch_view(tab)
            await settle(pilot)
            count = len(notices(app))
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is page, (tab, key)
            said = notices(app)[count:]
            assert said and said[-1].startswith("Read-only mode: ") and "is refused" in said[-1], (tab, key)
        assert (gateway(app).get_routes(api.api_id), gateway(app).get_api_stages(api.api_id), hello_api(app)) == before


# -- CORS -------------------------------------------------------------------------------------------------
async def test_e_on_cors_saves_the_configuration_and_an_emptied_field_clears_that_part() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "cors")
        assert "No CORS configuration" in shown_text(page.query_one(CorsPanel))
        form = await press_on(pilot, "e", CorsForm)
        form.query_one("#f-origins", Input).value = "https://app.example, https://*"
        form.query_one("#f-headers", Input).value = "authorization content-type"
        form.query_one("#f-methods", Input).value = "get, post"
        form.query_one("#f-maxage", Input).value = "300"
        form.query_one("#f-credentials", Checkbox).value = True
        await submit(pilot)
        assert app.screen is page
        cors = hello_api(app).cors_configuration
        assert cors is not None
        assert (cors.allow_origins, cors.allow_headers, cors.allow_methods, cors.expose_headers, cors.max_age,
                cors.allow_credentials) == (["https://app.example", "https://*"], ["authorization", "content-type"],
                                            ["GET", "POST"], [], 300, True)
        shown = shown_text(page.query_one(CorsPanel))
        for line in ("Access-Control-Allow-Origin https://app.example, https://*",
                     "Access-Control-Allow-Headers authorization, content-type",
                     "Access-Control-Allow-Methods GET, POST", "Access-Control-Expose-Headers -",
                     "Access-Control-Max-Age 300 s", "Access-Control-Allow-Credentials true"):
            assert line in shown, (line, shown)
        assert "Saved the CORS configuration: origins https://app.example, https://*." in notices(app)

        form = await press_on(pilot, "e", CorsForm)  # filled in with what is kept now
        assert form.query_one("#f-headers", Input).value == "authorization, content-type"
        assert form.query_one("#f-maxage", Input).value == "300"
        form.query_one("#f-headers", Input).value = ""
        form.query_one("#f-maxage", Input).value = ""
        await submit(pilot)
        cors = hello_api(app).cors_configuration
        assert cors is not None and (cors.allow_headers, cors.max_age) == ([], None)
        assert cors.allow_origins == ["https://app.example", "https://*"]
        assert "Access-Control-Allow-Headers -" in shown_text(page.query_one(CorsPanel))


async def test_a_max_age_api_gateway_refuses_is_named_with_aws_code() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_api(pilot, "cors")
        form = await press_on(pilot, "e", CorsForm)
        form.query_one("#f-origins", Input).value = "*"
        form.query_one("#f-maxage", Input).value = "a day"
        await submit(pilot)
        assert message_of(form) == "Max age (s): must be a whole number (got 'a day')"
        form.query_one("#f-maxage", Input).value = "100000"
        await submit(pilot)
        assert app.screen is form
        assert message_of(form).startswith("Max age (s): BadRequestException: 1 validation error detected: "
                                           "Value '100000' at 'corsConfiguration.maxAge'"), message_of(form)
        assert app.focused is form.query_one("#f-maxage", Input)
        assert form.query_one("#f-origins", Input).value == "*"
        assert hello_api(app).cors_configuration is None


# -- Throttling -------------------------------------------------------------------------------------------
async def test_throttling_shows_the_stage_default_and_each_route_and_e_sets_them() -> None:
    app = make_app()
    api = hello_api(app)
    gateway(app).create_route(api.api_id, "GET /pets")
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "throttling")
        assert [r.name for r in page.table.rows] == ["$default (default)", "$default $default", "$default GET /pets"]
        assert row_named(page, "$default (default)").cells["source"] == "nothing: account limits only"
        assert page.table.move_to(row_named(page, "$default (default)").key)
        form = await press_on(pilot, "e", ThrottlingForm)
        assert "429" in message_of(form) and '{"message":"Too Many Requests"}' in message_of(form)
        assert (form.query_one("#f-stage", Select).value, form.query_one("#f-route", Select).value) == (
            "$default", "(default)")
        form.query_one("#f-rate", Input).value = "10"
        form.query_one("#f-burst", Input).value = "20"
        await submit(pilot)
        assert app.screen is page
        settings = stage(app, api.api_id).default_route_settings
        assert (settings.throttling_rate_limit, settings.throttling_burst_limit) == (10.0, 20)
        assert "Stage $default, every route: 10 requests/s, burst 20." in notices(app)
        pets = row_named(page, "$default GET /pets")
        assert (pets.cells["rate"], pets.cells["burst"], pets.cells["source"]) == ("10", "20", "stage default")

        assert page.table.move_to(pets.key)
        form = await press_on(pilot, "e", ThrottlingForm)
        assert form.query_one("#f-route", Select).value == "GET /pets"
        assert form.query_one("#f-rate", Input).value == ""  # it has none of its own yet
        form.query_one("#f-rate", Input).value = "0.5"
        form.query_one("#f-burst", Input).value = "1"
        await submit(pilot)
        own = stage(app, api.api_id).route_settings["GET /pets"]
        assert (own.throttling_rate_limit, own.throttling_burst_limit) == (0.5, 1)
        pets = row_named(page, "$default GET /pets")
        assert (pets.cells["rate"], pets.cells["burst"], pets.cells["source"]) == ("0.5", "1", "this route")
        assert row_named(page, "$default $default").cells["source"] == "stage default"


async def test_a_rate_without_a_burst_is_refused_a_negative_burst_is_named_and_empty_takes_limits_off() -> None:
    app = make_app()
    api = hello_api(app)
    gateway(app).update_stage(api.api_id, "$default",
                              default_route_settings={"ThrottlingRateLimit": 5.0, "ThrottlingBurstLimit": 5,
                                                      "DetailedMetricsEnabled": True})
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "throttling")
        form = await press_on(pilot, "e", ThrottlingForm)
        assert (form.query_one("#f-rate", Input).value, form.query_one("#f-burst", Input).value) == ("5", "5")
        form.query_one("#f-burst", Input).value = ""
        await submit(pilot)
        assert message_of(form) == ("Burst: give a rate and a burst together, or empty both to take the limits off")
        assert app.focused is form.query_one("#f-burst", Input)
        form.query_one("#f-burst", Input).value = "-1"
        await submit(pilot)
        assert app.screen is form
        assert message_of(form).startswith("Burst: BadRequestException: "), message_of(form)
        assert "greater than or equal to 0" in message_of(form)
        assert app.focused is form.query_one("#f-burst", Input)
        form.query_one("#f-rate", Input).value = ""
        form.query_one("#f-burst", Input).value = ""
        await submit(pilot)
        assert app.screen is page
        settings = stage(app, api.api_id).default_route_settings
        assert (settings.throttling_rate_limit, settings.throttling_burst_limit) == (None, None)
        assert settings.detailed_metrics_enabled is True  # what is not throttling stays
        assert row_named(page, "$default (default)").cells["rate"] == "-"


# -- Metrics ----------------------------------------------------------------------------------------------
async def test_metrics_read_aws_apigateway_by_api_id_and_stage_and_s_moves_to_the_next_stage() -> None:
    app = make_app()
    api = hello_api(app)
    gateway(app).create_stage(api.api_id, "beta")
    asked: list[list[dict[str, Any]]] = []
    now = datetime.fromisoformat("2026-01-15T09:30:00+00:00")

    def get_metric_data(queries: list[dict[str, Any]], start: datetime, end: datetime) -> list[MetricDataResult]:
        asked.append(queries)
        assert (start, end) == (now - timedelta(hours=1), now + timedelta(minutes=1))
        figures = {"Count Sum": [3.0, 4.0], "4xx Sum": [1.0, 0.0], "Latency Average": [12.0, 8.0],
                   "Latency Maximum": [30.0, 9.0]}
        return [MetricDataResult(id=q["Id"], label=q["Label"], timestamps=[now - timedelta(minutes=1),
                                                                           now - timedelta(minutes=2)],
                                 values=figures.get(q["Label"], [])) for q in queries]

    assert app.backend is not None and app.backend.metrics is not None
    app.backend.metrics.get_metric_data = get_metric_data  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "metrics")
        panel = page.query_one(HttpMetricsPanel)
        queries = asked[-1]
        assert {q["MetricStat"]["Metric"]["MetricName"] for q in queries} == {
            "Count", "4xx", "5xx", "Latency", "IntegrationLatency"}
        assert all(q["MetricStat"]["Metric"]["Namespace"] == "AWS/ApiGateway" and q["MetricStat"]["Period"] == 60
                   and q["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "ApiId", "Value": api.api_id},
                                                                   {"Name": "Stage", "Value": "$default"}]
                   for q in queries)
        shown = shown_text(panel)
        assert "Stage $default s: the next of 2 stages" in shown
        assert "Count (requests) 7 in the last hour · peak 4/min" in shown
        assert "4xx (client errors) 1 in the last hour" in shown and "5xx (server errors) 0 in the last hour" in shown
        assert "Latency (average) avg 10.0 ms · max 30.0 ms" in shown
        assert "Integration latency (average) no data" in shown
        assert sum(panel.query_one("#chart-count", Sparkline).data or []) == 7

        await pilot.press("s")
        await settle(pilot)
        assert panel.stage == "beta"
        assert asked[-1][0]["MetricStat"]["Metric"]["Dimensions"][1] == {"Name": "Stage", "Value": "beta"}
        assert "Stage beta" in shown_text(panel)
        await pilot.press("s")
        await settle(pilot)
        assert panel.stage == "$default"


# -- Logs -------------------------------------------------------------------------------------------------
async def test_e_on_logs_offers_aws_default_json_format_makes_the_log_group_and_the_tab_shows_its_lines() -> None:
    app = make_app()
    api = hello_api(app)
    logs = app.backend.logs  # type: ignore[union-attr]
    assert logs is not None
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "logs")
        panel = page.query_one(AccessLogsPanel)
        assert "Access logging off" in shown_text(panel)
        form = await press_on(pilot, "e", AccessLogForm)
        assert form.query_one("#f-destination", Input).value == ACCESS_ARN
        assert form.query_one("#f-format", Input).value == DEFAULT_ACCESS_LOG_FORMAT
        assert '"routeKey":"$context.routeKey","status":"$context.status"' in DEFAULT_ACCESS_LOG_FORMAT
        await submit(pilot)
        assert app.screen is page
        settings = stage(app, api.api_id).access_log_settings
        assert (settings.destination_arn, settings.format) == (ACCESS_ARN, DEFAULT_ACCESS_LOG_FORMAT)
        assert [g.log_group_name for g in logs.describe_log_groups(ACCESS_GROUP)] == [ACCESS_GROUP]
        assert f"Stage $default: access log to {ACCESS_GROUP} (a new log group)." in notices(app)
        assert f"Destination {ACCESS_ARN}" in shown_text(panel)

        # A line as the gateway writes it, in the stream it writes to.
        logs.create_log_stream(ACCESS_GROUP, f"{api.api_id}_$default")
        logs.put_log_events(ACCESS_GROUP, f"{api.api_id}_$default",
                            [{"timestamp": 1768469400000, "message": '{"requestId":"r1","status":"200"}'}])
        await pilot.press("r")
        await settle(pilot)
        assert list(panel.query_one(Log).lines) == ['09:30:00.000  {"requestId":"r1","status":"200"}']
        assert f"Log group {ACCESS_GROUP} · 1 stream(s)" in shown_text(panel)

        form = await press_on(pilot, "e", AccessLogForm)  # filled in with what is kept; empty both: off
        assert form.query_one("#f-destination", Input).value == ACCESS_ARN
        form.query_one("#f-destination", Input).value = ""
        form.query_one("#f-format", Input).value = ""
        await submit(pilot)
        assert stage(app, api.api_id).access_log_settings.destination_arn is None
        assert "Access logging off" in shown_text(panel)


async def test_a_destination_that_is_not_a_log_group_arn_is_named_with_aws_code_and_no_group_is_made() -> None:
    app = make_app()
    api = hello_api(app)
    logs = app.backend.logs  # type: ignore[union-attr]
    assert logs is not None
    groups = [g.log_group_name for g in logs.describe_log_groups()]
    async with app.run_test(size=SIZE) as pilot:
        await open_api(pilot, "logs")
        form = await press_on(pilot, "e", AccessLogForm)
        form.query_one("#f-format", Input).value = ""
        await submit(pilot)
        assert message_of(form) == "Log format: is required with the other (empty both to turn access logging off)"
        form.query_one("#f-format", Input).value = "$context.requestId"
        form.query_one("#f-destination", Input).value = "arn:aws:logs:us-east-1:000000000000:log-group:a:b:c"
        await submit(pilot)
        assert app.screen is form
        assert message_of(form).startswith("Log group ARN: BadRequestException: "), message_of(form)
        assert "accessLogSettings.destinationArn" in message_of(form)
        assert app.focused is form.query_one("#f-destination", Input)
        assert stage(app, api.api_id).access_log_settings is None
        assert [g.log_group_name for g in logs.describe_log_groups()] == groups
