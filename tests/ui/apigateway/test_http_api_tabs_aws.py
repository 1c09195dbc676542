"""The HTTP API page's tabs on the aws backend (moto's server on 127.0.0.1): the CORS form sends
UpdateApi and the tab shows what AWS then answers; ``a`` on Routes sends UpdateRoute."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Checkbox, Input, Select

from computetui.ui.services.apigateway.http_api import HttpApiScreen
from computetui.ui.services.apigateway.http_forms import CorsForm, RouteAuthorizationForm
from computetui.ui.services.apigateway.http_panels import CorsPanel
from tests.support.aws import aws_credentials, moto_server, reset_moto  # noqa: F401
from tests.support.aws_stubs import stubbed
from tests.ui.apigateway.navigate import form_of
from tests.ui.apigateway.test_http_api_ui import open_api
from tests.ui.helpers import SIZE, settle, shown_text
from tests.ui.test_aws_ui import aws_app, until_ready

pytestmark = pytest.mark.asyncio


async def test_cors_and_a_route_s_authorization_are_sent_to_aws(moto_server, aws_credentials) -> None:  # noqa: ANN001, F811
    reset_moto(moto_server)
    app = aws_app(moto_server)
    async with app.run_test(size=SIZE) as pilot:
        await until_ready(pilot, app, "us-east-1")
        gateway: Any = app.backend.apigateway  # type: ignore[union-attr]
        api = gateway.create_api(name="hello-api")
        route = gateway.create_route(api.api_id, "GET /pets")
        page = await open_api(pilot, "cors")
        assert isinstance(page, HttpApiScreen)
        assert "No CORS configuration" in shown_text(page.query_one(CorsPanel))
        form = await form_of(pilot, "e", CorsForm)
        form.query_one("#f-origins", Input).value = "https://app.example"
        form.query_one("#f-methods", Input).value = "GET"
        form.query_one("#f-maxage", Input).value = "600"
        form.query_one("#f-credentials", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        cors = app.backend.client("apigatewayv2").get_api(ApiId=api.api_id)["CorsConfiguration"]  # type: ignore[union-attr]
        assert (cors["AllowOrigins"], cors["AllowMethods"], cors["MaxAge"], cors["AllowCredentials"]) == (
            ["https://app.example"], ["GET"], 600, True)
        shown = shown_text(page.query_one(CorsPanel))
        assert "Access-Control-Allow-Origin https://app.example" in shown
        assert "Access-Control-Max-Age 600 s" in shown and "Access-Control-Allow-Credentials true" in shown

        # moto (5.2.6) lists no authorizers (GetAuthorizers): AWS's answer comes from botocore's Stubber.
        made = gateway.create_authorizer(api.api_id, "users", "JWT", ["$request.header.Authorization"],
                                         jwt_configuration={"Issuer": "https://issuer.example", "Audience": ["app"]})
        page.switch_view("routes")
        await settle(pilot)
        listed = {"AuthorizerId": made.authorizer_id, "Name": "users", "AuthorizerType": "JWT",
                  "IdentitySource": ["$request.header.Authorization"]}
        with stubbed(app.backend, "apigatewayv2") as stub:
            stub.add_response("get_authorizers", {"Items": [listed]}, {"ApiId": api.api_id})
            await pilot.press("a")
            await settle(pilot)
        form = app.screen
        assert isinstance(form, RouteAuthorizationForm)
        form.query_one("#f-authorizer", Select).value = made.authorizer_id
        form.query_one("#f-scopes", Input).value = "pets:read"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        sent = app.backend.client("apigatewayv2").get_route(ApiId=api.api_id, RouteId=route.route_id)  # type: ignore[union-attr]
        assert (sent["AuthorizationType"], sent["AuthorizerId"], sent["AuthorizationScopes"]) == (
            "JWT", made.authorizer_id, ["pets:read"])
