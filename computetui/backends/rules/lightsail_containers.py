"""What Lightsail's container-service operations take (botocore's lightsail 2016-11-28 model),
and the rules the service applies beyond the model's shapes. Bad input is an
``InvalidInputException`` naming the member."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from computetui.backends.rules.lightsail import INVALID_INPUT, TAGS
from computetui.backends.rules.validation import (
    Boolean,
    Dialect,
    Integer,
    ListOf,
    MapOf,
    Request,
    String,
    Structure,
    Timestamp,
    member,
)

# A container service's and a container's name: lowercase letters, digits and hyphens, not
# starting or ending with a hyphen (the model's pattern, as the model writes it).
NAME_PATTERN = r"^[a-z0-9]{1,2}|[a-z0-9][a-z0-9-]+[a-z0-9]$"
SERVICE_NAME = String(min=1, max=63, pattern=NAME_PATTERN)
CONTAINER_NAME = String(min=1, max=53, pattern=NAME_PATTERN)
POWERS = ("nano", "micro", "small", "medium", "large", "xlarge")
POWER = String(enum=POWERS)
SCALE = Integer(min=1, max=20)
PROTOCOLS = ("HTTP", "HTTPS", "TCP", "UDP")

CONTAINER = Structure({
    "image": String(min=1),
    "command": ListOf(String()),
    "environment": MapOf(String(min=1), String()),
    "ports": MapOf(String(min=1), String(enum=PROTOCOLS)),
}, required=("image",))


def _port_numbers(value: Mapping[str, Any], path: str, dialect: Dialect) -> None:
    for port in (member(value, "ports") or {}):
        if not str(port).isdigit() or not 1 <= int(port) <= 65535:
            raise dialect.error(f"{path}.ports", port, "A port must be a number from 1 to 65535")


CONTAINER = Structure(CONTAINER.members, required=CONTAINER.required, rules=(_port_numbers,))

# The ranges Lightsail documents for the health check (the model leaves them to the service).
HEALTH_CHECK = Structure({
    "healthyThreshold": Integer(min=2, max=10),
    "unhealthyThreshold": Integer(min=2, max=10),
    "timeoutSeconds": Integer(min=2, max=60),
    "intervalSeconds": Integer(min=5, max=300),
    "path": String(min=1, pattern=r"^/.*"),
    "successCodes": String(min=1, pattern=r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$"),
})
ENDPOINT = Structure({
    "containerName": String(min=1),
    "containerPort": Integer(min=1, max=65535),
    "healthCheck": HEALTH_CHECK,
}, required=("containerName", "containerPort"))
CONTAINERS = MapOf(CONTAINER_NAME, CONTAINER)


def endpoint_in_deployment(containers: Mapping[str, Any] | None, endpoint: Any, path: str = "publicEndpoint") -> None:
    """The public endpoint names a container of the deployment and one of its ports."""
    if endpoint is None:
        return
    endpoint = endpoint if isinstance(endpoint, Mapping) else endpoint.to_aws()
    name, port = member(endpoint, "containerName"), member(endpoint, "containerPort")
    container = (containers or {}).get(name)
    if container is None:
        raise INVALID_INPUT.error(f"{path}.containerName", name,
                                  "The public endpoint's container must be one of the deployment's containers")
    ports = member(container if isinstance(container, Mapping) else container.to_aws(), "ports") or {}
    if str(port) not in {str(p) for p in ports}:
        raise INVALID_INPUT.error(f"{path}.containerPort", port,
                                  f"The public endpoint's port must be one of container {name}'s ports")
    if ports[next(p for p in ports if str(p) == str(port))] not in ("HTTP", "HTTPS"):
        raise INVALID_INPUT.error(f"{path}.containerPort", port, "The public endpoint's port must be HTTP or HTTPS")
    codes = member(member(endpoint, "healthCheck") or {}, "successCodes")
    for part in (codes or "").split(","):
        low, _, high = part.partition("-")
        if codes and not 200 <= int(low) <= int(high or low) <= 499:
            raise INVALID_INPUT.error(f"{path}.healthCheck.successCodes", codes,
                                      "Success codes must be within 200-499")


def _deployment_rules(value: Mapping[str, Any], path: str, dialect: Dialect) -> None:
    endpoint_in_deployment(member(value, "containers"), member(value, "publicEndpoint"), f"{path}.publicEndpoint")


DEPLOYMENT = Structure({"containers": CONTAINERS, "publicEndpoint": ENDPOINT}, rules=(_deployment_rules,))
PUBLIC_DOMAINS = MapOf(String(min=1), ListOf(String(min=1)))


def _create_deployment_rules(arguments: Mapping[str, Any]) -> None:
    if not arguments.get("containers"):
        raise INVALID_INPUT.null("containers")
    endpoint_in_deployment(arguments.get("containers"), arguments.get("public_endpoint"))


GET_SERVICES = Request("GetContainerServices", INVALID_INPUT, {"service_name": SERVICE_NAME})
CREATE_SERVICE = Request(
    "CreateContainerService", INVALID_INPUT,
    {"service_name": SERVICE_NAME, "power": POWER, "scale": SCALE, "tags": TAGS,
     "public_domain_names": PUBLIC_DOMAINS, "deployment": DEPLOYMENT},
    required=("service_name", "power", "scale"),
)
UPDATE_SERVICE = Request(
    "UpdateContainerService", INVALID_INPUT,
    {"service_name": SERVICE_NAME, "power": POWER, "scale": SCALE, "is_disabled": Boolean(),
     "public_domain_names": PUBLIC_DOMAINS},
    required=("service_name",),
)
DELETE_SERVICE = Request("DeleteContainerService", INVALID_INPUT, {"service_name": SERVICE_NAME},
                         required=("service_name",))
CREATE_DEPLOYMENT = Request(
    "CreateContainerServiceDeployment", INVALID_INPUT,
    {"service_name": SERVICE_NAME, "containers": CONTAINERS, "public_endpoint": ENDPOINT},
    required=("service_name",), checks=(_create_deployment_rules,),
)
GET_DEPLOYMENTS = Request("GetContainerServiceDeployments", INVALID_INPUT, {"service_name": SERVICE_NAME},
                          required=("service_name",))
GET_LOG = Request(
    "GetContainerLog", INVALID_INPUT,
    {"service_name": SERVICE_NAME, "container_name": String(min=1), "start_time": Timestamp(),
     "end_time": Timestamp(), "filter_pattern": String()},
    required=("service_name", "container_name"),
)
