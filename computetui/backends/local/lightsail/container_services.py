"""Lightsail container services in the local emulator, mixed into ``LocalLightsail``: the records.

Every operation here only changes the service's record (its state, its deployments, the
rollout it wants); the leader's :class:`~computetui.backends.local.lightsail.service_nodes.ServiceNodes`
carries the change out on the engine at its next tick, so a change made by any console on the
state dir is seen through by the one process that holds the load balancers.

States as AWS has them: a new service is PENDING, then READY (no deployment) or DEPLOYING; a
deployment makes it DEPLOYING until the new nodes pass their health checks (RUNNING) or fail
(back to RUNNING on the previous deployment, or READY without one); a changed power or scale
is UPDATING; a disabled service is DISABLED, its nodes gone; a deleted one DELETING, then gone.
"""

from __future__ import annotations

from typing import Any

from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from computetui.backends.local.lightsail.instances import free_port
from computetui.backends.local.lightsail.parts import FacetParts
from computetui.backends.local.lightsail.service_nodes import ServiceNodes
from computetui.backends.local.lightsail.service_records import (
    CREATING,
    CREATING_DEPLOYMENT,
    DEPLOYMENT_STREAM,
    RUN,
    SERVICE,
    log_group,
    public,
    set_state,
    state_of,
)
from computetui.backends.rules import lightsail_containers as rules
from computetui.backends.rules.validation import validated
from computetui.models import lightsail as m
from computetui.pricing import LIGHTSAIL_POWERS, lightsail_power

INVALID = "InvalidInputException"
DEPLOYMENTS_KEPT = 50
"""How many deployments a service keeps in its list (the oldest inactive ones go first)."""
HEALTH_DEFAULTS = m.ContainerServiceHealthCheckConfig().to_aws()
BUSY_STATES = ("DEPLOYING", "UPDATING", "DELETING")


def _deployment(version: int, containers: dict[str, Any], endpoint: dict[str, Any] | None,
                created_at: str) -> dict[str, Any]:
    """A deployment as AWS lists it, ACTIVATING; the endpoint's health check with AWS's defaults
    filled in."""
    made: dict[str, Any] = {
        "version": version, "state": "ACTIVATING", "createdAt": created_at,
        "containers": {name: m.Container.model_validate(spec).to_aws() for name, spec in containers.items()},
    }
    if endpoint:
        endpoint = dict(endpoint)
        made["publicEndpoint"] = {"containerName": endpoint["containerName"],
                                  "containerPort": int(endpoint["containerPort"]),
                                  "healthCheck": {**HEALTH_DEFAULTS, **(endpoint.get("healthCheck") or {})}}
    return made


class ContainerServices(FacetParts):
    """Lightsail's container services: the powers, the services, their deployments and logs."""

    def get_container_service_powers(self) -> list[m.ContainerServicePower]:
        return [m.ContainerServicePower(power_id=p.power_id, price=p.monthly_usd, cpu_count=p.cpu_count,
                                        ram_size_in_gb=p.ram_gb, name=p.power, is_active=True)
                for p in LIGHTSAIL_POWERS]

    # -- reading -----------------------------------------------------------------------------
    def _service(self, service_name: str) -> dict[str, Any]:
        body = self.store.find(SERVICE, service_name)
        if body is None:
            raise NotFound(f"The ContainerService does not exist: {service_name}", code="NotFoundException")
        return body

    @validated(rules.GET_SERVICES)
    def get_container_services(self, service_name: str | None = None) -> list[m.ContainerService]:
        bodies = [self._service(service_name)] if service_name else self.store.list(SERVICE)
        return [m.ContainerService.model_validate(public(b)) for b in bodies]

    @validated(rules.GET_DEPLOYMENTS)
    def get_container_service_deployments(self, service_name: str) -> list[m.ContainerServiceDeployment]:
        return [m.ContainerServiceDeployment.model_validate(d) for d in self._service(service_name)[RUN]["deployments"]]

    @validated(rules.GET_LOG)
    def get_container_log(self, service_name: str, container_name: str, start_time: Any = None,
                          end_time: Any = None, filter_pattern: str | None = None) -> list[m.ContainerServiceLogEvent]:
        """The container's output on every node of every deployment, merged by time, with the
        service's own lines about its deployments; oldest first."""
        self._service(service_name)
        logs = self.backend.logs
        group = log_group(service_name)
        try:
            streams = [s.log_stream_name for s in logs.describe_log_streams(group)
                       if s.log_stream_name == DEPLOYMENT_STREAM or s.log_stream_name.startswith(f"{container_name}/")]
            if not streams:
                return []
            events = logs.filter_log_events(
                group, filter_pattern=filter_pattern or None, log_stream_names=streams,
                start_time=int(start_time.timestamp() * 1000) if start_time else None,
                end_time=int(end_time.timestamp() * 1000) if end_time else None)
        except NotFound:  # nothing has been logged yet
            return []
        return [m.ContainerServiceLogEvent(created_at=e.timestamp, message=e.message) for e in events]

    # -- changing ----------------------------------------------------------------------------
    @validated(rules.CREATE_SERVICE)
    def create_container_service(self, service_name: str, power: str, scale: int, *,
                                 tags: list[dict[str, str]] | None = None,
                                 public_domain_names: dict[str, list[str]] | None = None,
                                 deployment: dict[str, Any] | None = None) -> m.ContainerService:
        """CreateContainerService: PENDING, and READY (or DEPLOYING, given a deployment) at the
        leader's next tick."""
        if self.store.find(SERVICE, service_name) is not None:
            raise InvalidParameter(f"A container service named {service_name} already exists.", INVALID,
                                   field="serviceName")
        if deployment is not None and not deployment.get("containers"):
            raise InvalidParameter("A deployment needs at least one container.", INVALID,
                                   field="deployment.containers")
        found = lightsail_power(power)
        arn = self.ids.lightsail("ContainerService")
        port = free_port(self._port_seed(), self._ports_taken())
        created = self.now
        service = m.ContainerService(
            container_service_name=service_name, arn=arn, created_at=created,
            location=m.ResourceLocation(availability_zone="all", region_name=self.backend.region),
            tags=list(tags or []), power=power, power_id=found.power_id, state=m.ContainerServiceState.PENDING,
            scale=scale, is_disabled=False,
            principal_arn=f"arn:aws:iam::{self.ids.account}:role/amazon/lightsail/{self.backend.region}/"
                          f"containers/{service_name}/{self.ids.hex(16)}",
            private_domain_name=f"{service_name}.service.local",
            public_domain_names=dict(public_domain_names or {}),
            url=f"http://127.0.0.1:{port}/",
        )
        body = set_state(service.to_aws(), "PENDING", CREATING)
        body[RUN] = {"port": port, "deployments": [], "generation": 0, "nodes": []}
        if deployment is not None:
            self._add_deployment(body, deployment.get("containers") or {}, deployment.get("publicEndpoint"))
        self.store.put(SERVICE, arn, body, name=service_name, state="PENDING")
        self._nudge(arn)
        return m.ContainerService.model_validate(public(body))

    def _add_deployment(self, body: dict[str, Any], containers: dict[str, Any],
                        endpoint: dict[str, Any] | None) -> dict[str, Any]:
        """The next version, ACTIVATING, as the service's next deployment and the rollout it wants."""
        run = body[RUN]
        version = max((d["version"] for d in run["deployments"]), default=0) + 1
        made = _deployment(version, containers, endpoint, self.now.isoformat())
        run["deployments"] = [made, *run["deployments"]]
        while len(run["deployments"]) > DEPLOYMENTS_KEPT:
            old = next((d for d in reversed(run["deployments"]) if d["state"] in ("INACTIVE", "FAILED")), None)
            if old is None:
                break
            run["deployments"].remove(old)
        body["nextDeployment"] = made
        run["generation"] += 1
        run["rollout"] = {"version": version, "generation": run["generation"], "started": False}
        return made

    @validated(rules.CREATE_DEPLOYMENT)
    def create_container_service_deployment(self, service_name: str, containers: dict[str, Any],
                                            public_endpoint: dict[str, Any] | None = None) -> m.ContainerService:
        """CreateContainerServiceDeployment: the service DEPLOYING its next version."""
        body = self._service(service_name)

        def deploying(record: dict[str, Any]) -> dict[str, Any]:
            state = state_of(record)
            if state in BUSY_STATES or state == "DISABLED":
                raise Conflict(f"You can't create a deployment while the container service {service_name} is "
                               f"{state}; wait until it is READY or RUNNING"
                               + (" (enable it first)." if state == "DISABLED" else "."), INVALID)
            self._add_deployment(record, containers, public_endpoint)
            return record if state == "PENDING" else set_state(record, "DEPLOYING", CREATING_DEPLOYMENT)
        return self._change(body, deploying)

    @validated(rules.UPDATE_SERVICE)
    def update_container_service(self, service_name: str, *, power: str | None = None, scale: int | None = None,
                                 is_disabled: bool | None = None,
                                 public_domain_names: dict[str, list[str]] | None = None) -> m.ContainerService:
        """UpdateContainerService: a new power or scale brings up a new node set (UPDATING);
        ``is_disabled`` shuts the nodes down (DISABLED) or brings the current deployment back."""
        body = self._service(service_name)

        def updated(record: dict[str, Any]) -> dict[str, Any]:
            state = state_of(record)
            if state in BUSY_STATES or state == "PENDING":
                raise Conflict(f"You can't update the container service {service_name} while it is {state}.",
                               INVALID)
            resized = (power is not None and power != record["power"]) or (scale is not None and scale != record["scale"])
            if power is not None:
                record["power"], record["powerId"] = power, lightsail_power(power).power_id
            if scale is not None:
                record["scale"] = scale
            if public_domain_names is not None:
                record["publicDomainNames"] = dict(public_domain_names)
            current = record.get("currentDeployment")
            if is_disabled:
                record["isDisabled"] = True
                record[RUN].pop("rollout", None)
                return set_state(record, "DISABLED")
            enabling = is_disabled is False and record.get("isDisabled")
            record["isDisabled"] = False if is_disabled is False else record.get("isDisabled", False)
            if record["isDisabled"]:
                return record  # still disabled: the new capacity applies when it is enabled
            if current and (resized or enabling):
                record[RUN]["generation"] += 1
                record[RUN]["rollout"] = {"version": current["version"], "generation": record[RUN]["generation"],
                                          "started": False}
                return set_state(record, "UPDATING", CREATING_DEPLOYMENT)
            if enabling or resized:
                return set_state(record, "UPDATING", CREATING)  # no deployment to bring back: READY next
            return record
        return self._change(body, updated)

    @validated(rules.DELETE_SERVICE)
    def delete_container_service(self, service_name: str) -> None:
        """DeleteContainerService: DELETING; the leader removes its nodes and its endpoint, then
        the record."""
        body = self._service(service_name)
        self._change(body, lambda record: set_state(record, "DELETING"))

    def _change(self, body: dict[str, Any], change: Any) -> m.ContainerService:
        changed = self.store.update(SERVICE, body["arn"], change, state=state_of)
        if changed is None:
            raise NotFound(f"The ContainerService does not exist: {body['containerServiceName']}",
                           code="NotFoundException")
        self._nudge(body["arn"])
        return m.ContainerService.model_validate(public(changed))

    def _nudge(self, arn: str) -> None:
        self.backend.part(ServiceNodes).nudge(arn)

