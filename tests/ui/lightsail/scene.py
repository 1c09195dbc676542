"""The Lightsail scene the UI tests share: the demo workload plus instances and container services
made through the contract."""

from __future__ import annotations

from typing import Any

from computetui.app import ComputeApp
from computetui.backends.local import LocalBackend
from computetui.backends.local.lightsail.service_records import (
    DEPLOYMENT_STREAM,
    RUN,
    SERVICE,
    log_group,
    node_stream,
    set_state,
    state_of,
)
from tests.ui.helpers import make_app


def lightsail_app(*names: str, read_only: bool = False, script: str = "echo hello") -> ComputeApp:
    """The console on the seeded backend with an nginx instance per name (made before read-only is on)."""
    app = make_app()
    backend = app.backend
    assert backend is not None and backend.lightsail is not None
    if names:
        backend.lightsail.create_instances(list(names), "us-east-1a", "nginx", "nano_3_0", user_data=script)
    if read_only:
        set_read_only(app)
    return app


def set_read_only(app: ComputeApp) -> None:
    """Read-only mode from here on, as ``--read-only`` starts the console (the scene made before it)."""
    assert app.backend is not None
    app.backend.read_only = True
    app.settings = type(app.settings)(**{**app.settings.__dict__, "read_only": True})


def local(app: ComputeApp) -> LocalBackend:
    backend = app.backend
    assert isinstance(backend, LocalBackend) and backend.lightsail is not None
    return backend


WEB_CONTAINER: dict[str, Any] = {"image": "nginx:latest", "environment": {"MODE": "prod"}, "ports": {"80": "HTTP"}}
WEB_ENDPOINT: dict[str, Any] = {"containerName": "web", "containerPort": 80, "healthCheck": {"path": "/healthz"}}


def running_service(backend: LocalBackend, name: str, power: str = "micro", scale: int = 2) -> str:
    """A container service RUNNING deployment v1 (container ``web``, nginx on port 80, the public
    endpoint with health check ``/healthz``); returns its ARN.

    The UI tests' backend runs no leader, so a service made through the contract stays PENDING and
    its deployment ACTIVATING. This stands in for the leader's ServiceNodes tick once the nodes
    pass their health checks (``_activate``): it settles the record as the leader would — the
    service RUNNING without a state detail, v1 ACTIVE and current, no next deployment, no rollout
    wanted. No node runs on the engine."""
    lightsail = backend.lightsail
    assert lightsail is not None
    arn = lightsail.create_container_service(name, power, scale).arn
    lightsail.create_container_service_deployment(name, {"web": WEB_CONTAINER}, public_endpoint=WEB_ENDPOINT)

    def settled(body: dict[str, Any]) -> dict[str, Any]:
        run = body[RUN]
        for d in run["deployments"]:
            if d["version"] == 1:
                d["state"] = "ACTIVE"
        body["currentDeployment"] = next(d for d in run["deployments"] if d["version"] == 1)
        body.pop("nextDeployment", None)
        run.pop("rollout")
        return set_state(body, "RUNNING")

    assert backend.store.update(SERVICE, arn, settled, state=state_of) is not None
    return arn


def log_lines(backend: LocalBackend, service: str, lines: list[tuple[int, str, str]]) -> None:
    """Lines in the service's log as the leader writes them: ``(ms, stream, message)`` where the
    stream is ``deployment`` (the service's own ``[deployment:N]`` lines) or a container's name
    (its output on node 1-0 of deployment 1)."""
    group = log_group(service)
    for ms, stream, message in lines:
        name = DEPLOYMENT_STREAM if stream == DEPLOYMENT_STREAM else node_stream(stream, 1, 1, 0)
        backend.logs.ensure_log_stream(group, name)
        backend.logs.append_events(group, name, [{"timestamp": ms, "message": message}])
