"""A Lightsail container service's record, shared by the facet (which takes the user's changes)
and the leader's runner (which carries them out on the engine).

The record is AWS's ``ContainerService`` JSON plus ``_run``, the emulator's own part:

- ``port`` — where the public endpoint listens on 127.0.0.1 (chosen at creation, kept);
- ``deployments`` — every deployment, newest first, as AWS lists them;
- ``rollout`` — the node set being brought up (``version``, ``generation``, ``deadline``,
  ``started``), absent when none is;
- ``nodes`` — the nodes on the engine: ``generation``, ``version``, ``index``, ``containers``
  (container name -> id), ``retireAt`` once it is out of service and drains.

A *generation* is one set of ``scale`` nodes running one deployment at one power; a new
deployment, a changed power or scale, and enabling a disabled service each bring up a new
generation and retire the old one once the new one is healthy.
"""

from __future__ import annotations

from typing import Any

SERVICE = "lightsail:container-service"
"""The store's kind of a container service record."""
NODE_KIND = "container-service"
"""The label kind of a node's containers on the engine."""
RUN = "_run"

# What the state detail says while the service is in each phase (botocore's codes).
CREATING = "CREATING_SYSTEM_RESOURCES"
CREATING_DEPLOYMENT = "CREATING_DEPLOYMENT"
EVALUATING = "EVALUATING_HEALTH_CHECK"
ACTIVATING = "ACTIVATING_DEPLOYMENT"
DETAILS = {
    CREATING: "The system resources for your container service are being created.",
    CREATING_DEPLOYMENT: "Your deployment is being created on your container service.",
    EVALUATING: "The health of your deployment is being evaluated.",
    ACTIVATING: "Your deployment is being activated.",
}


def set_state(body: dict[str, Any], state: str, detail: str | None = None) -> dict[str, Any]:
    """Put the service in ``state``; the state detail is kept only in the states AWS gives one."""
    body["state"] = state
    if detail and state in ("PENDING", "DEPLOYING", "UPDATING"):
        body["stateDetail"] = {"code": detail, "message": DETAILS.get(detail, "")}
    else:
        body.pop("stateDetail", None)
    return body


def state_of(body: dict[str, Any]) -> str:
    return str(body["state"])


def deployment(body: dict[str, Any], version: int) -> dict[str, Any] | None:
    return next((d for d in body[RUN]["deployments"] if d["version"] == version), None)


def public(body: dict[str, Any]) -> dict[str, Any]:
    """The record as AWS shows it: without the emulator's part."""
    return {k: v for k, v in body.items() if k != RUN}


def log_group(service_name: str) -> str:
    """Where the emulator keeps a service's container logs (Lightsail keeps them itself, out of
    CloudWatch Logs; here they sit in the emulator's log store under this group)."""
    return f"/computetui/lightsail/{service_name}"


DEPLOYMENT_STREAM = "deployment"
"""The stream of the service's own lines about its deployments, merged into every container's log."""


def node_stream(container: str, version: int, generation: int, index: int) -> str:
    return f"{container}/deployment-{version}/node-{generation}-{index}"
