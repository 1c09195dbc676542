"""REST API forms: a resource, a method with its integration, a deployment to a stage, a Lambda
authorizer.

Each is a ``FieldForm`` (widgets/form.py): a field API Gateway refuses (``BadRequestException``,
with the field AWS names) is named in the message line and gets the cursor; nothing typed is lost.
A form answers True when it changed something. On a REST API a change reaches callers only once
the API is deployed to a stage: the forms' hints say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.widgets import Select

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.ui.services.apigateway.forms import parse_stage_variables
from computetui.ui.services.apigateway.rest_api import invocation_uri, invoked_function
from computetui.ui.widgets.form import Field, FieldForm, FormError

HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY")
INTEGRATION_TYPES = (
    ("Lambda proxy (AWS_PROXY)", "AWS_PROXY"),
    ("Mock (MOCK)", "MOCK"),
    ("HTTP proxy (HTTP_PROXY)", "HTTP_PROXY"),
)
NONE = "NONE"
NEW_STAGE = "+new"
DEPLOY_LATER = "Callers see it after the next deployment (c or n on Stages)."


def _facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


def _functions(backend: Backend) -> list[tuple[str, str]]:
    functions = backend.lambda_.list_functions() if backend.lambda_ is not None else []
    return [(f.function_name, f.function_arn) for f in sorted(functions, key=lambda f: f.function_name)]


def _resources(backend: Backend, api_id: str) -> list[tuple[str, str]]:
    return [(r.path, r.id) for r in _facet(backend).get_resources(api_id)]


class CreateResourceForm(FieldForm):
    """CreateResource: a path part under a parent resource."""

    verb = "Create"
    hint = ("A path part is one segment: a literal (pets), a path parameter ({id}) or a greedy one ({proxy+}, "
            "which takes the rest of the path and has no children). " + DEPLOY_LATER)
    backend_fields = {"pathpart": "part", "parentid": "parent"}

    def __init__(self, api_id: str, api_name: str, parent_id: str | None = None) -> None:
        super().__init__()
        self.api_id = api_id
        self.parent_id = parent_id
        self.title_text = f"Create a resource of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        options = _resources(backend, self.api_id)
        chosen = self.parent_id if any(v == self.parent_id for _, v in options) else (options[0][1] if options else None)
        return [
            Field("parent", "Parent resource", "select", chosen, options),
            Field("part", "Path part", placeholder="pets  ·  {id}  ·  {proxy+}"),
        ]

    def focus_first(self) -> None:
        """The cursor starts on the path part: the parent is already the resource under the page's cursor."""
        self.field_widget("part").focus()

    def prepare(self) -> Callable[[Backend], str]:
        parent = self.value("parent")
        if not parent:
            raise FormError("Parent resource", "pick one", "parent")
        part = self.value("part")
        if not part:
            raise FormError("Path part", "is required (pets, {id} or {proxy+})", "part")
        api_id = self.api_id

        def call(b: Backend) -> str:
            made = _facet(b).create_resource(api_id, parent, part)
            self.created = made.path
            return f"Created resource {made.path}. {DEPLOY_LATER}"

        return self.guarded(call)


class CreateMethodForm(FieldForm):
    """PutMethod then PutIntegration (and, for MOCK, PutMethodResponse and PutIntegrationResponse)
    in one go. Should a later call be refused, the method just put is deleted again, so no method
    is left without an integration (a deployment would refuse the API then)."""

    verb = "Create"
    hint = ("Lambda function is for AWS_PROXY; status code and response body for MOCK; URL for HTTP_PROXY. "
            + DEPLOY_LATER)
    backend_fields = {"httpmethod": "method", "authorizationtype": "authorization", "authorizerid": "authorization",
                      "apikeyrequired": "api_key", "type": "type", "integrationhttpmethod": "type",
                      "statuscode": "status", "responsetemplates": "body", "selectionpattern": "status"}

    FOR_TYPE = {"function": "AWS_PROXY", "status": "MOCK", "body": "MOCK", "url": "HTTP_PROXY"}
    """The fields only one integration type takes: the others are hidden."""

    def __init__(self, api_id: str, api_name: str, resource_id: str, path: str | None = None) -> None:
        super().__init__()
        self.api_id = api_id
        self.resource_id = resource_id
        self.path = path
        self.title_text = f"Create a method of {path} in {api_name}" if path else f"Create a method of {api_name}"
        self._authorizers: dict[str, str] = {}

    def fields(self, backend: Backend) -> list[Field]:
        gateway = _facet(backend)
        found = gateway.get_rest_authorizers(self.api_id)
        self._authorizers = {a.id: a.name for a in found}
        authorizations = [("NONE (open)", NONE)] + [(f"CUSTOM: {a.name} ({a.type})", a.id) for a in found]
        functions = _functions(backend)
        return [
            Field("method", "HTTP method", "select", "GET", [(v, v) for v in HTTP_METHODS]),
            Field("authorization", "Authorization", "select", NONE, authorizations),
            Field("api_key", "API key required", "check", default=False,
                  text="callers send a usage plan's key in x-api-key"),
            Field("type", "Integration type", "select", "AWS_PROXY", list(INTEGRATION_TYPES)),
            Field("function", "Lambda function", "select", functions[0][1] if functions else None, functions),
            Field("status", "Status code", default="200"),
            Field("body", "Response body", default='{"message": "hello"}'),
            Field("url", "URL", placeholder="https://example.com/{proxy}"),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self._show_fields_of(self.value("type"))

    @on(Select.Changed, "#f-type")
    def _type_changed(self, event: Select.Changed) -> None:
        self._show_fields_of(None if event.value is Select.NULL else str(event.value))

    def _show_fields_of(self, kind: str | None) -> None:
        """Only the chosen integration type's own fields show (with their labels)."""
        for field_id, owner in self.FOR_TYPE.items():
            found = self.query(f"#f-{field_id}")
            if not found:
                continue
            widget = found.first()
            parent = widget.parent
            siblings = list(parent.children) if parent is not None else []
            label = siblings[siblings.index(widget) - 1] if widget in siblings else None
            for part in (widget, label):
                if part is not None:
                    part.display = owner == kind

    def form_field(self, backend_field: str | None) -> str | None:
        if backend_field and backend_field.replace("_", "").lower() == "uri":
            return "function" if self.value("type") == "AWS_PROXY" else "url"
        return super().form_field(backend_field)

    def prepare(self) -> Callable[[Backend], str]:
        verb = self.value("method") or "GET"
        chosen = self.value("authorization") or NONE
        api_key = bool(self.value("api_key"))
        kind = self.value("type")
        if not kind:
            raise FormError("Integration type", "pick one", "type")
        function = self.value("function")
        url = self.value("url")
        status = self.value("status") or "200"
        body = self.value("body")
        if kind == "AWS_PROXY" and not function:
            raise FormError("Lambda function", "pick one (create a function first if there is none)", "function")
        if kind == "HTTP_PROXY" and not url:
            raise FormError("URL", "is required for an HTTP proxy (http:// or https://)", "url")
        api_id, resource_id = self.api_id, self.resource_id
        authorization = {"authorization_type": NONE} if chosen == NONE else {
            "authorization_type": "CUSTOM", "authorizer_id": chosen}

        def call(b: Backend) -> str:
            gateway = _facet(b)
            method = gateway.put_method(api_id, resource_id, verb, api_key_required=api_key, **authorization)
            try:
                if kind == "AWS_PROXY":
                    gateway.put_integration(api_id, resource_id, verb, "AWS_PROXY",
                                            uri=invocation_uri(b.region, function), integration_http_method="POST")
                    target = f"Lambda function {function.rsplit(':', 1)[-1]}"
                elif kind == "HTTP_PROXY":
                    gateway.put_integration(api_id, resource_id, verb, "HTTP_PROXY", uri=url,
                                            integration_http_method=verb)
                    target = url
                else:
                    gateway.put_integration(api_id, resource_id, verb, "MOCK",
                                            request_templates={"application/json": f'{{"statusCode": {status}}}'})
                    gateway.put_method_response(api_id, resource_id, verb, status)
                    gateway.put_integration_response(api_id, resource_id, verb, status,
                                                     response_templates={"application/json": body})
                    target = f"a mock answering {status}"
            except Exception:
                try:  # no method left half made
                    gateway.delete_method(api_id, resource_id, verb)
                except Exception:  # noqa: S110 - the first refusal is the one to show
                    pass
                raise
            self.created = f"{verb} {self.path or self._path(b)}"
            guard = "" if method.authorization_type == NONE else \
                f", guarded by authorizer {self._authorizers.get(chosen, chosen)}"
            return (f"Created method {verb} to {target}{guard}"
                    + (" (API key required)" if api_key else "") + f". {DEPLOY_LATER}")

        return self.guarded(call)

    def _path(self, b: Backend) -> str:
        return next((r.path for r in _facet(b).get_resources(self.api_id) if r.id == self.resource_id), "")


class DeployForm(FieldForm):
    """v1's CreateDeployment onto a stage, new or existing, with a description."""

    verb = "Deploy"
    hint = ("On a REST API a change to resources, methods and authorizers reaches callers only once deployed: "
            "this takes them as they are now to the stage (a new stage is made).")
    backend_fields = {"stagename": "name", "description": "description", "variables": "variables"}

    def __init__(self, api_id: str, api_name: str, stage: str | None = None) -> None:
        super().__init__()
        self.api_id = api_id
        self.stage = stage
        self.title_text = f"Deploy {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        stages = [(s.stage_name, s.stage_name) for s in _facet(backend).get_stages(self.api_id)]
        options = [("New stage", NEW_STAGE), *stages]
        chosen = self.stage if any(v == self.stage for _, v in stages) else NEW_STAGE
        return [
            Field("stage", "Stage", "select", chosen, options),
            Field("name", "New stage name", placeholder="prod  (letters, digits, - and _)"),
            Field("description", "Description", placeholder="what changed"),
            Field("variables", "Stage variables", placeholder="NAME=value, OTHER=value  (replace the stage's)"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        stage = self.value("stage")
        name = self.value("name") if stage in (None, NEW_STAGE) else stage
        if not name:
            raise FormError("New stage name", "is required (or pick an existing stage)", "name")
        description = self.value("description") or None
        try:
            variables = parse_stage_variables(self.value("variables"))
        except ValueError as exc:
            raise FormError("Stage variables", str(exc), "variables") from None
        api_id = self.api_id
        self.created = name
        extra: dict[str, Any] = {"description": description}
        if variables:
            extra["variables"] = variables

        def call(b: Backend) -> str:
            made = _facet(b).create_rest_deployment(api_id, stage_name=name, **extra)
            url = _facet(b).rest_invoke_url(api_id, name)
            return f"Deployed to stage {name}: deployment {made.id}, at {url}"

        return self.guarded(call)


class CreateAuthorizerForm(FieldForm):
    """v1's CreateAuthorizer: a TOKEN or REQUEST Lambda authorizer."""

    verb = "Create"
    hint = ("TOKEN: the function gets one header's value (method.request.header.Authorization); REQUEST: the "
            "headers, query string and stage variables named (comma-separated). Answers are cached for the TTL "
            "(0 to 3600 s). A method uses it with authorization CUSTOM. " + DEPLOY_LATER)
    backend_fields = {"name": "name", "type": "type", "authorizeruri": "function", "identitysource": "source",
                      "authorizerresultttlinseconds": "ttl", "identityvalidationexpression": "source"}

    def __init__(self, api_id: str, api_name: str) -> None:
        super().__init__()
        self.api_id = api_id
        self.title_text = f"Create a Lambda authorizer of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        functions = _functions(backend)
        return [
            Field("name", "Name", placeholder="token-check"),
            Field("type", "Type", "select", "TOKEN", [("TOKEN (one header)", "TOKEN"), ("REQUEST", "REQUEST")]),
            Field("function", "Lambda function", "select", functions[0][1] if functions else None, functions),
            Field("source", "Identity source", default="method.request.header.Authorization"),
            Field("ttl", "TTL (s)", "number", default="300"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Name", "is required", "name")
        function = self.value("function")
        if not function:
            raise FormError("Lambda function", "pick one (create a function first if there is none)", "function")
        kind = self.value("type") or "TOKEN"
        source = self.value("source") or None
        ttl = self.number("ttl")
        api_id = self.api_id
        self.created = name

        def call(b: Backend) -> str:
            made = _facet(b).create_rest_authorizer(api_id, name, kind, authorizer_uri=invocation_uri(b.region, function),
                                                    identity_source=source, authorizer_result_ttl_in_seconds=ttl)
            who = invoked_function(made.authorizer_uri) or function
            return f"Created {kind} authorizer {name} ({made.id}) calling {who.rsplit(':', 1)[-1]}."

        return self.guarded(call)
