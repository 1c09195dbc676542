"""What API Gateway's rows open (an HTTP or a REST API's page, a usage plan's page; a WebSocket
API's JSON) and the forms ``c`` opens: on an HTTP API's tabs a route, a Lambda integration, a
stage; on a REST API's a resource, a deployment, an authorizer (and ``m`` a method); on API
keys and Usage plans a key, a plan, and on a plan's page a key added to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.screens.opening import FormOpener, PageMaker, want
from computetui.ui.views import ResourceView, Row

if TYPE_CHECKING:
    from computetui.ui.console import Console


def _api(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    if row.extra.get("api") == "v2" and row.cells.get("protocol") == "HTTP":
        from computetui.ui.services.apigateway.http_api import HttpApiScreen

        return HttpApiScreen(row.extra["id"], row.name)
    if row.extra.get("api") == "rest":
        from computetui.ui.services.apigateway.rest_api import RestApiScreen

        return RestApiScreen(row.extra["id"], row.name)
    from computetui.ui.screens.detail import DetailScreen

    return DetailScreen(page_id, crumbs, view, row)


def _apigw_form(kind: str) -> FormOpener:
    """Open a form of an HTTP API's tab; refresh the page after, with the cursor on what was made."""

    def open_form(app: Console, context: dict[str, Any]) -> None:
        from computetui.ui.services.apigateway import forms

        screen = app.screen
        make = {"apigw-route": forms.CreateRouteForm, "apigw-integration": forms.CreateIntegrationForm,
                "apigw-stage": forms.CreateStageForm}[kind]
        form = make(context["api"], context.get("name", context["api"]))

        def done(changed: bool | None) -> None:
            if changed and hasattr(screen, "reload"):
                want(screen, form.created)
                screen.reload()

        app.push_screen(form, done)

    return open_form


def _usage_plan(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.apigateway.key_forms import UsagePlanScreen

    return UsagePlanScreen(row.extra["id"], row.name)


def _form(make: Callable[[dict[str, Any]], Any]) -> FormOpener:
    """Open the form ``make`` builds from where it was opened; refresh the page after, with the
    cursor on what was made."""

    def open_form(app: Console, context: dict[str, Any]) -> None:
        screen = app.screen
        form = make(context)

        def done(changed: bool | None) -> None:
            if changed and hasattr(screen, "reload"):
                want(screen, form.created)
                screen.reload()

        app.push_screen(form, done)

    return open_form


def _rest_form(kind: str) -> FormOpener:
    def make(context: dict[str, Any]) -> Any:
        from computetui.ui.services.apigateway import rest_forms

        api, name = context["api"], context.get("name", context["api"])
        if kind == "resource":
            return rest_forms.CreateResourceForm(api, name, context.get("resource"))
        if kind == "method":
            return rest_forms.CreateMethodForm(api, name, context["resource"], context.get("path"))
        if kind == "deployment":
            return rest_forms.DeployForm(api, name, context.get("stage"))
        return rest_forms.CreateAuthorizerForm(api, name)

    return _form(make)


def _key_form(kind: str) -> FormOpener:
    def make(context: dict[str, Any]) -> Any:
        from computetui.ui.services.apigateway import key_forms

        if kind == "plan-key":
            return key_forms.AddPlanKeyForm(context["plan"], context.get("name", context["plan"]))
        return key_forms.CreateUsagePlanForm() if kind == "plan" else key_forms.CreateApiKeyForm()

    return _form(make)


PAGES: dict[str, PageMaker] = {
    "apigw-api": _api,
    "apigw-usage-plan": _usage_plan,
}

FORMS: dict[str, FormOpener] = {
    "apigw-route": _apigw_form("apigw-route"),
    "apigw-integration": _apigw_form("apigw-integration"),
    "apigw-stage": _apigw_form("apigw-stage"),
    "apigw-rest-resource": _rest_form("resource"),
    "apigw-rest-method": _rest_form("method"),
    "apigw-rest-deployment": _rest_form("deployment"),
    "apigw-rest-authorizer": _rest_form("authorizer"),
    "apigw-api-key": _key_form("key"),
    "apigw-usage-plan": _key_form("plan"),
    "apigw-usage-plan-key": _key_form("plan-key"),
}
from computetui.ui.services.apigateway import http_forms  # noqa: E402 - the HTTP API page's own forms

FORMS.update(http_forms.FORMS)
