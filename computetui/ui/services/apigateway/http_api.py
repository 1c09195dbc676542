"""One HTTP API (API Gateway v2), with the console's tabs: Routes, Integrations, Authorizers, Stages,
Deployments, CORS, Throttling, Metrics and Logs, under a header with its name, id, protocol and
endpoint.

``c`` on Routes, Integrations, Authorizers and Stages opens their create form, ``n`` on Stages
deploys the API to the stage under the cursor, ``a`` on Routes sets the route's authorization,
ctrl+d deletes a route, an integration, an authorizer or a stage (asks first). ``e`` edits the CORS
configuration, a stage's (or a route's) throttling and a stage's access logging; ``s`` shows the
next stage's metrics or access log."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.backends.errors import ComputeError
from computetui.models import apigateway as m
from computetui.ui.format import when
from computetui.ui.screens.tabs import PanelView, TabbedScreen, row_action_bindings
from computetui.ui.services.apigateway import http_tabs as ht
from computetui.ui.services.apigateway.api_page import ApiPage
from computetui.ui.services.apigateway.http_panels import AccessLogsPanel, CorsPanel, HttpMetricsPanel, StagePicker
from computetui.ui.views import Column, ResourceView, Row, RowAction

ROUTE_COLUMNS = (
    Column("key", "Route key"),
    Column("target", "Target"),
    Column("authorization", "Authorization"),
)
INTEGRATION_COLUMNS = (
    Column("id", "ID"),
    Column("type", "Type"),
    Column("payload", "Payload format"),
    Column("timeout", "Timeout (ms)", "number"),
    Column("uri", "URI"),  # last: a Lambda ARN is long, and the columns before it stay on screen
)
STAGE_COLUMNS = (
    Column("name", "Name"),
    Column("auto", "Auto deploy"),
    Column("deployment", "Deployment"),
    Column("url", "Invoke URL"),
    Column("variables", "Stage variables"),
)
DEPLOYMENT_COLUMNS = (
    Column("id", "ID"),
    Column("status", "Status", "state"),
    Column("auto", "Auto-deployed"),
    Column("created", "Created", "time"),
    Column("description", "Description"),
)


def facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


def http_api(b: Backend, api_id: str) -> m.HttpApi | None:
    return next((a for a in facet(b).get_apis() if a.api_id == api_id), None)


def _yes(value: bool | None) -> str:
    return "yes" if value else "no"


def route_rows(b: Backend, api_id: str) -> list[Row]:
    routes = facet(b).get_routes(api_id)
    names = ht.authorizer_names(b, api_id, routes)
    return [
        Row(key=f"route:{r.route_id}", name=r.route_key,
            cells={"key": r.route_key, "target": r.target or "none",
                   "authorization": ht.authorization(r, names)},
            detail=r.to_aws(), extra={"api": api_id, "route_id": r.route_id})
        for r in routes
    ]


def integration_rows(b: Backend, api_id: str) -> list[Row]:
    return [
        Row(key=f"integration:{i.integration_id}", name=i.integration_id,
            cells={"id": i.integration_id, "type": i.integration_type, "uri": i.integration_uri or "-",
                   "payload": i.payload_format_version or "-", "timeout": i.timeout_in_millis},
            detail=i.to_aws(), extra={"api": api_id})
        for i in facet(b).get_integrations(api_id)
    ]


def stage_rows(b: Backend, api_id: str) -> list[Row]:
    gateway = facet(b)
    rows = []
    for s in gateway.get_api_stages(api_id):
        try:
            url = gateway.invoke_url(api_id, s.stage_name)
        except ComputeError:
            url = "-"
        rows.append(Row(
            key=f"stage:{s.stage_name}", name=s.stage_name,
            cells={"name": s.stage_name, "auto": _yes(s.auto_deploy),
                   "deployment": s.deployment_id or "none yet", "url": url,
                   "variables": ", ".join(f"{k}={v}" for k, v in s.stage_variables.items()) or "-"},
            detail=s.to_aws(), extra={"api": api_id}))
    return rows


def deployment_rows(b: Backend, api_id: str) -> list[Row]:
    """Newest first: by creation time, and among deployments made in the same second, the later listed."""
    found = list(enumerate(facet(b).get_deployments(api_id)))
    found.sort(key=lambda pair: (pair[1].created_date is not None, pair[1].created_date, pair[0]), reverse=True)
    return [
        Row(key=f"deployment:{d.deployment_id}", name=d.deployment_id, state=d.deployment_status,
            cells={"id": d.deployment_id, "status": d.deployment_status, "auto": _yes(d.auto_deployed),
                   "created": when(d.created_date), "description": d.description or "-"},
            detail=d.to_aws(), extra={"api": api_id})
        for _, d in found
    ]


def _delete_route(b: Backend, row: Row) -> None:
    facet(b).delete_route(row.extra["api"], row.extra["route_id"])


def _delete_integration(b: Backend, row: Row) -> None:
    facet(b).delete_integration(row.extra["api"], row.name)


def _delete_authorizer(b: Backend, row: Row) -> None:
    facet(b).delete_authorizer(row.extra["api"], row.extra["authorizer_id"])


def _delete_stage(b: Backend, row: Row) -> None:
    facet(b).delete_stage(row.extra["api"], row.name)


def _deploy(b: Backend, row: Row) -> str:
    d = facet(b).create_deployment(row.extra["api"], stage_name=row.name)
    return f"Deployed to stage {row.name}: deployment {d.deployment_id}."


DEPLOY = RowAction(
    id="apigw-deploy", key="n", label="Deploy", what=lambda row: f"deploy the API to stage {row.name}",
    run=_deploy, tooltip="Deploy the routes and integrations to this stage",
)


EDITS = {"cors": "CORS configuration", "throttling": "throttling", "logs": "access logging"}
"""The tabs ``e`` edits, and what it edits there."""


class HttpApiScreen(ApiPage):
    KIND = "HTTP API"

    BINDINGS = [
        *row_action_bindings([DEPLOY]),
        Binding("a", "authorize", "Authorization", id="apigw-route-authorization",
                tooltip="Set who may call the route: anyone, or an authorizer"),
        Binding("e", "edit", "Edit", id="apigw-edit",
                tooltip="Edit the tab's CORS, throttling or access logging"),
        Binding("s", "next_stage", "Next stage", id="apigw-next-stage",
                tooltip="Show the next stage's metrics or access log"),
        Binding("t", "test", "Test", id="apigw-test",
                tooltip="Send a request through the API (the route or stage under the cursor to start with)"),
    ]
    MUTATING = TabbedScreen.MUTATING | {"authorize", "edit"}
    HINTS = {
        "routes": ("No route yet: the API answers 404 to everything.", "Press c to add a route."),
        "integrations": ("No integration yet: a route needs one to reach a Lambda function.",
                         "Press c to add one."),
        "stages": ("No stage yet: nothing answers until a stage serves a deployment.",
                   "Press c to create one ($default answers without a stage in the URL)."),
        "deployments": ("No deployment yet.", "Press n on a stage to deploy to it, or give it auto deploy."),
        "authorizers": ("No authorizer yet: every route is open to anyone who has its URL.",
                        "Press c to create one (a Lambda function or a JWT check), then a on a route."),
        "throttling": ("No stage yet: throttling is set per stage.", "Press c on Stages to create one."),
    }

    def __init__(self, api_id: str, name: str, view: str | None = None) -> None:
        context = {"api": api_id, "name": name}
        views: list[Any] = [
            ResourceView("routes", "Routes", "route", ROUTE_COLUMNS, lambda b: route_rows(b, api_id),
                         delete=_delete_route, creates="apigw-route", context=context,
                         delete_warning="Requests it matched go to the $default route, if there is one, or get "
                                        "404 once the stage is deployed."),
            ResourceView("integrations", "Integrations", "integration", INTEGRATION_COLUMNS,
                         lambda b: integration_rows(b, api_id), delete=_delete_integration,
                         creates="apigw-integration", context=context,
                         delete_warning="API Gateway refuses while a route targets it. This cannot be undone."),
            ResourceView("authorizers", "Authorizers", "authorizer", ht.AUTHORIZER_COLUMNS,
                         lambda b: ht.authorizer_rows(b, api_id), delete=_delete_authorizer,
                         creates="apigw-authorizer", context=context,
                         delete_warning="API Gateway refuses while a route uses it (a on Routes sets NONE)."),
            ResourceView("stages", "Stages", "stage", STAGE_COLUMNS, lambda b: stage_rows(b, api_id),
                         delete=_delete_stage, creates="apigw-stage", context=context, actions=(DEPLOY,),
                         delete_warning="Its invoke URL stops answering. This cannot be undone."),
            ResourceView("deployments", "Deployments", "deployment", DEPLOYMENT_COLUMNS,
                         lambda b: deployment_rows(b, api_id), sort="created", context=context),
            PanelView("cors", "CORS", lambda: CorsPanel(api_id)),
            ResourceView("throttling", "Throttling", "throttling setting", ht.THROTTLING_COLUMNS,
                         lambda b: ht.throttling_rows(b, api_id), context=context),
            PanelView("metrics", "Metrics", lambda: HttpMetricsPanel(api_id)),
            PanelView("logs", "Logs", lambda: AccessLogsPanel(api_id)),
        ]
        super().__init__(api_id, name, views, view)

    def read_api(self, backend: Backend) -> m.HttpApi | None:
        return http_api(backend, self.api_id)

    def facts(self, api: m.HttpApi) -> Content:
        return Content.from_markup(
            "[b]HTTP API[/] [b $primary]$n[/]  [$muted]$d[/]\n[b]Endpoint[/] $e",
            n=api.name, d=f"ID {api.api_id} · {api.protocol_type.value}"
                          + (f" · {api.description}" if api.description else ""),
            e=api.api_endpoint or "-")

    # -- keys --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view.id
        if action == "authorize":
            return view == "routes"
        if action == "edit":
            return view in EDITS
        if action == "next_stage":
            return view in ("metrics", "logs")
        return super().check_action(action, parameters)

    def action_test(self) -> None:
        """``t``: the API's Test page, starting from the route (its method and path) or the stage
        under the cursor."""
        from computetui.ui.services.apigateway.test_panel import ApiTestScreen, Subject

        row = self.selected()
        method = path = stage = None
        if row is not None and self.view.id == "routes" and row.name != "$default":
            verb, _, path = row.name.partition(" ")
            method = None if verb == "ANY" else verb
            path = path.replace("{proxy+}", "") or "/"
        elif row is not None and self.view.id == "stages":
            stage = row.name
        self.app.push_screen(ApiTestScreen(Subject("http", self.api_id, self.api_name, resource_path=path,
                                                   method=method, stage=stage)))

    def action_authorize(self) -> None:
        """``a`` on Routes: the route's authorization form."""
        row = self.selected()
        if row is None:
            self.notify("No route is selected.", severity="warning")
            return
        if self.console.refuse_if_read_only(f"setting the authorization of route {row.name}"):
            return
        from computetui.ui.services.apigateway.http_forms import RouteAuthorizationForm

        self._form(RouteAuthorizationForm(self.api_id, m.Route.model_validate(row.aws_json())))

    def action_edit(self) -> None:
        """``e``: the form of what the tab shows; a stage's (or route's) on Throttling, the shown
        stage's on Logs."""
        view = self.view.id
        if view not in EDITS or self.console.refuse_if_read_only(f"editing the {EDITS[view]} of {self.api_name}"):
            return
        from computetui.ui.services.apigateway import http_forms

        if view == "cors":
            self._edit_cors()
        elif view == "throttling":
            row = self.selected()
            extra = row.extra if row is not None else {}
            self._form(http_forms.ThrottlingForm(self.api_id, self.api_name, extra.get("stage"), extra.get("route"),
                                                 extra.get("rate"), extra.get("burst")))
        else:
            panel = self.panel
            stage = panel.stage if isinstance(panel, StagePicker) else None
            self._form(http_forms.AccessLogForm(self.api_id, self.api_name, stage))

    @work(thread=True, exit_on_error=False, group="action")
    def _edit_cors(self) -> None:
        """The CORS form, filled in with the configuration as it is now (read in a worker)."""
        from computetui.ui.format import describe_error

        backend = self.console.backend
        if backend is None:
            return
        try:
            api = http_api(backend, self.api_id)
        except Exception as exc:
            self.app.call_from_thread(self.notify, describe_error(exc), title="Could not read the CORS configuration",
                                      severity="error", timeout=8, markup=False)
            return
        self.app.call_from_thread(self._cors_form, api.cors_configuration if api is not None else None)

    def _cors_form(self, cors: m.Cors | None) -> None:
        from computetui.ui.services.apigateway.http_forms import CorsForm

        self._form(CorsForm(self.api_id, self.api_name, cors))

    def _form(self, form: Any) -> None:
        def done(changed: bool | None) -> None:
            if changed:
                self.reload()

        self.app.push_screen(form, done)

    def action_next_stage(self) -> None:
        panel = self.panel
        if isinstance(panel, StagePicker):
            panel.next_stage()
            self.reload()
