"""ECS services and their scheduler.

A service keeps ``desiredCount`` tasks of its PRIMARY deployment running.
Changing the task definition (or forcing a new deployment) starts a new
PRIMARY; the scheduler rolls to it ECS's way: it may run up to
``maximumPercent`` of the desired count, and keeps at least
``minimumHealthyPercent`` healthy while old tasks stop. A task counts as
healthy when it runs, its health check (if any) passes, and its load
balancer target (if any) is healthy. The deployment circuit breaker fails a
deployment after max(3, min(200, half the desired count)) failed tasks and,
when asked, rolls back to the last deployment that completed. Everything
worth knowing is written as a service event, newest first, as ECS writes them.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import InvalidParameter, NotFound
from computetui.backends.local.ecs import placement
from computetui.backends.local.ecs.tasks import ACTIVE_STATES, TASK, TaskRunner, short_id
from computetui.backends.rules import ecs as rules
from computetui.backends.rules.validation import validated
from computetui.models import ecs as m

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

SERVICE = "ecs:service"
MAX_EVENTS = 100
REPEAT_EVENT_AFTER_S = 60
DEFAULT_SERVICE_PLACEMENT = [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                             {"type": "spread", "field": "instanceId"}]
NAME_RE_MAX = 255


def _invalid(message: str, field: str) -> InvalidParameter:
    return InvalidParameter(message, code="InvalidParameterException", field=field)


def circuit_breaker_threshold(desired: int) -> int:
    """How many failed tasks fail a deployment: max(3, min(200, half the desired count))."""
    return max(3, min(200, math.ceil(desired / 2)))


@dataclass
class ServiceView:
    """One tick's look at a service's tasks."""

    service: m.Service
    tasks: list[m.Task] = field(default_factory=list)

    def of(self, deployment_id: str) -> list[m.Task]:
        return [t for t in self.tasks if t.started_by == deployment_id and t.desired_status is m.TaskStatus.RUNNING]


class ServiceOperations:
    """The service half of the local ECS facet (a mixin of LocalEcs)."""

    backend: Any
    random: Any
    store: Any
    ids: Any
    now: Any
    _cluster: Any
    describe_task_definition: Any

    def _service_arn(self, cluster: m.Cluster, service: str) -> str:
        return service if service.startswith("arn:") else self.ids.ecs_service(cluster.cluster_name, service)

    def _service(self, cluster: m.Cluster, service: str) -> m.Service:
        body = self.store.get(SERVICE, self._service_arn(cluster, service))
        if body is None:
            raise NotFound("Service not found.", code="ServiceNotFoundException")
        return m.Service.model_validate(body)

    def _save_service(self, service: m.Service) -> None:
        self.store.put(SERVICE, service.service_arn, service.to_aws(), name=service.service_name,
                       parent=service.cluster_arn, state=service.status.value)

    def _deployment(self, task_definition: str, desired: int) -> m.Deployment:
        number = "".join(str(self.random.randrange(10)) for _ in range(19))
        return m.Deployment(
            id=f"ecs-svc/{number}", status="PRIMARY", task_definition=task_definition, desired_count=desired,
            rollout_state=m.RolloutState.IN_PROGRESS,
            rollout_state_reason="ECS deployment ecs-svc/" + number + " in progress.",
            created_at=self.now, updated_at=self.now,
        )

    @validated(rules.CREATE_SERVICE)
    def create_service(
        self,
        cluster: str = "default",
        service_name: str = "",
        task_definition: str = "",
        desired_count: int = 1,
        launch_type: str | None = None,
        load_balancers: list[dict[str, Any]] | None = None,
        deployment_configuration: dict[str, Any] | None = None,
        placement_strategy: list[dict[str, str]] | None = None,
        placement_constraints: list[dict[str, str]] | None = None,
        health_check_grace_period_seconds: int | None = None,
        **_: Any,
    ) -> m.Service:
        found = self._cluster(cluster)
        if not service_name or len(service_name) > NAME_RE_MAX or not all(
                ch.isalnum() or ch in "-_" for ch in service_name):
            raise _invalid("serviceName must be 1-255 letters, numbers, hyphens or underscores", "serviceName")
        if desired_count < 0:
            raise _invalid("desiredCount must be 0 or more", "desiredCount")
        td = self.describe_task_definition(task_definition)
        kind = self._launch_type(td, launch_type)
        config = m.DeploymentConfiguration.model_validate(deployment_configuration or {})
        if config.maximum_percent < 100 or not 0 <= config.minimum_healthy_percent <= 100:
            raise _invalid("maximumPercent must be 100 or more and minimumHealthyPercent between 0 and 100",
                           "deploymentConfiguration")
        balancers = [m.LoadBalancer.model_validate(b) for b in (load_balancers or [])]
        for balancer in balancers:
            container = next((c for c in td.container_definitions if c.name == balancer.container_name), None)
            if container is None or balancer.container_port not in [p.container_port for p in container.port_mappings]:
                raise _invalid(
                    f"The container {balancer.container_name} does not have a container port "
                    f"{balancer.container_port} defined.", "loadBalancers")
        arn = self.ids.ecs_service(found.cluster_name, service_name)
        # Checked and written in one transaction: of two creates of one name, in any processes,
        # exactly one succeeds, and a cluster deleted meanwhile gets no service.
        with self.store.transaction():
            self._cluster(found.cluster_arn)
            existing = self.store.get(SERVICE, arn)
            if existing is not None and existing.get("status") != "INACTIVE":
                raise _invalid("Creation of service was not idempotent.", "serviceName")
            balancers = [b.updated(target_group_arn=b.target_group_arn or self.ids.arn(
                "elasticloadbalancing", f"targetgroup/{service_name[:26]}-tg/{self.ids.hex(16)}")) for b in balancers]
            service = m.Service(
                service_arn=arn,
                service_name=service_name,
                cluster_arn=found.cluster_arn,
                desired_count=desired_count,
                launch_type=kind,
                task_definition=td.task_definition_arn or "",
                deployment_configuration=config,
                deployments=[self._deployment(td.task_definition_arn or "", desired_count)],
                load_balancers=balancers,
                placement_strategy=placement_strategy or (
                    DEFAULT_SERVICE_PLACEMENT if kind is m.LaunchType.EC2 else []),
                placement_constraints=placement_constraints or [],
                health_check_grace_period_seconds=health_check_grace_period_seconds,
                created_at=self.now,
            )
            self._save_service(service)
        self.backend.part(ServiceScheduler).poke()
        return service

    @validated(rules.UPDATE_SERVICE)
    def update_service(
        self,
        cluster: str = "default",
        service: str = "",
        desired_count: int | None = None,
        task_definition: str | None = None,
        force_new_deployment: bool = False,
        deployment_configuration: dict[str, Any] | None = None,
        **_: Any,
    ) -> m.Service:
        found = self._cluster(cluster)
        with self.store.transaction():
            current = self._service(found, service)
            if current.status is not m.ServiceStatus.ACTIVE:
                raise InvalidParameter("Service is not ACTIVE.", code="ServiceNotActiveException", field="service")
            changes: dict[str, Any] = {}
            if desired_count is not None:
                if desired_count < 0:
                    raise _invalid("desiredCount must be 0 or more", "desiredCount")
                changes["desired_count"] = desired_count
            if deployment_configuration:
                changes["deployment_configuration"] = m.DeploymentConfiguration.model_validate(
                    {**current.deployment_configuration.to_aws(), **deployment_configuration})
            deployments = list(current.deployments)
            new_definition = None
            if task_definition is not None:
                new_definition = self.describe_task_definition(task_definition).task_definition_arn
            if (new_definition and new_definition != current.task_definition) or force_new_deployment:
                target = new_definition or current.task_definition
                deployments = [d.updated(status="ACTIVE") for d in deployments if d.status != "INACTIVE"]
                deployments.insert(0, self._deployment(target, changes.get("desired_count", current.desired_count)))
                changes["task_definition"] = target
            desired = changes.get("desired_count", current.desired_count)
            deployments = [d.updated(desired_count=desired) if d.status == "PRIMARY" else d for d in deployments]
            updated = current.updated(deployments=deployments, **changes)
            self._save_service(updated)
        self.backend.part(ServiceScheduler).poke()
        return updated

    @validated(rules.SERVICE)
    def delete_service(self, cluster: str = "default", service: str = "", force: bool = False) -> m.Service:
        found = self._cluster(cluster)
        with self.store.transaction():
            current = self._service(found, service)
            if current.desired_count > 0 and not force:
                raise _invalid("The service cannot be stopped while it is scaled above 0.", "force")
            draining = current.updated(status=m.ServiceStatus.DRAINING, desired_count=0,
                                       deployments=[d.updated(desired_count=0) for d in current.deployments])
            self._save_service(draining)
        self.backend.part(ServiceScheduler).poke()
        return draining

    @validated(rules.SERVICE)
    def describe_service_load_balancers(self, cluster: str = "default", service: str = "") -> list[m.ServiceLoadBalancer]:
        from computetui.backends.local.ecs.balancers import BALANCER, record_key

        current = self._service(self._cluster(cluster), service)
        body = self.store.get(BALANCER, record_key(current.service_arn))
        if not current.load_balancers:
            return []
        if body is None:  # the leader has not opened its listener yet
            spec = current.load_balancers[0]
            return [m.ServiceLoadBalancer(
                target_group_arn=spec.target_group_arn, load_balancer_name=spec.load_balancer_name or
                current.service_name, dns_name="(opening)", url="", container_name=spec.container_name,
                container_port=spec.container_port)]
        return [m.ServiceLoadBalancer(
            target_group_arn=body.get("targetGroupArn"),
            load_balancer_name=body["loadBalancerName"],
            dns_name=body["dnsName"],
            url=body["url"],
            container_name=body["containerName"],
            container_port=body["containerPort"],
            health_check=body.get("healthCheck") or {},
            targets=[m.TargetHealth(target_id=t["id"], host=t["host"], port=t["port"], state=t["state"],
                                    reason=t.get("reason"), description=t.get("description"),
                                    requests=t.get("requests")) for t in body.get("targets", [])],
            requests_total=body.get("requestsTotal"),
        )]

    @validated(rules.CLUSTER)
    def list_services(self, cluster: str = "default") -> list[str]:
        arn = self._cluster(cluster).cluster_arn
        return [b["serviceArn"] for b in self.store.list(SERVICE, parent=arn) if b.get("status") != "INACTIVE"]

    @validated(rules.DESCRIBE_SERVICES)
    def describe_services(self, cluster: str = "default", services: list[str] | None = None) -> list[m.Service]:
        found = self._cluster(cluster)
        result = []
        for name in services or []:
            body = self.store.get(SERVICE, self._service_arn(found, name))
            if body is not None:
                result.append(m.Service.model_validate(body))
        return result


class ServiceScheduler:
    """The leader's scheduler: one pass over every service per tick."""

    def __init__(self, backend: Emulator, period: float = 1.0) -> None:
        self.backend = backend
        self.period = period
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._last = 0.0
        self.balancers: Any = None
        """Set by the load-balancer wiring: ``sync(service, tasks) -> healthy task ARNs``."""
        self.on_tick: list[Callable[[m.Service, list[m.Task]], None]] = []

    @property
    def ecs(self) -> Any:
        return self.backend.ecs

    @property
    def store(self) -> Any:
        return self.backend.store

    def poke(self) -> None:
        """Something changed: the next tick should not wait."""
        self._wake.set()

    def tick(self) -> None:
        """Called often; does a full pass when poked or once per period."""
        now = time.monotonic()
        if not self._wake.is_set() and now - self._last < self.period:
            return
        self._last = now
        with self._lock:
            self._wake.clear()
            active: set[str] = set()
            for body in self.store.list(SERVICE):
                service = m.Service.model_validate(body)
                if service.status is m.ServiceStatus.INACTIVE:
                    continue
                active.add(service.service_arn)
                try:
                    self._reconcile(service)
                except Exception:  # one service's trouble must not stop the others
                    import logging

                    logging.getLogger(__name__).exception("scheduling %s failed", service.service_name)
            if self.balancers is not None:
                self.balancers.prune(active)  # deleted services' listeners close

    # -- one service ---------------------------------------------------------
    def _tasks(self, service: m.Service) -> list[m.Task]:
        group = f"service:{service.service_name}"
        tasks = []
        for body in self.store.list(TASK, parent=service.cluster_arn, states=ACTIVE_STATES):
            if body.get("group") == group:
                tasks.append(m.Task.model_validate(body))
        return tasks

    def _healthy(self, service: m.Service, task: m.Task, in_balancer: set[str] | None) -> bool:
        if task.last_status is not m.TaskStatus.RUNNING or task.desired_status is m.TaskStatus.STOPPED:
            return False
        if task.health_status is m.HealthStatus.UNHEALTHY:
            return False
        td = self.ecs.definition(task.task_definition_arn)
        essential = {c.name for c in td.container_definitions if c.essential}
        if any(c.name in essential and c.last_status == "STOPPED" for c in task.containers):
            return False  # its essential container has exited: it is about to stop, not to serve
        if any(c.health_check for c in td.container_definitions if c.essential) and \
                task.health_status is not m.HealthStatus.HEALTHY:
            return False
        if in_balancer is not None and service.load_balancers:
            return task.task_arn in in_balancer
        return True

    def _reconcile(self, service: m.Service) -> None:
        tasks = self._tasks(service)
        in_balancer = self.balancers.sync(service, tasks) if self.balancers is not None else None
        running = [t for t in tasks if t.desired_status is m.TaskStatus.RUNNING]
        primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
        if primary is None:
            return
        desired = service.desired_count
        config = service.deployment_configuration
        maximum = math.floor(desired * config.maximum_percent / 100)
        minimum_healthy = math.ceil(desired * config.minimum_healthy_percent / 100)
        draining_instances = self._draining_instances(service)

        def old(task: m.Task) -> bool:
            return task.started_by != primary.id or task.container_instance_arn in draining_instances

        new_tasks = [t for t in running if not old(t)]
        old_tasks = [t for t in running if old(t)]
        healthy = {t.task_arn for t in running if self._healthy(service, t, in_balancer)}
        events: list[str] = []
        failed_out = primary.rollout_state is m.RolloutState.FAILED

        # Start the primary's tasks, within maximumPercent of what is running in all.
        room = max(0, maximum - len(running))
        to_start = 0 if failed_out or service.status is not m.ServiceStatus.ACTIVE else min(
            max(0, desired - len(new_tasks)), room)
        if to_start:
            started, problem = self._start(service, primary, to_start)
            if started:
                events.append(f"(service {service.service_name}) has started {len(started)} tasks: "
                              + " ".join(f"(task {short_id(a)})" for a in started) + ".")
            if problem:
                events.append(problem)

        # Stop old tasks while at least minimumHealthyPercent stays healthy; unhealthy ones go first.
        stop: list[m.Task] = []
        healthy_now = len(healthy)
        for task in sorted(old_tasks, key=lambda t: t.task_arn in healthy):
            if task.task_arn not in healthy:
                stop.append(task)
            elif healthy_now - 1 >= minimum_healthy or not new_tasks and desired == 0:
                stop.append(task)
                healthy_now -= 1
        # Scale in the primary when it has more than asked for.
        extra = len(new_tasks) - desired
        if extra > 0:
            surplus = sorted(new_tasks, key=lambda t: (t.task_arn in healthy, t.created_at or datetime.min))
            stop.extend(surplus[:extra])
        if stop:
            for task in stop:
                self.backend.part(TaskRunner).stop(task.task_arn, m.StopCode.SERVICE_SCHEDULER_INITIATED,
                                            "Scaling activity initiated by (deployment " + (task.started_by or "")
                                            + ")")
            events.append(f"(service {service.service_name}) has stopped {len(stop)} running tasks: "
                          + " ".join(f"(task {short_id(t.task_arn)})" for t in stop) + ".")
        self._finish(service, tasks, new_tasks, old_tasks, healthy, events)

    def _draining_instances(self, service: m.Service) -> set[str]:
        if service.launch_type is not m.LaunchType.EC2:
            return set()
        return {b["containerInstanceArn"] for b in self.store.list("ecs:container-instance", parent=service.cluster_arn,
                                                                  state="DRAINING")}

    def _start(self, service: m.Service, deployment: m.Deployment, count: int) -> tuple[list[str], str | None]:
        ecs = self.ecs
        td = ecs.definition(deployment.task_definition)
        cluster = ecs._cluster(service.cluster_arn)
        group = f"service:{service.service_name}"
        kind = service.launch_type or m.LaunchType.FARGATE
        if kind is m.LaunchType.FARGATE:
            tasks = [ecs._new_task(cluster, td, kind, None, deployment.id, group, None) for _ in range(count)]
            ecs._launch(tasks)
            return [t.task_arn for t in tasks], None
        need = placement.task_needs(td, int(td.cpu) if td.cpu else None, int(td.memory) if td.memory else None)
        with self.store.transaction():  # placed and recorded at once, as run_task does
            capacities = ecs.capacities(service.cluster_arn)
            tasks, failures, used = [], [], set()
            for _ in range(count):
                chosen, why = placement.place(capacities, need, service.placement_strategy,
                                              service.placement_constraints, used, ecs.random)
                if chosen is None:
                    failures.extend(why)
                    break
                chosen.take(need)
                tasks.append(ecs._new_task(cluster, td, kind, chosen.arn, deployment.id, group, None, need))
            ecs._record_tasks(tasks)
        ecs._start_tasks(tasks)
        problem = None
        if failures or not capacities:
            closest = failures[0] if failures else None
            lacking = {"RESOURCE:CPU": "CPU units", "RESOURCE:MEMORY": "memory",
                       "RESOURCE:PORTS": "ports"}.get(closest[1], "") if closest else ""
            problem = (f"(service {service.service_name}) was unable to place a task because no container instance "
                       "met all of its requirements."
                       + (f" The closest matching (container-instance {short_id(closest[0])}) has insufficient "
                          f"{lacking} available." if closest and lacking else ""))
        return [t.task_arn for t in tasks], problem

    def _finish(
        self,
        service: m.Service,
        tasks: list[m.Task],
        new_tasks: list[m.Task],
        old_tasks: list[m.Task],
        healthy: set[str],
        events: list[str],
    ) -> None:
        """Counts, rollout state, steady state and events, written back in one transaction."""
        with self.store.transaction():
            body = self.store.get(SERVICE, service.service_arn)
            if body is None:
                return
            current = m.Service.model_validate(body)
            now = self.backend.clock.now()
            deployments = []
            steady = False
            for deployment in current.deployments:
                mine = [t for t in tasks if t.started_by == deployment.id and t.desired_status is m.TaskStatus.RUNNING]
                running = sum(1 for t in mine if t.last_status is m.TaskStatus.RUNNING)
                pending = len(mine) - running
                changes: dict[str, Any] = {"running_count": running, "pending_count": pending, "updated_at": now}
                if deployment.status == "PRIMARY":
                    done = (sum(1 for t in mine if t.task_arn in healthy) >= current.desired_count
                            and not old_tasks and len(mine) == current.desired_count)
                    if deployment.rollout_state is m.RolloutState.IN_PROGRESS and done:
                        changes["rollout_state"] = m.RolloutState.COMPLETED
                        changes["rollout_state_reason"] = f"ECS deployment {deployment.id} completed."
                        events.append(f"(service {current.service_name}) (deployment {deployment.id}) "
                                      "deployment completed.")
                    steady = done
                elif deployment.status == "ACTIVE" and not mine:
                    continue  # an old deployment with nothing left is over
                deployments.append(deployment.updated(**changes))
            status = current.status
            if status is m.ServiceStatus.DRAINING and not tasks:
                status = m.ServiceStatus.INACTIVE
            was_steady = any(e.message.endswith("has reached a steady state.") for e in current.events[:1])
            if steady and not was_steady and not events:
                events.append(f"(service {current.service_name}) has reached a steady state.")
            new_events = self._events(current, events, now)
            updated = current.updated(
                deployments=deployments,
                running_count=sum(d.running_count for d in deployments),
                pending_count=sum(d.pending_count for d in deployments),
                status=status,
                events=new_events,
            )
            if updated.to_aws() != current.to_aws():
                self.store.put(SERVICE, updated.service_arn, updated.to_aws(), name=updated.service_name,
                               parent=updated.cluster_arn, state=updated.status.value)

    def _events(self, service: m.Service, messages: list[str], now: datetime) -> list[m.ServiceEvent]:
        events = list(service.events)
        for message in messages:
            recent = next((e for e in events if e.message == message), None)
            repeatable = message.endswith("has reached a steady state.")  # said once per return to steady
            if recent is not None and not repeatable and \
                    (now - recent.created_at).total_seconds() < REPEAT_EVENT_AFTER_S:
                continue  # ECS does not repeat itself every tick
            events.insert(0, m.ServiceEvent(id=self.backend.ids.uuid(), created_at=now, message=message))
        return events[:MAX_EVENTS]

    # -- task outcomes ---------------------------------------------------------
    def task_stopped(self, task: m.Task) -> None:
        """Count a failed task against its deployment, and trip the circuit breaker when it is due."""
        if not (task.group or "").startswith("service:") or task.stop_code is m.StopCode.SERVICE_SCHEDULER_INITIATED:
            return
        # A task counts as failed when it never ran, when its essential container exited (a crash
        # loop), or when it failed its health checks.
        failed = task.stop_code in (m.StopCode.TASK_FAILED_TO_START, m.StopCode.ESSENTIAL_CONTAINER_EXITED) \
            or task.started_at is None or task.health_status is m.HealthStatus.UNHEALTHY
        name = (task.group or "").removeprefix("service:")
        arn = self.backend.ids.ecs_service(task.cluster_arn.rsplit("/", 1)[-1], name)
        with self.store.transaction():
            body = self.store.get(SERVICE, arn)
            if body is None:
                return
            service = m.Service.model_validate(body)
            deployments = []
            events = []
            rollback_to = None
            for deployment in service.deployments:
                if deployment.id == task.started_by and failed and deployment.status == "PRIMARY" \
                        and deployment.rollout_state is m.RolloutState.IN_PROGRESS:
                    deployment = deployment.updated(failed_tasks=deployment.failed_tasks + 1)
                    breaker = service.deployment_configuration.deployment_circuit_breaker
                    if breaker and breaker.enable and \
                            deployment.failed_tasks >= circuit_breaker_threshold(service.desired_count):
                        deployment = deployment.updated(
                            rollout_state=m.RolloutState.FAILED,
                            rollout_state_reason="ECS deployment circuit breaker: tasks failed to start.")
                        events.append(f"(service {service.service_name}) (deployment {deployment.id}) deployment "
                                      "failed: tasks failed to start.")
                        if breaker.rollback:
                            rollback_to = next((d for d in service.deployments if d.status == "ACTIVE"), None)
                deployments.append(deployment)
            if rollback_to is not None:
                restored = self.ecs._deployment(rollback_to.task_definition, service.desired_count)
                deployments = [restored, *[d.updated(status="ACTIVE") for d in deployments]]
                events.append(f"(service {service.service_name}) rolling back to deployment {rollback_to.id}.")
                service = service.updated(task_definition=rollback_to.task_definition)
            if failed or events:
                updated = service.updated(deployments=deployments,
                                          events=self._events(service, events, self.backend.clock.now()))
                self.store.put(SERVICE, updated.service_arn, updated.to_aws(), name=updated.service_name,
                               parent=updated.cluster_arn, state=updated.status.value)
        self.poke()
