"""Where API Gateway's records live in the store, shared by the facet and the gateway server.

Each HTTP API (ARN ``arn:aws:apigateway:<region>::/apis/<id>``) has routes, integrations, stages
and deployments under it, keyed ``<api ARN>/<part>/<id>``. A deployment carries the API's routes
and integrations as they were when it was made (``_snapshot``): a stage serves its deployment's
snapshot, so a change reaches callers only through a deployment (an auto-deploying stage gets
one after every change).
"""

from __future__ import annotations

REST_API = "apigateway:restapi"
REST_RESOURCE = "apigateway:resource"
REST_STAGE = "apigateway:stage"
REST_DEPLOYMENT = "apigateway:deployment"
API_KEY = "apigateway:apikey"
REST_AUTHORIZER = "apigateway:authorizer"
USAGE_PLAN = "apigateway:usageplan"
HTTP_API = "apigatewayv2:api"
ROUTE = "apigatewayv2:route"
INTEGRATION = "apigatewayv2:integration"
STAGE = "apigatewayv2:stage"
DEPLOYMENT = "apigatewayv2:deployment"
AUTHORIZER = "apigatewayv2:authorizer"
GATEWAY = "apigateway:gateway"
"""One record: where the leader's gateway listens (``{"port": N}``), for every process's URLs."""
GATEWAY_KEY = "gateway"
SNAPSHOT = "_snapshot"
DEFAULT_STAGE = "$default"
PATH_PREFIX = "/_aws/execute-api/"
"""The path form of an API's address: ``/_aws/execute-api/<api id>/<stage>/<path>``."""
HOST_SUFFIX = ".execute-api.localhost"
"""The host form: ``<api id>.execute-api.localhost:<port>``."""
DEFAULT_PORT = 4567


def key(api_arn: str, part: str, item: str) -> str:
    return f"{api_arn}/{part}/{item}"


def base_url(port: int, api_id: str) -> str:
    """An API's address on the gateway, in the path form (no name to resolve)."""
    return f"http://127.0.0.1:{port}{PATH_PREFIX}{api_id}"


def stage_url(port: int, api_id: str, stage: str) -> str:
    return base_url(port, api_id) + ("" if stage == DEFAULT_STAGE else f"/{stage}")
