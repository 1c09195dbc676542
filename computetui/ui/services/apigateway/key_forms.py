"""API keys and usage plans in the console: the forms that create a key and a plan and add a key
to a plan, and a usage plan's page (its keys, ``c`` adding one and ctrl+d taking one out, and the
API stages it covers). The rows are plain data in :mod:`.keys`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.content import Content

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.backends.errors import ComputeError
from computetui.models import apigateway as m
from computetui.ui.screens.tabs import Facts, TabbedScreen, row_action_bindings
from computetui.ui.services.apigateway import keys
from computetui.ui.views import ResourceView, Row
from computetui.ui.widgets.form import Field, FieldForm, FormError

NO_STAGE = "none"
PERIODS = (("per day", "DAY"), ("per week", "WEEK"), ("per month", "MONTH"))


def _facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


class CreateApiKeyForm(FieldForm):
    """CreateApiKey: a name, enabled, and a value (made by API Gateway when none is given)."""

    verb = "Create"
    hint = ("Callers send the value in the x-api-key header. A key calls nothing until a usage plan holds it: "
            "enter on a plan, then c. Its value shows only in its JSON (d).")
    backend_fields = {"name": "name", "value": "value", "description": "description", "enabled": "enabled"}

    def __init__(self) -> None:
        super().__init__()
        self.title_text = "Create an API key"

    def fields(self, backend: Backend) -> list[Field]:
        return [
            Field("name", "Name", placeholder="team-web"),
            Field("description", "Description"),
            Field("enabled", "Enabled", "check", default=True, text="callers may use it"),
            Field("value", "Value", placeholder="empty: API Gateway makes one (else 20 to 128 characters)"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Name", "is required", "name")
        settings: dict[str, Any] = {"enabled": bool(self.value("enabled"))}
        if self.value("value"):
            settings["value"] = self.value("value")
        if self.value("description"):
            settings["description"] = self.value("description")
        self.created = name

        def call(b: Backend) -> str:
            made = _facet(b).create_api_key(name, **settings)
            return f"Created API key {name} ({made.id}); d on it shows its value."

        return self.guarded(call)


def stage_options(backend: Backend) -> list[tuple[str, str]]:
    """Every stage of every REST API, as ``pets-api · prod`` -> ``<api id>/<stage>``."""
    gateway = _facet(backend)
    options = []
    for api in sorted(gateway.get_rest_apis(), key=lambda a: a.name):
        for stage in sorted(gateway.get_stages(api.id), key=lambda s: s.stage_name):
            options.append((f"{api.name} · {stage.stage_name}", f"{api.id}/{stage.stage_name}"))
    return options


class CreateUsagePlanForm(FieldForm):
    """CreateUsagePlan: throttling (rate and burst), a quota, and the REST API stage it covers."""

    verb = "Create"
    hint = ("Beyond the rate (requests a second, with bursts up to Burst) a key's callers get 429 Too Many "
            "Requests; beyond the quota, 429 Limit Exceeded. Empty fields: no limit. Then add keys: enter on the plan, "
            "then c.")
    backend_fields = {"name": "name", "description": "description", "throttle.burst": "burst", "throttle": "rate",
                      "quota.period": "period", "quota": "limit", "apistages": "stage"}

    def __init__(self) -> None:
        super().__init__()
        self.title_text = "Create a usage plan"

    def fields(self, backend: Backend) -> list[Field]:
        stages = stage_options(backend)
        options = [*stages, ("None (no stage)", NO_STAGE)]
        return [
            Field("name", "Name", placeholder="basic"),
            Field("description", "Description"),
            Field("rate", "Rate (requests/s)", placeholder="10  (empty: no throttling)"),
            Field("burst", "Burst", placeholder="20"),
            Field("limit", "Quota", placeholder="1000 requests  (empty: no quota)"),
            Field("period", "Quota period", "select", "MONTH", list(PERIODS)),
            Field("stage", "API stage", "select", options[0][1], options),
        ]

    def _rate(self) -> float | None:
        text = self.value("rate")
        if not text:
            return None
        try:
            rate = float(text)
        except ValueError:
            raise FormError("Rate (requests/s)", f"must be a number (got {text!r})", "rate") from None
        if rate < 0:
            raise FormError("Rate (requests/s)", f"must be 0 or more (got {text})", "rate")
        return rate

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Name", "is required", "name")
        rate = self._rate()
        burst = self.number("burst", low=0, optional=True)
        limit = self.number("limit", low=0, optional=True)
        settings: dict[str, Any] = {}
        if rate is not None or burst is not None:
            settings["throttle"] = {k: v for k, v in (("rateLimit", rate), ("burstLimit", burst)) if v is not None}
        if limit is not None:
            settings["quota"] = {"limit": limit, "period": self.value("period") or "MONTH"}
        stage = self.value("stage")
        if stage and stage != NO_STAGE:
            api_id, _, stage_name = stage.partition("/")
            settings["api_stages"] = [{"apiId": api_id, "stage": stage_name}]
        if self.value("description"):
            settings["description"] = self.value("description")
        self.created = name

        def call(b: Backend) -> str:
            made = _facet(b).create_usage_plan(name, **settings)
            return f"Created usage plan {name} ({made.id}): enter on it, then c, to add an API key."

        return self.guarded(call)


class AddPlanKeyForm(FieldForm):
    """CreateUsagePlanKey: one of the account's API keys may now call the plan's stages."""

    verb = "Add"
    hint = "The key's callers may then call the plan's stages, within its throttling and quota."
    backend_fields = {"keyid": "key", "usageplanid": "key"}

    def __init__(self, plan_id: str, plan_name: str) -> None:
        super().__init__()
        self.plan_id = plan_id
        self.title_text = f"Add an API key to usage plan {plan_name}"

    def fields(self, backend: Backend) -> list[Field]:
        gateway = _facet(backend)
        held = {k["id"] for k in gateway.get_usage_plan_keys(self.plan_id)}
        options = [(f"{k.name}  ({k.id})", k.id) for k in sorted(gateway.get_api_keys(), key=lambda k: k.name)
                   if k.id not in held]
        return [Field("key", "API key", "select", options[0][1] if options else None, options)]

    def prepare(self) -> Callable[[Backend], str]:
        key_id = self.value("key")
        if not key_id:
            raise FormError("API key", "pick one (create one on API keys first, if every key is in the plan)", "key")
        plan_id = self.plan_id

        def call(b: Backend) -> str:
            added = _facet(b).create_usage_plan_key(plan_id, key_id)
            name = added.get("name") or key_id
            self.created = name
            return f"Added API key {name} to the usage plan."

        return self.guarded(call)


class UsagePlanScreen(TabbedScreen):
    """A usage plan's page: the API keys it holds and the API stages it covers."""

    page_id = "apigw"

    BINDINGS = [*row_action_bindings([keys.REMOVE_KEY])]

    def __init__(self, plan_id: str, name: str, view: str | None = None) -> None:
        self.plan_id = plan_id
        self.plan_name = name
        super().__init__(keys.plan_views(plan_id, name), view)

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "API Gateway", "Usage plans", self.plan_name, self.view.title]

    def empty_hint(self, view: ResourceView) -> str:
        writable = not self.console.settings.read_only
        if view.id == "keys":
            return "No API key yet: no caller may use this plan's stages where a method requires a key." + (
                "\nPress c to add one." if writable else "")
        if view.id == "stages":
            return "No API stage: the plan covers no REST API stage (it was made without one)."
        return super().empty_hint(view)

    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Usage plan[/] [b $primary]$n[/]", n=self.plan_name), id="facts")

    def fetch_header(self, backend: Backend) -> tuple[m.UsagePlan, str] | None:
        try:
            plan = keys.usage_plan(backend, self.plan_id)
            return None if plan is None else (plan, keys.stage_names(backend, plan))
        except ComputeError:
            return None

    def show_header(self, found: tuple[m.UsagePlan, str] | None) -> None:
        if found is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"Usage plan {self.plan_name} ({self.plan_id}) is gone. Press esc to go back.")
            return
        plan, stages = found
        throttle = plan.throttle or {}
        limits = (f"rate {keys.number_text(throttle.get('rateLimit'))}/s, burst {keys.number_text(throttle.get('burstLimit'))}"
                  if throttle else "no throttling")
        self.query_one("#facts", Facts).update(Content.from_markup(
            "[b]Usage plan[/] [b $primary]$n[/]  [$muted]$d[/]\n[b]Limits[/] $l · quota $q",
            n=plan.name, d=f"ID {plan.id} · stages {stages}", l=limits, q=keys.quota_text(plan.quota)))

    def open_row(self, view: ResourceView, row: Row) -> None:
        self.console.open_json(self.page_id, [*self.crumbs, row.name], view, row)
