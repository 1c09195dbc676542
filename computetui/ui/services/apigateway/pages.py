"""What API Gateway's rows open (an HTTP API's page; REST and WebSocket APIs, their JSON) and the
forms ``c`` opens on an HTTP API's tabs: a route, a Lambda integration, a stage."""

from __future__ import annotations

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


PAGES: dict[str, PageMaker] = {
    "apigw-api": _api,
}

FORMS: dict[str, FormOpener] = {
    "apigw-route": _apigw_form("apigw-route"),
    "apigw-integration": _apigw_form("apigw-integration"),
    "apigw-stage": _apigw_form("apigw-stage"),
}
from computetui.ui.services.apigateway import http_forms  # noqa: E402 - the HTTP API page's own forms

FORMS.update(http_forms.FORMS)
