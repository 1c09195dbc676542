"""Amazon API Gateway: REST APIs (v1, camelCase) and HTTP/WebSocket APIs (v2, PascalCase as boto3 returns them)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from computetui.models.base import AwsModel, PascalModel


class EndpointType(StrEnum):
    REGIONAL = "REGIONAL"
    EDGE = "EDGE"
    PRIVATE = "PRIVATE"


class ProtocolType(StrEnum):
    HTTP = "HTTP"
    WEBSOCKET = "WEBSOCKET"


class EndpointConfiguration(AwsModel):
    types: list[EndpointType] = Field(default_factory=lambda: [EndpointType.REGIONAL])


class RestApi(AwsModel):
    """A REST API (API Gateway v1)."""

    id: str
    name: str
    description: str | None = None
    created_date: datetime | None = None
    version: str | None = None
    api_key_source: str = "HEADER"
    endpoint_configuration: EndpointConfiguration = Field(default_factory=EndpointConfiguration)
    tags: dict[str, str] = Field(default_factory=dict)


class RestResource(AwsModel):
    id: str
    parent_id: str | None = None
    path_part: str | None = None
    path: str
    resource_methods: dict[str, dict] = Field(default_factory=dict)


class RestStage(AwsModel):
    stage_name: str
    deployment_id: str | None = None
    description: str | None = None
    created_date: datetime | None = None
    last_updated_date: datetime | None = None


class HttpApi(PascalModel):
    """An HTTP or WebSocket API (API Gateway v2)."""

    api_id: str
    name: str
    protocol_type: ProtocolType = ProtocolType.HTTP
    api_endpoint: str | None = None
    created_date: datetime | None = None
    description: str | None = None
    route_selection_expression: str = "$request.method $request.path"
    tags: dict[str, str] = Field(default_factory=dict)


class Route(PascalModel):
    route_id: str
    route_key: str
    target: str | None = None


class HttpStage(PascalModel):
    stage_name: str
    auto_deploy: bool = False
    deployment_id: str | None = None
    created_date: datetime | None = None
    last_updated_date: datetime | None = None
