"""API Gateway's pages: REST (v1), HTTP and WebSocket (v2) APIs in one list; API keys and usage
plans beside it, as the AWS console has them (at the API Gateway level, not per API: :mod:`.keys`)."""

from __future__ import annotations

from computetui.backends.base import Backend
from computetui.ui.format import when
from computetui.ui.services.apigateway.keys import KEYS_VIEW, PLANS_VIEW
from computetui.ui.views import Column, ResourceView, Row, ServiceSpec, Summary


# -- API Gateway -------------------------------------------------------------
def _api_arn(b: Backend, path: str) -> str:
    """An API's ARN, as describe shows it: ``arn:aws:apigateway:us-east-1::/restapis/a1b2c3``."""
    return f"arn:aws:apigateway:{b.region}::{path}"


def _apis(b: Backend) -> list[Row]:
    assert b.apigateway is not None
    rows = []
    for api in b.apigateway.get_rest_apis():
        rows.append(
            Row(
                key=_api_arn(b, f"/restapis/{api.id}"),
                name=api.name,
                cells={
                    "name": api.name,
                    "id": api.id,
                    "protocol": "REST",
                    "endpoint": ", ".join(t.value for t in api.endpoint_configuration.types).title(),
                    "created": when(api.created_date),
                    "description": api.description or "-",
                },
                detail=api.to_aws(),
                extra={"api": "rest", "id": api.id},
            )
        )
    for api in b.apigateway.get_apis():
        rows.append(
            Row(
                key=_api_arn(b, f"/apis/{api.api_id}"),
                name=api.name,
                cells={
                    "name": api.name,
                    "id": api.api_id,
                    "protocol": api.protocol_type.value,
                    "endpoint": "Regional",
                    "created": when(api.created_date),
                    "description": api.description or "-",
                },
                detail=api.to_aws(),
                extra={"api": "v2", "id": api.api_id},
            )
        )
    return rows


def _delete_api(b: Backend, row: Row) -> None:
    assert b.apigateway is not None
    if row.extra["api"] == "rest":
        b.apigateway.delete_rest_api(row.extra["id"])
    else:
        b.apigateway.delete_api(row.extra["id"])


def _apigw_summary(b: Backend) -> Summary:
    assert b.apigateway is not None
    rest = b.apigateway.get_rest_apis()
    v2 = b.apigateway.get_apis()
    http = sum(1 for a in v2 if a.protocol_type.value == "HTTP")
    return Summary(
        count=len(rest) + len(v2),
        lines=(("REST APIs", str(len(rest))), ("HTTP APIs", str(http)), ("WebSocket APIs", str(len(v2) - http))),
    )


SPEC = ServiceSpec(
    id="apigw",
    nav_label="API Gateway",
    title="API Gateway",
    facet="apigateway",
    summarize=_apigw_summary,
    aliases=("apigateway", "api"),
    views=(
        ResourceView(
            id="apis",
            title="APIs",
            noun="API",
            fetch=_apis,
            delete=_delete_api,
            opens="apigw-api",  # an HTTP or REST API's page; a WebSocket API's JSON
            columns=(
                Column("name", "Name"),
                Column("id", "ID"),
                Column("protocol", "Protocol"),
                Column("endpoint", "Endpoint type"),
                Column("created", "Created", "time"),
                Column("description", "Description"),
            ),
        ),
        KEYS_VIEW,
        PLANS_VIEW,
    ),
)
