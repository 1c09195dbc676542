"""HTTP API forms: add a route, an AWS_PROXY integration to a Lambda function, a stage.

Each is a ``FieldForm`` (widgets/form.py): a field API Gateway refuses (``BadRequestException``,
with the field AWS names) is named in the message line and gets the cursor; nothing typed is lost.
A form answers True when it changed something.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.ui.widgets.form import Field, FieldForm, FormError

NO_INTEGRATION = "none"


def _facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


def parse_stage_variables(text: str) -> dict[str, str]:
    """``env=prod, table=pets`` (commas or new lines) -> ``{"env": "prod", "table": "pets"}``; API
    Gateway itself says which names and values it takes."""
    found: dict[str, str] = {}
    for item in (w.strip() for w in re.split(r"[,\n]", text)):
        if not item:
            continue
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise ValueError(f"{item!r} is not NAME=value")
        found[name.strip()] = value.strip()
    return found


class CreateRouteForm(FieldForm):
    """CreateRoute: a route key, and the integration it targets (or none yet)."""

    verb = "Create"
    hint = ("A route key is a method and a path (GET /pets/{id}, ANY /{proxy+}) or $default, which gets what "
            "no other route matches. An auto-deploying stage serves it at once; others after n on Stages.")
    backend_fields = {"routekey": "key", "target": "integration"}

    def __init__(self, api_id: str, api_name: str) -> None:
        super().__init__()
        self.api_id = api_id
        self.title_text = f"Create a route of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        options = [(f"{i.integration_id}  {i.integration_type} {i.integration_uri or ''}".rstrip(),
                    f"integrations/{i.integration_id}") for i in _facet(backend).get_integrations(self.api_id)]
        options.append(("No integration (attach one later)", NO_INTEGRATION))
        return [
            Field("key", "Route key", placeholder="GET /pets/{id}  ·  ANY /{proxy+}  ·  $default"),
            Field("integration", "Integration", "select", options[0][1], options),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        key = self.value("key")
        if not key:
            raise FormError("Route key", "is required (GET /pets, ANY /{proxy+} or $default)", "key")
        chosen = self.value("integration")
        target = None if chosen in (None, NO_INTEGRATION) else chosen
        api_id = self.api_id
        self.created = key

        def call(b: Backend) -> str:
            _facet(b).create_route(api_id, key, target=target)
            return f"Created route {key}" + (f" to {target.removeprefix('integrations/')}." if target else ".")

        return self.guarded(call)


class CreateIntegrationForm(FieldForm):
    """CreateIntegration of type AWS_PROXY: a Lambda function, the payload format, the timeout."""

    verb = "Create"
    hint = ("The function gets each request as an event and its answer is the response. Payload 2.0 is the "
            "HTTP API's own format; 1.0 is REST APIs'. Timeout 50 to 30000 ms.")
    backend_fields = {"integrationuri": "function", "payloadformatversion": "payload", "timeoutinmillis": "timeout",
                      "integrationtype": "function"}

    def __init__(self, api_id: str, api_name: str) -> None:
        super().__init__()
        self.api_id = api_id
        self.title_text = f"Create a Lambda integration of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        functions = backend.lambda_.list_functions() if backend.lambda_ is not None else []
        options = [(f.function_name, f.function_arn) for f in sorted(functions, key=lambda f: f.function_name)]
        return [
            Field("function", "Lambda function", "select", options[0][1] if options else None, options),
            Field("payload", "Payload format", "select", "2.0", [("2.0", "2.0"), ("1.0", "1.0")]),
            Field("timeout", "Timeout (ms)", "number", default="30000"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        function = self.value("function")
        if not function:
            raise FormError("Lambda function", "pick one (create a function first if there is none)", "function")
        payload = self.value("payload") or "2.0"
        timeout = self.number("timeout")
        api_id = self.api_id
        name = function.rsplit(":", 1)[-1]

        def call(b: Backend) -> str:
            made = _facet(b).create_integration(api_id, "AWS_PROXY", integration_uri=function,
                                                payload_format_version=payload, timeout_in_millis=timeout)
            self.created = made.integration_id
            return f"Created integration {made.integration_id} to {name} (payload {payload})."

        return self.guarded(call)


class CreateStageForm(FieldForm):
    """CreateStage: a name, auto deploy, stage variables."""

    verb = "Create"
    hint = ("$default answers at the API's endpoint itself; another stage under /<name>. Without auto deploy "
            "the stage serves nothing until you deploy to it (n on Stages).")
    backend_fields = {"stagename": "name", "autodeploy": "auto", "stagevariables": "variables"}

    def __init__(self, api_id: str, api_name: str) -> None:
        super().__init__()
        self.api_id = api_id
        self.title_text = f"Create a stage of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        return [
            Field("name", "Stage name", placeholder="prod  (letters, digits, - and _; or $default)"),
            Field("auto", "Auto deploy", "check", default=False, text="redeploy after every change"),
            Field("variables", "Stage variables", placeholder="NAME=value, OTHER=value"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Stage name", "is required", "name")
        auto = bool(self.value("auto"))
        try:
            variables = parse_stage_variables(self.value("variables"))
        except ValueError as exc:
            raise FormError("Stage variables", str(exc), "variables") from None
        api_id = self.api_id
        self.created = name

        def call(b: Backend) -> str:
            _facet(b).create_stage(api_id, name, auto_deploy=auto, stage_variables=variables)
            return f"Created stage {name}" + (" (auto deploy)." if auto else ": press n on it to deploy.")

        return self.guarded(call)
