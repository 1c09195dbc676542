"""What API Gateway's operations take (REST APIs, and HTTP and WebSocket APIs), as its service
models say. Both versions refuse bad input with ``BadRequestException``."""

from __future__ import annotations

from computetui.backends.rules.validation import Dialect, ListOf, MapOf, Request, String, Structure

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
CREATE_API = Request(
    "CreateApi", BAD_REQUEST,
    {
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
