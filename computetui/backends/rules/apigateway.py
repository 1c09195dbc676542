"""What API Gateway's operations take (REST APIs, and HTTP and WebSocket APIs), as its service
models say. Both versions refuse bad input with ``BadRequestException``."""

from __future__ import annotations

from computetui.backends.rules.validation import (
    Boolean,
    Dialect,
    Integer,
    ListOf,
    MapOf,
    Number,
    Request,
    String,
    Structure,
)

BAD_REQUEST = Dialect("BadRequestException")

TAGS = MapOf(String(min=1, max=128), String(max=256), max=50)

CREATE_REST_API = Request(
    "CreateRestApi", BAD_REQUEST,
    {
        "name": String(),
        "description": String(),
        "endpoint_configuration": Structure({"types": ListOf(String(enum=("REGIONAL", "EDGE", "PRIVATE")))}),
        "tags": TAGS,
    },
    required=("name",),
)
REST_API = Request("RestApi", BAD_REQUEST, {"rest_api_id": String(min=1)}, required=("rest_api_id",))
CORS = Structure({
    "AllowOrigins": ListOf(String(min=1)), "AllowMethods": ListOf(String(min=1)),
    "AllowHeaders": ListOf(String(min=1)), "ExposeHeaders": ListOf(String(min=1)),
    "MaxAge": Integer(min=-1, max=86400), "AllowCredentials": Boolean(),
})
CREATE_API = Request(
    "CreateApi", BAD_REQUEST,
    {
        "cors_configuration": CORS,
        "name": String(),
        "protocol_type": String(),
        "target": String(),
        "description": String(max=1024),
        "route_selection_expression": String(),
        "tags": TAGS,
    },
    required=("name",),
)
API = Request("Api", BAD_REQUEST, {"api_id": String(min=1)}, required=("api_id",))
UPDATE_API = Request("UpdateApi", BAD_REQUEST,
                     {"api_id": String(min=1), "name": String(min=1), "description": String(max=1024),
                      "cors_configuration": CORS},
                     required=("api_id",))

# -- HTTP APIs (v2): routes, integrations, stages, deployments ------------------------------------
_API = {"api_id": String(min=1)}
CREATE_ROUTE = Request(
    "CreateRoute", BAD_REQUEST,
    {**_API, "route_key": String(min=1), "target": String(min=1), "authorizer_id": String(min=1),
     "authorization_scopes": ListOf(String(min=1)),
     "authorization_type": String(enum=("NONE", "AWS_IAM", "CUSTOM", "JWT")), "api_key_required": Boolean(),
     "operation_name": String()},
    required=("api_id", "route_key"),
)
UPDATE_ROUTE = Request(
    "UpdateRoute", BAD_REQUEST,
    {**_API, "route_id": String(min=1), "route_key": String(min=1), "target": String(min=1),
     "authorizer_id": String(min=1), "authorization_scopes": ListOf(String(min=1)),
     "authorization_type": String(enum=("NONE", "AWS_IAM", "CUSTOM", "JWT")), "api_key_required": Boolean(),
     "operation_name": String()},
    required=("api_id", "route_id"),
)
DELETE_ROUTE = Request("DeleteRoute", BAD_REQUEST, {**_API, "route_id": String(min=1)}, required=("api_id", "route_id"))
CREATE_INTEGRATION = Request(
    "CreateIntegration", BAD_REQUEST,
    {**_API, "integration_type": String(enum=("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK")),
     "integration_uri": String(min=1), "integration_method": String(min=1),
     "payload_format_version": String(enum=("1.0", "2.0")), "timeout_in_millis": Integer(min=50, max=30000),
     "connection_type": String(enum=("INTERNET", "VPC_LINK")), "description": String(max=1024)},
    required=("api_id", "integration_type"),
)
DELETE_INTEGRATION = Request("DeleteIntegration", BAD_REQUEST, {**_API, "integration_id": String(min=1)},
                             required=("api_id", "integration_id"))
ACCESS_LOGS = Structure({
    "DestinationArn": String(min=1, pattern=r"^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:[^:]+(:\*)?$"),
    "Format": String(min=1, max=4096)})
ROUTE_SETTINGS = Structure({"ThrottlingBurstLimit": Integer(min=0), "ThrottlingRateLimit": Number(),
                            "DetailedMetricsEnabled": Boolean()})
CREATE_STAGE = Request(
    "CreateStage", BAD_REQUEST,
    {**_API, "stage_name": String(min=1, max=128, pattern=r"^(\$default|[A-Za-z0-9_-]+)$"), "auto_deploy": Boolean(),
     "deployment_id": String(min=1), "description": String(max=1024),
     "stage_variables": MapOf(String(min=1, max=64, pattern=r"^[A-Za-z0-9_]+$"), String(max=2048)),
     "default_route_settings": ROUTE_SETTINGS, "tags": TAGS, "access_log_settings": ACCESS_LOGS},
    required=("api_id", "stage_name"),
)
UPDATE_STAGE = Request(
    "UpdateStage", BAD_REQUEST,
    {**_API, "stage_name": String(min=1), "auto_deploy": Boolean(), "deployment_id": String(min=1),
     "description": String(max=1024), "stage_variables": MapOf(String(min=1, max=64, pattern=r"^[A-Za-z0-9_]+$"),
                                                               String(max=2048)),
     "default_route_settings": ROUTE_SETTINGS, "route_settings": MapOf(String(min=1), ROUTE_SETTINGS),
     "access_log_settings": ACCESS_LOGS},
    required=("api_id", "stage_name"),
)
DELETE_STAGE = Request("DeleteStage", BAD_REQUEST, {**_API, "stage_name": String(min=1)},
                       required=("api_id", "stage_name"))
CREATE_DEPLOYMENT = Request("CreateDeployment", BAD_REQUEST,
                            {**_API, "stage_name": String(min=1), "description": String(max=1024)},
                            required=("api_id",))
CREATE_AUTHORIZER = Request(
    "CreateAuthorizer", BAD_REQUEST,
    {**_API, "name": String(min=1, max=128), "authorizer_type": String(enum=("REQUEST", "JWT")),
     "identity_source": ListOf(String(min=1)), "authorizer_uri": String(min=1, max=2048),
     "authorizer_payload_format_version": String(enum=("1.0", "2.0")), "enable_simple_responses": Boolean(),
     "authorizer_result_ttl_in_seconds": Integer(min=0, max=3600),
     "jwt_configuration": Structure({"Audience": ListOf(String(min=1)), "Issuer": String(min=1)})},
    required=("api_id", "name", "authorizer_type", "identity_source"),
)
DELETE_AUTHORIZER = Request("DeleteAuthorizer", BAD_REQUEST, {**_API, "authorizer_id": String(min=1)},
                            required=("api_id", "authorizer_id"))

# -- REST APIs (v1): resources, methods, integrations, deployments ---------------------------------
_REST = {"rest_api_id": String(min=1)}
_METHOD = {**_REST, "resource_id": String(min=1), "http_method": String(min=1)}
CREATE_RESOURCE = Request("CreateResource", BAD_REQUEST,
                          {**_REST, "parent_id": String(min=1), "path_part": String(min=1, max=255)},
                          required=("rest_api_id", "parent_id", "path_part"))
REST_RESOURCE = Request("DeleteResource", BAD_REQUEST, {**_REST, "resource_id": String(min=1)},
                        required=("rest_api_id", "resource_id"))
PUT_METHOD = Request(
    "PutMethod", BAD_REQUEST,
    {**_METHOD, "authorization_type": String(enum=("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")),
     "api_key_required": Boolean(), "authorizer_id": String(min=1)},
    required=("rest_api_id", "resource_id", "http_method"),
)
DELETE_METHOD = Request("DeleteMethod", BAD_REQUEST, _METHOD, required=("rest_api_id", "resource_id", "http_method"))
PUT_INTEGRATION = Request(
    "PutIntegration", BAD_REQUEST,
    {**_METHOD, "type": String(enum=("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY")), "uri": String(min=1),
     "integration_http_method": String(min=1), "request_templates": MapOf(String(min=1), String()),
     "timeout_in_millis": Integer(min=50, max=29000)},
    required=("rest_api_id", "resource_id", "http_method", "type"),
)
STATUS_CODE = String(pattern=r"^[1-5]\d\d$")
PUT_METHOD_RESPONSE = Request(
    "PutMethodResponse", BAD_REQUEST,
    {**_METHOD, "status_code": STATUS_CODE, "response_parameters": MapOf(String(min=1), Boolean()),
     "response_models": MapOf(String(min=1), String())},
    required=("rest_api_id", "resource_id", "http_method", "status_code"),
)
PUT_INTEGRATION_RESPONSE = Request(
    "PutIntegrationResponse", BAD_REQUEST,
    {**_METHOD, "status_code": STATUS_CODE, "selection_pattern": String(),
     "response_templates": MapOf(String(min=1), String()), "response_parameters": MapOf(String(min=1), String())},
    required=("rest_api_id", "resource_id", "http_method", "status_code"),
)
CREATE_REST_DEPLOYMENT = Request(
    "CreateDeployment", BAD_REQUEST,
    {**_REST, "stage_name": String(min=1, max=128, pattern=r"^[A-Za-z0-9_-]+$"), "description": String(),
     "stage_description": String(),
     "variables": MapOf(String(min=1, max=64, pattern=r"^[A-Za-z0-9_]+$"), String(max=512))},
    required=("rest_api_id",),
)
PATCH_OPERATIONS = ListOf(Structure(
    {"op": String(enum=("add", "remove", "replace", "move", "copy", "test")), "path": String(min=1),
     "value": String(), "from": String()},
    required=("op", "path")))
UPDATE_REST_STAGE = Request(
    "UpdateStage", BAD_REQUEST,
    {**_REST, "stage_name": String(min=1), "patch_operations": PATCH_OPERATIONS},
    required=("rest_api_id", "stage_name", "patch_operations"),
)

# -- API keys and usage plans -----------------------------------------------------------------------
CREATE_API_KEY = Request("CreateApiKey", BAD_REQUEST,
                         {"name": String(min=1, max=1024), "enabled": Boolean(), "value": String(min=20, max=128),
                          "description": String()},
                         required=("name",))
API_KEY = Request("DeleteApiKey", BAD_REQUEST, {"api_key": String(min=1)}, required=("api_key",))
CREATE_USAGE_PLAN = Request(
    "CreateUsagePlan", BAD_REQUEST,
    {"name": String(min=1), "description": String(),
     "api_stages": ListOf(Structure({"apiId": String(min=1), "stage": String(min=1)}, required=("apiId", "stage"))),
     "throttle": Structure({"rateLimit": Number(min=0), "burstLimit": Integer(min=0)}),
     "quota": Structure({"limit": Integer(min=0), "period": String(enum=("DAY", "WEEK", "MONTH")),
                         "offset": Integer(min=0)}, required=("limit", "period"))},
    required=("name",),
)
USAGE_PLAN = Request("DeleteUsagePlan", BAD_REQUEST, {"usage_plan_id": String(min=1)}, required=("usage_plan_id",))
CREATE_USAGE_PLAN_KEY = Request("CreateUsagePlanKey", BAD_REQUEST,
                                {"usage_plan_id": String(min=1), "key_id": String(min=1),
                                 "key_type": String(enum=("API_KEY",))},
                                required=("usage_plan_id", "key_id"))
USAGE_PLAN_KEYS = Request("GetUsagePlanKeys", BAD_REQUEST, {"usage_plan_id": String(min=1)},
                          required=("usage_plan_id",))
DELETE_USAGE_PLAN_KEY = Request("DeleteUsagePlanKey", BAD_REQUEST,
                                {"usage_plan_id": String(min=1), "key_id": String(min=1)},
                                required=("usage_plan_id", "key_id"))
CREATE_REST_AUTHORIZER = Request(
    "CreateAuthorizer", BAD_REQUEST,
    {**_REST, "name": String(min=1), "type": String(enum=("TOKEN", "REQUEST", "COGNITO_USER_POOLS")),
     "authorizer_uri": String(min=1), "identity_source": String(min=1), "identity_validation_expression": String(),
     "authorizer_result_ttl_in_seconds": Integer(min=0, max=3600)},
    required=("rest_api_id", "name", "type"),
)
REST_AUTHORIZER = Request("DeleteAuthorizer", BAD_REQUEST, {**_REST, "authorizer_id": String(min=1)},
                          required=("rest_api_id", "authorizer_id"))
TEST_INVOKE = Request(
    "TestInvokeMethod", BAD_REQUEST,
    {**_API, "method": String(min=1), "path": String(min=1), "stage_name": String(min=1),
     "resource_id": String(min=1), "query": String(), "headers": MapOf(String(min=1), String()),
     "body": String(max=10 * 1024 * 1024)},
    required=("api_id", "method", "path"),
)
