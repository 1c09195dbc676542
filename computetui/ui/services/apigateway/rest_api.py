"""One REST API (API Gateway v1): Resources, Stages, Deployments and Authorizers, under a header
with its name, id and endpoint type.

Resources is the API's resource tree as the AWS console draws it: each resource indented under
its parent (``/``, ``  /pets``, ``    /{id}``) and each of its methods a row under it (``GET`` ·
authorization · API key required · integration type · URI). ``c`` there creates a resource under
the one under the cursor, ``m`` a method of it (PutMethod and PutIntegration in one form), ctrl+d
deletes the resource or the method under the cursor (asks first). ``c`` on Stages deploys the API
to a stage, new or existing, and ``n`` deploys it again to the stage under the cursor: on a REST
API nothing changes for callers until then. ``c`` on Authorizers creates a Lambda authorizer.
Metrics and Logs are the HTTP API page's panels on a REST API's stages (metrics by ApiName and
Stage); ``s`` there shows the next stage, ``e`` on Logs edits the stage's access logging.
"""

from __future__ import annotations

import re
from typing import Any

from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.backends.errors import ComputeError
from computetui.models import apigateway as m
from computetui.ui.format import when
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.tabs import PanelView, TabbedScreen, row_action_bindings
from computetui.ui.services.apigateway.api_page import ApiPage
from computetui.ui.services.apigateway.http_panels import AccessLogsPanel, HttpMetricsPanel, Observed, StagePicker
from computetui.ui.views import Column, ResourceView, Row, RowAction

RESOURCE_COLUMNS = (
    Column("resource", "Resource / method"),
    Column("id", "ID"),
    Column("authorization", "Authorization"),
    Column("api_key", "API key"),
    Column("integration", "Integration"),
    Column("uri", "URI"),  # last: a Lambda ARN is long, and the columns before it stay on screen
)
STAGE_COLUMNS = (
    Column("name", "Name"),
    Column("deployment", "Deployment"),
    Column("url", "Invoke URL"),
    Column("variables", "Stage variables"),
)
DEPLOYMENT_COLUMNS = (
    Column("id", "ID"),
    Column("created", "Created", "time"),
    Column("stages", "Stages"),
    Column("description", "Description"),
)
AUTHORIZER_COLUMNS = (
    Column("name", "Name"),
    Column("id", "ID"),
    Column("type", "Type"),
    Column("function", "Lambda function"),
    Column("source", "Identity source"),
    Column("ttl", "TTL (s)", "number"),
)

INVOCATION = re.compile(r"^arn:aws:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(?P<function>.+)/invocations$")
"""A Lambda integration's or authorizer's URI: the function's invocation ARN."""


def invocation_uri(region: str, function_arn: str) -> str:
    """What a REST API's AWS_PROXY integration and a Lambda authorizer name a function by."""
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def invoked_function(uri: str | None) -> str | None:
    """The function ARN an invocation URI names, or None when it names none."""
    found = INVOCATION.match(uri or "")
    return found["function"] if found else None


class TreeCell(int):
    """A Resources cell: a number where the table sorts (the row's place in the tree) and an
    indented label where it shows (``    /{id}``). The table orders a column by its cells' values,
    so the rows keep the tree's order whatever their labels' letters; ``o`` sorts by the other
    columns, and back round to this one the tree again."""

    label: str

    def __new__(cls, place: int, label: str) -> TreeCell:
        cell = super().__new__(cls, place)
        cell.label = label
        return cell

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"TreeCell({int(self)}, {self.label!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TreeCell) and int(self) == int(other) and self.label == other.label

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((int(self), self.label))


def facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


def rest_api(b: Backend, api_id: str) -> m.RestApi | None:
    return next((a for a in facet(b).get_rest_apis() if a.id == api_id), None)


def _yes(value: bool | None) -> str:
    return "yes" if value else "no"


def _integration_target(integration: dict[str, Any] | None) -> str:
    """What a method's integration calls, as a person reads it: the function's ARN for a Lambda
    proxy (not its long invocation ARN), the URL for an HTTP proxy; MOCK calls nothing."""
    if not integration:
        return "-"
    uri = integration.get("uri")
    return invoked_function(uri) or uri or "-"


def resource_rows(b: Backend, api_id: str) -> list[Row]:
    """The tree in the console's order: a resource, its methods, then its children by path part."""
    gateway = facet(b)
    resources = gateway.get_resources(api_id)
    authorizers = {a.id: a.name for a in gateway.get_rest_authorizers(api_id)}
    known = {r.id for r in resources}
    children: dict[str | None, list[m.RestResource]] = {}
    for resource in resources:
        parent = resource.parent_id if resource.parent_id in known else None
        children.setdefault(parent, []).append(resource)
    rows: list[Row] = []

    def visit(resource: m.RestResource, depth: int) -> None:
        part = "/" if resource.parent_id is None else "/" + (resource.path_part or resource.path.rsplit("/", 1)[-1])
        base = {"api": api_id, "resource": resource.id, "path": resource.path}
        rows.append(Row(
            key=f"resource:{resource.id}", name=resource.path,
            cells={"resource": TreeCell(len(rows), "  " * depth + part), "id": resource.id, "authorization": "",
                   "api_key": "", "integration": "", "uri": ""},
            detail=resource.to_aws(), extra={**base, "kind": "resource"}))
        for verb in sorted(resource.resource_methods):
            method = resource.resource_methods[verb] or {}
            authorization = method.get("authorizationType") or "NONE"
            if authorization == "CUSTOM":
                who = method.get("authorizerId")
                authorization = f"CUSTOM ({authorizers.get(who, who)})"
            integration = method.get("methodIntegration")
            rows.append(Row(
                key=f"method:{resource.id}:{verb}", name=f"{verb} {resource.path}",
                cells={"resource": TreeCell(len(rows), "  " * (depth + 1) + verb), "id": "",
                       "authorization": authorization, "api_key": _yes(method.get("apiKeyRequired")),
                       "integration": (integration or {}).get("type") or "none",
                       "uri": _integration_target(integration)},
                detail={"httpMethod": verb, **method}, extra={**base, "kind": "method", "method": verb}))
        for child in sorted(children.get(resource.id, []), key=lambda r: r.path_part or r.path):
            visit(child, depth + 1)

    for top in sorted(children.get(None, []), key=lambda r: r.path):
        visit(top, 0)
    return rows


def stage_rows(b: Backend, api_id: str) -> list[Row]:
    gateway = facet(b)
    rows = []
    for s in gateway.get_stages(api_id):
        try:
            url = gateway.rest_invoke_url(api_id, s.stage_name)
        except ComputeError:
            url = "-"
        rows.append(Row(
            key=f"stage:{s.stage_name}", name=s.stage_name,
            cells={"name": s.stage_name, "deployment": s.deployment_id or "none yet", "url": url,
                   "variables": ", ".join(f"{k}={v}" for k, v in s.variables.items()) or "-"},
            detail=s.to_aws(), extra={"api": api_id}))
    return rows


def deployment_rows(b: Backend, api_id: str) -> list[Row]:
    """Newest first: by creation time, and among deployments made in the same second, the later listed."""
    gateway = facet(b)
    serving: dict[str, list[str]] = {}
    for stage in gateway.get_stages(api_id):
        if stage.deployment_id:
            serving.setdefault(stage.deployment_id, []).append(stage.stage_name)
    found = list(enumerate(gateway.get_rest_deployments(api_id)))
    found.sort(key=lambda pair: (pair[1].created_date is not None, pair[1].created_date, pair[0]), reverse=True)
    return [
        Row(key=f"deployment:{d.id}", name=d.id,
            cells={"id": d.id, "created": when(d.created_date), "stages": ", ".join(sorted(serving.get(d.id, []))) or "-",
                   "description": d.description or "-"},
            detail=d.to_aws(), extra={"api": api_id})
        for _, d in found
    ]


def authorizer_rows(b: Backend, api_id: str) -> list[Row]:
    rows = []
    for a in facet(b).get_rest_authorizers(api_id):
        function = invoked_function(a.authorizer_uri)
        rows.append(Row(
            key=f"authorizer:{a.id}", name=a.name,
            cells={"name": a.name, "id": a.id, "type": a.type,
                   "function": function.rsplit(":", 1)[-1] if function else (a.authorizer_uri or "-"),
                   "source": a.identity_source or "-", "ttl": a.authorizer_result_ttl_in_seconds},
            detail=a.to_aws(), extra={"api": api_id, "id": a.id}))
    return rows


def _delete_resource_or_method(b: Backend, row: Row) -> None:
    if row.extra.get("kind") == "method":
        facet(b).delete_method(row.extra["api"], row.extra["resource"], row.extra["method"])
    else:
        facet(b).delete_resource(row.extra["api"], row.extra["resource"])


def _delete_authorizer(b: Backend, row: Row) -> None:
    facet(b).delete_rest_authorizer(row.extra["api"], row.extra["id"])


def _deploy(b: Backend, row: Row) -> str:
    d = facet(b).create_rest_deployment(row.extra["api"], stage_name=row.name)
    return f"Deployed to stage {row.name}: deployment {d.id}."


DEPLOY = RowAction(
    id="apigw-deploy", key="n", label="Deploy", what=lambda row: f"deploy the API to stage {row.name}",
    run=_deploy, tooltip="Deploy the API as it is now to the stage at the cursor",
)
METHOD_WARNING = "Callers keep getting it until the next deployment; after that, 403 Missing Authentication Token."
RESOURCE_WARNING = ("Its methods and every resource under it go too; callers keep them until the next deployment. "
                    "This cannot be undone.")


class RestApiScreen(ApiPage):
    KIND = "REST API"

    BINDINGS = [
        *row_action_bindings([DEPLOY]),
        Binding("m", "create_method", "Method", id="apigw-create-method",
                tooltip="Create a method, with its integration, of the resource"),
        Binding("t", "test", "Test", id="apigw-test",
                tooltip="Test the method under the cursor (TestInvokeMethod: as it is now, deployed or not)"),
        Binding("e", "edit", "Edit", id="apigw-edit", tooltip="Edit the shown stage's access logging"),
        Binding("s", "next_stage", "Next stage", id="apigw-next-stage",
                tooltip="Show the next stage's metrics or access log"),
    ]
    MUTATING = TabbedScreen.MUTATING | {"create_method", "edit"}
    HINTS = {
        "resources": ("No resource: even the root (/) is gone.", "Press r to read the API again."),
        "stages": ("No stage yet: a REST API answers only on a stage, and a stage serves a deployment. "
                   "A change to resources and methods shows only after a deployment.",
                   "Press c to deploy the API to a new stage."),
        "deployments": ("No deployment yet: callers see nothing until the API is deployed to a stage.",
                        "Press c on Stages to deploy it."),
        "authorizers": ("No authorizer yet: a method is open (NONE) or guarded by a Lambda authorizer (CUSTOM).",
                        "Press c to create one."),
    }

    def __init__(self, api_id: str, name: str, view: str | None = None) -> None:
        context = {"api": api_id, "name": name}
        views: list[Any] = [
            ResourceView("resources", "Resources", "resource", RESOURCE_COLUMNS, lambda b: resource_rows(b, api_id),
                         delete=_delete_resource_or_method, creates="apigw-rest-resource", context=context,
                         delete_warning=RESOURCE_WARNING),
            ResourceView("stages", "Stages", "stage", STAGE_COLUMNS, lambda b: stage_rows(b, api_id),
                         creates="apigw-rest-deployment", context=context, actions=(DEPLOY,),
                         read_only_reason="a REST API's stage is not deleted from the console yet"),
            ResourceView("deployments", "Deployments", "deployment", DEPLOYMENT_COLUMNS,
                         lambda b: deployment_rows(b, api_id), sort="created", context=context,
                         read_only_reason="a deployment is not deleted from the console yet"),
            ResourceView("authorizers", "Authorizers", "authorizer", AUTHORIZER_COLUMNS,
                         lambda b: authorizer_rows(b, api_id), delete=_delete_authorizer,
                         creates="apigw-rest-authorizer", context=context,
                         delete_warning="API Gateway refuses while a method uses it. This cannot be undone."),
            PanelView("metrics", "Metrics", lambda: HttpMetricsPanel(api_id, Observed.rest_api(api_id, name))),
            PanelView("logs", "Logs", lambda: AccessLogsPanel(api_id, Observed.rest_api(api_id, name))),
        ]
        super().__init__(api_id, name, views, view)

    def read_api(self, backend: Backend) -> m.RestApi | None:
        return rest_api(backend, self.api_id)

    def facts(self, api: m.RestApi) -> Content:
        endpoint = ", ".join(t.value for t in api.endpoint_configuration.types).title()
        return Content.from_markup(
            "[b]REST API[/] [b $primary]$n[/]  [$muted]$d[/]\n[b]Endpoint[/] $e  [$muted]$k[/]",
            n=api.name, d=f"ID {api.id}" + (f" · {api.description}" if api.description else ""),
            e=endpoint, k=f"API keys read from the {api.api_key_source.lower()} (x-api-key)")

    # -- creating ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("create_method", "test"):
            return self.view.id == "resources"
        if action == "edit":
            return self.view.id == "logs"
        if action == "next_stage":
            return self.view.id in ("metrics", "logs")
        return super().check_action(action, parameters)

    def action_edit(self) -> None:
        """``e`` on Logs: the shown stage's access logging (v1's UpdateStage)."""
        if self.view.id != "logs" or self.console.refuse_if_read_only(f"editing the access logging of {self.api_name}"):
            return
        from computetui.ui.services.apigateway.http_forms import AccessLogForm

        panel = self.panel
        stage = panel.stage if isinstance(panel, StagePicker) else None

        def done(changed: bool | None) -> None:
            if changed:
                self.reload()

        self.app.push_screen(AccessLogForm(self.api_id, self.api_name, stage, rest=True), done)

    def action_next_stage(self) -> None:
        panel = self.panel
        if isinstance(panel, StagePicker):
            panel.next_stage()
            self.reload()

    def action_test(self) -> None:
        """The Test page of the method under the cursor."""
        from computetui.ui.services.apigateway.test_panel import ApiTestScreen, Subject

        row = self.selected()
        if self.view.id != "resources" or row is None or row.extra.get("kind") != "method":
            self.notify("Put the cursor on a method (GET, POST, ...) under its resource to test it.",
                        severity="warning")
            return
        self.app.push_screen(ApiTestScreen(Subject(
            "rest", self.api_id, self.api_name, resource_id=row.extra["resource"], resource_path=row.extra["path"],
            method=row.extra["method"])))

    def create_context(self, view: ResourceView) -> dict[str, Any]:
        """Resources: the resource under the cursor (a method's own resource) is the new one's parent."""
        context = dict(view.context)
        row = self.selected()
        if view.id == "resources" and row is not None:
            context["resource"] = row.extra.get("resource")
            context["path"] = row.extra.get("path")
        if view.id == "stages" and row is not None:
            context["stage"] = row.name  # the deploy form starts on the stage under the cursor
        return context

    def action_create_method(self) -> None:
        if self.view.id != "resources" or not isinstance(self.view, ResourceView):
            return
        if self.console.refuse_if_read_only("creating a method"):
            return
        context = self.create_context(self.view)
        if not context.get("resource"):
            self.notify("No resource is selected: put the cursor on the resource the method is for.",
                        severity="warning")
            return
        self.console.open_create("apigw-rest-method", context)

    # -- deleting ------------------------------------------------------------------------------
    def action_delete(self) -> None:
        """On a method's row ctrl+d deletes that method (and asks about a method, not a resource)."""
        row = self.selected()
        view = self.view
        if not (isinstance(view, ResourceView) and view.id == "resources" and row is not None
                and row.extra.get("kind") == "method"):
            super().action_delete()
            return
        if self.console.refuse_if_read_only(f"delete method {row.name}"):
            return
        as_method = ResourceView(view.id, view.title, "method", view.columns, view.fetch, delete=view.delete,
                                 context=view.context)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(as_method, row)

        self.app.push_screen(
            ConfirmScreen(Content.from_markup("Delete method [b]$name[/b]?", name=row.name), METHOD_WARNING,
                          "Delete"),
            confirmed,
        )
