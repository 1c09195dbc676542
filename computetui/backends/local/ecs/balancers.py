"""Load balancers for ECS services: one local ALB per service that asks for one.

The service scheduler calls ``sync(service, tasks)`` on every pass. The first
time a service with ``loadBalancers`` is seen, a listener opens on a host port
of 127.0.0.1 (the same port as last time when it is free, so a URL the user
copied keeps working across restarts). Each pass registers the service's
running tasks as targets (their published port for the balanced container) and
returns the ARNs of the tasks whose targets are healthy, which is what gates a
deployment. Target health and the listener's address are written to the state
store so that every console on the state dir can show them, not only the
leader's.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from computetui.backends.local.http.balancer import HEALTHY, HealthCheck, LoadBalancer, Target
from computetui.models import ecs as m

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

BALANCER = "ecs:load-balancer"
"""State kind: one record per service with a load balancer (its listener and target health)."""


def record_key(service_arn: str) -> str:
    """Records share one key space: the service's own record has its ARN."""
    return service_arn + "#load-balancer"


class ServiceBalancers:
    """The leader's load balancers, by service ARN."""

    def __init__(self, backend: Emulator, health_check: HealthCheck | None = None,
                 deregistration_delay_s: float = 5.0) -> None:
        self.backend = backend
        self.health_check = health_check or HealthCheck()
        self.deregistration_delay_s = deregistration_delay_s
        self._balancers: dict[str, LoadBalancer] = {}
        self._written: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- the scheduler's hook -----------------------------------------------
    def sync(self, service: m.Service, tasks: list[m.Task]) -> set[str] | None:
        """Register the service's running tasks; the ARNs of those whose targets are healthy."""
        if not service.load_balancers:
            return None
        if service.status is m.ServiceStatus.INACTIVE:
            self.forget(service.service_arn)
            return None
        spec = service.load_balancers[0]
        balancer = self._balancer(service)
        if balancer is None:
            return set()
        targets = []
        for task in tasks:
            if task.last_status is not m.TaskStatus.RUNNING or task.desired_status is m.TaskStatus.STOPPED:
                continue
            container = next((c for c in task.containers if c.name == spec.container_name), None)
            binding = next((b for b in (container.network_bindings if container else [])
                            if b.container_port == spec.container_port), None)
            if binding is not None and binding.host_port:
                targets.append(Target(task.task_arn, "127.0.0.1", binding.host_port))
        loop = self.backend.controller.ensure_running()
        loop.call_soon_threadsafe(_set_targets, balancer, targets)
        health = balancer.describe()
        self._record(service, balancer, health)
        return {h.target.id for h in health if h.state == HEALTHY}

    def _balancer(self, service: m.Service) -> LoadBalancer | None:
        with self._lock:
            found = self._balancers.get(service.service_arn)
            if found is not None:
                return found
            previous = self.backend.store.get(BALANCER, record_key(service.service_arn)) or {}
            name = (service.load_balancers[0].load_balancer_name or service.service_name)[:32]
            for port in ([previous["port"]] if previous.get("port") else []) + [0]:
                balancer = LoadBalancer(name, self.health_check, port=port,
                                        deregistration_delay_s=self.deregistration_delay_s)
                try:
                    self.backend.controller.ensure_running()
                    self.backend.controller.call(balancer.start, timeout=10)
                except OSError as exc:
                    log.info("load balancer %s: port %s is taken (%s); choosing another", name, port, exc)
                    continue
                except Exception:
                    log.exception("load balancer %s did not start", name)
                    return None
                self._balancers[service.service_arn] = balancer
                return balancer
            return None

    def _record(self, service: m.Service, balancer: LoadBalancer, health: list[Any]) -> None:
        spec = service.load_balancers[0]
        body = {
            "serviceArn": service.service_arn,
            "clusterArn": service.cluster_arn,
            "targetGroupArn": spec.target_group_arn,
            "loadBalancerName": balancer.name,
            "dnsName": f"127.0.0.1:{balancer.port}",
            "port": balancer.port,
            "url": balancer.url,
            "containerName": spec.container_name,
            "containerPort": spec.container_port,
            "healthCheck": {
                "path": self.health_check.path,
                "intervalSeconds": self.health_check.interval_s,
                "timeoutSeconds": self.health_check.timeout_s,
                "healthyThresholdCount": self.health_check.healthy_threshold,
                "unhealthyThresholdCount": self.health_check.unhealthy_threshold,
                "matcher": self.health_check.matcher,
            },
            "targets": [
                {"id": h.target.id, "host": h.target.host, "port": h.target.port, "state": h.state,
                 "reason": h.reason, "description": h.description, "requests": balancer.requests.get(h.target.id, 0)}
                for h in health
            ],
            "requestsTotal": balancer.requests_total,
        }
        if self._written.get(service.service_arn) != body:
            self.backend.store.put(BALANCER, record_key(service.service_arn), body, name=service.service_name,
                                   parent=service.cluster_arn)
            self._written[service.service_arn] = body

    # -- ending ----------------------------------------------------------------
    def forget(self, service_arn: str) -> None:
        """The service is gone: close its listener and drop its record."""
        with self._lock:
            balancer = self._balancers.pop(service_arn, None)
        self._written.pop(service_arn, None)
        if balancer is not None:
            self._close(balancer)
        self.backend.store.delete(BALANCER, record_key(service_arn))

    def prune(self, active: set[str]) -> None:
        for arn in [a for a in self._balancers if a not in active]:
            self.forget(arn)

    def close(self) -> None:
        """Close every listener (the emulator is stopping); the records stay for the next start."""
        with self._lock:
            balancers = list(self._balancers.values())
            self._balancers.clear()
        for balancer in balancers:
            self._close(balancer)

    def _close(self, balancer: LoadBalancer) -> None:
        try:
            if self.backend.controller.running:
                self.backend.controller.call(balancer.close, timeout=10)
        except Exception:
            log.exception("closing load balancer %s failed", balancer.name)


def _set_targets(balancer: LoadBalancer, targets: list[Target]) -> None:
    try:
        balancer.set_targets(targets)
    except RuntimeError:  # closed meanwhile
        pass
