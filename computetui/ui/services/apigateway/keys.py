"""API keys and usage plans, as the AWS console has them: at the API Gateway level, not per API
(a usage plan covers stages of any REST APIs). Plain data (no Textual): the API Gateway page's
API keys and Usage plans views, and a usage plan's own tabs (its keys, its stages).

A key's value is never in its row's cells (the table and its filter do not show it): only its
AWS JSON, which ``d`` shows, carries it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.backends.errors import ComputeError
from computetui.ui.format import when
from computetui.ui.views import Column, ResourceView, Row, RowAction

if TYPE_CHECKING:  # the first frame is painted without pydantic: the API Gateway page's views are imported for it
    from computetui.models import apigateway as m

KEY_COLUMNS = (
    Column("name", "Name"),
    Column("id", "ID"),
    Column("enabled", "Enabled"),
    Column("created", "Created", "time"),
    Column("description", "Description"),
)
PLAN_COLUMNS = (
    Column("name", "Name"),
    Column("id", "ID"),
    Column("rate", "Rate (req/s)", "number"),
    Column("burst", "Burst", "number"),
    Column("quota", "Quota"),
    Column("keys", "Keys", "number"),
    Column("stages", "API stages"),  # last: a plan may cover many
)
PLAN_KEY_COLUMNS = (
    Column("name", "Name"),
    Column("id", "ID"),
    Column("type", "Type"),
    Column("enabled", "Enabled"),
)
PLAN_STAGE_COLUMNS = (
    Column("api", "API"),
    Column("api_id", "API ID"),
    Column("stage", "Stage"),
    Column("url", "Invoke URL"),
)


def facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


def _arn(b: Backend, path: str) -> str:
    return f"arn:aws:apigateway:{b.region}::{path}"


def number_text(value: Any) -> str:
    """``10.0`` -> ``10``; ``0.5`` stays; none -> ``-``."""
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def quota_text(quota: dict[str, Any] | None) -> str:
    if not quota or quota.get("limit") is None:
        return "-"
    return f"{quota['limit']:,} per {str(quota.get('period') or '?').lower()}"


def stage_names(b: Backend, plan: m.UsagePlan, names: dict[str, str] | None = None) -> str:
    """``pets-api prod, shop dev``: each stage with its API's name."""
    if names is None:
        names = {a.id: a.name for a in facet(b).get_rest_apis()}
    return ", ".join(f"{names.get(s.get('apiId', ''), s.get('apiId'))} {s.get('stage')}" for s in plan.api_stages) or "-"


# -- API keys -----------------------------------------------------------------------------------
def key_rows(b: Backend) -> list[Row]:
    rows = []
    for k in facet(b).get_api_keys(include_values=True):
        rows.append(Row(
            key=_arn(b, f"/apikeys/{k.id}"), name=k.name,
            cells={"name": k.name, "id": k.id, "enabled": "yes" if k.enabled else "no",
                   "created": when(k.created_date), "description": k.description or "-"},
            detail=k.to_aws(), extra={"id": k.id}))
    return rows


def _delete_key(b: Backend, row: Row) -> None:
    facet(b).delete_api_key(row.extra["id"])


# -- usage plans ----------------------------------------------------------------------------------
def plan_rows(b: Backend) -> list[Row]:
    gateway = facet(b)
    plans = gateway.get_usage_plans()
    names = {a.id: a.name for a in gateway.get_rest_apis()} if plans else {}
    rows = []
    for plan in plans:
        try:
            keys: int | str = len(gateway.get_usage_plan_keys(plan.id))
        except ComputeError:
            keys = "-"
        throttle = plan.throttle or {}
        rows.append(Row(
            key=_arn(b, f"/usageplans/{plan.id}"), name=plan.name,
            cells={"name": plan.name, "id": plan.id, "rate": number_text(throttle.get("rateLimit")),
                   "burst": number_text(throttle.get("burstLimit")), "quota": quota_text(plan.quota), "keys": keys,
                   "stages": stage_names(b, plan, names)},
            detail=plan.to_aws(), extra={"id": plan.id}))
    return rows


def _delete_plan(b: Backend, row: Row) -> None:
    facet(b).delete_usage_plan(row.extra["id"])


def usage_plan(b: Backend, plan_id: str) -> m.UsagePlan | None:
    return next((p for p in facet(b).get_usage_plans() if p.id == plan_id), None)


def plan_key_rows(b: Backend, plan_id: str) -> list[Row]:
    gateway = facet(b)
    enabled = {k.id: k.enabled for k in gateway.get_api_keys()}
    return [
        Row(key=f"plan-key:{k['id']}", name=k.get("name") or k["id"],
            cells={"name": k.get("name") or "-", "id": k["id"], "type": k.get("type") or "API_KEY",
                   "enabled": "-" if k["id"] not in enabled else "yes" if enabled[k["id"]] else "no"},
            detail={key: value for key, value in k.items() if key != "value"},
            extra={"plan": plan_id, "id": k["id"]})
        for k in gateway.get_usage_plan_keys(plan_id)
    ]


def _remove_plan_key(b: Backend, row: Row) -> str:
    facet(b).delete_usage_plan_key(row.extra["plan"], row.extra["id"])
    return f"Removed API key {row.name} from the plan: the key itself stays."


REMOVE_KEY = RowAction(
    id="apigw-remove-plan-key", key="ctrl+d", label="Remove", what=lambda row: f"remove API key {row.name} from the plan",
    run=_remove_plan_key, tooltip="Take the key out of this usage plan (asks first)",
    confirm=lambda row: ("The key stays, and keeps any other plan's stages; this plan's stages answer it 403 Forbidden "
                         "where a method requires an API key."),
)


def plan_stage_rows(b: Backend, plan_id: str) -> list[Row]:
    gateway = facet(b)
    plan = usage_plan(b, plan_id)
    if plan is None:
        return []
    names = {a.id: a.name for a in gateway.get_rest_apis()}
    rows = []
    for s in plan.api_stages:
        api_id, stage = str(s.get("apiId")), str(s.get("stage"))
        try:
            url = gateway.rest_invoke_url(api_id, stage)
        except ComputeError:
            url = "-"
        rows.append(Row(key=f"plan-stage:{api_id}:{stage}", name=f"{names.get(api_id, api_id)} {stage}",
                        cells={"api": names.get(api_id, "-"), "api_id": api_id, "stage": stage, "url": url},
                        detail=dict(s), extra={"plan": plan_id}))
    return rows


KEYS_VIEW = ResourceView(
    id="apikeys",
    title="API keys",
    noun="API key",
    columns=KEY_COLUMNS,
    fetch=key_rows,
    delete=_delete_key,
    creates="apigw-api-key",
    delete_warning="Callers that send it get 403 Forbidden, and it leaves every usage plan. This cannot be undone.",
)
PLANS_VIEW = ResourceView(
    id="usageplans",
    title="Usage plans",
    noun="usage plan",
    columns=PLAN_COLUMNS,
    fetch=plan_rows,
    delete=_delete_plan,
    creates="apigw-usage-plan",
    opens="apigw-usage-plan",  # its keys (c adds one) and its stages
    delete_warning="Its keys can no longer call its stages' methods that require an API key. This cannot be undone.",
)


def plan_views(plan_id: str, plan_name: str) -> list[ResourceView]:
    """A usage plan's tabs: the keys that may call its stages (``c`` adds one), and the stages."""
    context = {"plan": plan_id, "name": plan_name}
    return [
        ResourceView("keys", "API keys", "API key", PLAN_KEY_COLUMNS, lambda b: plan_key_rows(b, plan_id),
                     creates="apigw-usage-plan-key", context=context, actions=(REMOVE_KEY,),
                     read_only_reason="ctrl+d takes a key out of the plan; the key itself is deleted on API keys"),
        ResourceView("stages", "API stages", "API stage", PLAN_STAGE_COLUMNS, lambda b: plan_stage_rows(b, plan_id),
                     context=context, read_only_reason="a usage plan's stages are set when it is created"),
    ]
