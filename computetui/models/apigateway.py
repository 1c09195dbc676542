"""Amazon API Gateway: REST APIs (v1, camelCase) and HTTP/WebSocket APIs (v2, PascalCase as boto3 returns them)."""

from __future__ import annotations

import base64
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

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


class RestAccessLogSettings(AwsModel):
    """A REST stage's access logging (v1's camelCase ``accessLogSettings``)."""

    destination_arn: str | None = None
    """The log group's ARN."""
    format: str | None = None
    """The line, with ``$context.<name>`` variables."""


class RestStage(AwsModel):
    stage_name: str
    deployment_id: str | None = None
    description: str | None = None
    created_date: datetime | None = None
    last_updated_date: datetime | None = None
    variables: dict[str, str] = Field(default_factory=dict)
    access_log_settings: RestAccessLogSettings | None = None


class RestIntegration(AwsModel):
    """A REST API method's integration: ``AWS_PROXY`` (a Lambda function, payload 1.0),
    ``HTTP_PROXY`` (a URL) or ``MOCK`` (answered from its templates)."""

    type: str
    uri: str | None = None
    http_method: str | None = None
    """The method the integration is called with (``integrationHttpMethod`` when put)."""
    request_templates: dict[str, str] = Field(default_factory=dict)
    timeout_in_millis: int | None = None
    integration_responses: dict[str, dict[str, Any]] = Field(default_factory=dict)


class RestMethod(AwsModel):
    http_method: str
    authorization_type: str = "NONE"
    api_key_required: bool = False
    authorizer_id: str | None = None
    method_integration: RestIntegration | None = None
    method_responses: dict[str, dict[str, Any]] = Field(default_factory=dict)


class RestAuthorizer(AwsModel):
    """A REST API's Lambda authorizer: ``TOKEN`` (one header) or ``REQUEST``."""

    id: str
    name: str
    type: str
    authorizer_uri: str | None = None
    identity_source: str | None = None
    """``method.request.header.Authorization`` (several, comma-separated, for REQUEST)."""
    identity_validation_expression: str | None = None
    authorizer_result_ttl_in_seconds: int | None = None


class ApiKey(AwsModel):
    id: str
    name: str
    value: str | None = None
    """Only when asked for (``include_values``) or just made."""
    description: str | None = None
    enabled: bool = True
    created_date: datetime | None = None


class UsagePlan(AwsModel):
    """Which REST API stages a set of API keys may call, how fast and how much."""

    id: str
    name: str
    description: str | None = None
    api_stages: list[dict[str, Any]] = Field(default_factory=list)
    """``[{"apiId": ..., "stage": ...}]``."""
    throttle: dict[str, Any] | None = None
    """``{"rateLimit": per second, "burstLimit": n}``."""
    quota: dict[str, Any] | None = None
    """``{"limit": n, "period": "DAY" | "WEEK" | "MONTH", "offset": 0}``."""


class RestDeployment(AwsModel):
    id: str
    description: str | None = None
    created_date: datetime | None = None


class Cors(PascalModel):
    """An HTTP API's CORS configuration: the gateway answers preflights and adds the headers."""

    allow_origins: list[str] = Field(default_factory=list)
    allow_methods: list[str] = Field(default_factory=list)
    allow_headers: list[str] = Field(default_factory=list)
    expose_headers: list[str] = Field(default_factory=list)
    max_age: int | None = None
    allow_credentials: bool | None = None


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
    cors_configuration: Cors | None = None


class Authorizer(PascalModel):
    """An HTTP API's authorizer: a Lambda function (REQUEST) or a JWT check."""

    authorizer_id: str
    name: str
    authorizer_type: str
    """``REQUEST`` (a Lambda function) or ``JWT``."""
    authorizer_uri: str | None = None
    authorizer_payload_format_version: str | None = None
    enable_simple_responses: bool | None = None
    identity_source: list[str] = Field(default_factory=list)
    authorizer_result_ttl_in_seconds: int | None = None
    jwt_configuration: dict[str, Any] | None = None


class Route(PascalModel):
    route_id: str
    route_key: str
    target: str | None = None
    authorizer_id: str | None = None
    authorization_type: str | None = None
    authorization_scopes: list[str] | None = None
    api_key_required: bool | None = None
    api_gateway_managed: bool | None = None


class RouteSettings(PascalModel):
    """A stage's throttling (and logging) for its routes."""

    throttling_burst_limit: int | None = None
    throttling_rate_limit: float | None = None
    detailed_metrics_enabled: bool | None = None


class AccessLogSettings(PascalModel):
    destination_arn: str | None = None
    """The log group's ARN."""
    format: str | None = None
    """The line, with ``$context.<name>`` variables."""


class HttpStage(PascalModel):
    stage_name: str
    auto_deploy: bool = False
    deployment_id: str | None = None
    created_date: datetime | None = None
    last_updated_date: datetime | None = None
    stage_variables: dict[str, str] = Field(default_factory=dict)
    default_route_settings: RouteSettings | None = None
    route_settings: dict[str, RouteSettings] = Field(default_factory=dict)
    """Route key -> the settings that route has in place of the stage's default ones."""
    access_log_settings: AccessLogSettings | None = None
    api_gateway_managed: bool | None = None
    """The stage quick create made (AWS manages it)."""


class Integration(PascalModel):
    """What a route of an HTTP API invokes."""

    integration_id: str
    integration_type: str
    """``AWS_PROXY`` (a Lambda function), ``HTTP_PROXY`` (a URL)."""
    integration_uri: str | None = None
    integration_method: str | None = None
    payload_format_version: str | None = None
    """``2.0`` or ``1.0`` (Lambda proxy integrations)."""
    timeout_in_millis: int | None = None
    connection_type: str | None = None
    api_gateway_managed: bool | None = None


class ApiDeployment(PascalModel):
    """A deployment of an HTTP API: the routes and integrations a stage serves."""

    deployment_id: str
    deployment_status: str = "DEPLOYED"
    created_date: datetime | None = None
    description: str | None = None
    auto_deployed: bool | None = None


class ApiTestResult(BaseModel):
    """What the console's Test panel shows for one request sent through an API: the answer, how
    long it took, and, when a Lambda function answered, its REPORT line.

    On a REST API this is TestInvokeMethod's answer (the method as it is now, deployed or not);
    on an HTTP API, the stage's invoke URL's."""

    status: int
    headers: list[tuple[str, str]] = Field(default_factory=list)
    body: str = ""
    """The body as text (bytes that are not UTF-8: base64, with ``body_base64`` set)."""
    body_base64: bool = False
    latency_ms: float
    url: str | None = None
    """The URL that answers the same request from a shell (None: no stage serves it yet)."""
    request_id: str | None = None
    report: str | None = None
    """The function's ``REPORT RequestId: ...`` line; None when no function answered or the
    backend cannot tell (AWS: it is in the function's log group)."""
    cold_start: bool | None = None
    """Whether that invocation started an execution environment (an ``Init Duration``)."""
    log: str | None = None
    """TestInvokeMethod's execution log (REST APIs)."""

    @staticmethod
    def text_of(body: bytes) -> tuple[str, bool]:
        """A response body as ``body`` and ``body_base64`` hold it."""
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            return base64.b64encode(body).decode(), True
