"""The leader's side of Lightsail container services: nodes on the engine and the public endpoint.

Each tick looks at every service record (:mod:`.service_records`) and moves it one step:
PENDING becomes READY or DEPLOYING; a wanted rollout brings up ``scale`` nodes of the
deployment at the service's power; a rollout whose nodes all pass the endpoint's health check
(or, without an endpoint, are all up) makes its deployment ACTIVE and retires the previous
nodes; one whose container exits, whose image cannot be had or whose nodes stay unhealthy
past the deadline makes it FAILED and leaves the previous deployment serving; a node of the
serving deployment whose container exits is started anew; DISABLED removes the nodes;
DELETING removes everything, then the record.

A node is the deployment's containers sharing one network namespace (they reach each other on
localhost, as on Lightsail): the endpoint's container (or the first one) holds it and publishes
the endpoint's port on 127.0.0.1; the others join it. Each container has the power's vCPUs and
memory as its own limits (Lightsail shares them across a node's containers). Output goes to
the emulator's log store, one stream per container per node (:func:`.service_records.node_stream`).

The public endpoint is one :class:`~computetui.backends.local.http.balancer.LoadBalancer` per
service, on the port in the record, round robin over the healthy nodes, each node checked with
its own deployment's health check. Nodes outlive the emulator as a service outlives a console
session; at start ``reconcile`` adopts them (the endpoint listens again at the same address).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import ComputeError, Unavailable
from computetui.backends.local.containers import BRIDGE, ContainerSpec, ImageUnavailable, Port, share_network
from computetui.backends.local.http.balancer import HEALTHY, HealthCheck, LoadBalancer, Target
from computetui.backends.local.lightsail.instances import free_port
from computetui.backends.local.lightsail.service_records import (
    ACTIVATING,
    CREATING_DEPLOYMENT,
    DEPLOYMENT_STREAM,
    EVALUATING,
    NODE_KIND,
    RUN,
    SERVICE,
    deployment,
    log_group,
    node_stream,
    set_state,
    state_of,
)
from computetui.pricing import lightsail_power

if TYPE_CHECKING:
    from computetui.backends.docker.engine import ManagedContainer
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

DEPLOY_TIMEOUT_S = 300.0
"""How long a rollout's nodes have to pass their health checks before the deployment fails."""
DRAIN_S = 5.0
"""How long a retired node keeps answering the requests it has, out of rotation, before it goes."""
STOP_GRACE_S = 10


def node_id(node: dict[str, Any]) -> str:
    """A node's name as a load balancer target: ``<generation>-<index>``."""
    return f"{node['generation']}-{node['index']}"


def health_check(dep: dict[str, Any], interval_s: float | None = None) -> HealthCheck:
    """The load balancer's health check for a deployment's public endpoint (``interval_s`` overrides
    its interval, so tests need not wait Lightsail's five seconds)."""
    check = (dep.get("publicEndpoint") or {}).get("healthCheck") or {}
    return HealthCheck(
        path=check.get("path") or "/",
        interval_s=interval_s or float(check.get("intervalSeconds") or 5),
        timeout_s=float(check.get("timeoutSeconds") or 2),
        healthy_threshold=int(check.get("healthyThreshold") or 2),
        unhealthy_threshold=int(check.get("unhealthyThreshold") or 2),
        matcher=check.get("successCodes") or "200-499",
    )


class ServiceNodes:
    """Carries out what container service records want, in the leader."""

    def __init__(self, emulator: Emulator, *, deploy_timeout_s: float = DEPLOY_TIMEOUT_S,
                 health_interval_s: float | None = None, drain_s: float = DRAIN_S,
                 stop_grace_s: int = STOP_GRACE_S) -> None:
        self.emulator = emulator
        self.deploy_timeout_s = deploy_timeout_s
        self.health_interval_s = health_interval_s
        self.drain_s = drain_s
        self.stop_grace_s = stop_grace_s
        self._pool = emulator.containers.pool("computetui-lightsail-services", what="Lightsail container service work")
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self._retiring: set[tuple[str, str]] = set()
        self._balancers: dict[str, LoadBalancer] = {}
        self._targets: dict[str, tuple[Any, ...]] = {}
        self._checked: dict[str, float] = {}
        """When each RUNNING service's serving nodes were last looked at on the engine."""

    # -- records -------------------------------------------------------------------------
    @property
    def store(self) -> Any:
        return self.emulator.store

    def _update(self, arn: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> dict[str, Any] | None:
        return self.store.update(SERVICE, arn, change, state=state_of)

    def _log(self, body: dict[str, Any], version: int, message: str) -> None:
        """One of the service's own lines about a deployment, in every container's log."""
        logs = self.emulator.awslogs.logs
        group = log_group(body["containerServiceName"])
        try:
            logs.ensure_log_stream(group, DEPLOYMENT_STREAM)
            logs.append_events(group, DEPLOYMENT_STREAM,
                               [{"timestamp": int(self.emulator.clock.time() * 1000),
                                 "message": f"[deployment:{version}] {message}"}])
        except ComputeError:
            log.debug("could not log for %s", body["containerServiceName"])

    def _submit(self, arn: str, work: Callable[..., None], *args: Any) -> None:
        """Run ``work(arn, *args)`` in the pool unless the service has work there already."""
        with self._lock:
            if arn in self._busy:
                return
            self._busy.add(arn)

        def run() -> None:
            try:
                work(arn, *args)
            finally:
                with self._lock:
                    self._busy.discard(arn)
        self._pool.submit(run)
        if self._pool.closed:
            with self._lock:
                self._busy.discard(arn)

    # -- the tick ----------------------------------------------------------------------------
    def nudge(self, arn: str) -> None:
        """The service's record changed in this process: when it leads, take the next step now
        rather than at the next tick."""
        if self.emulator.controller.leader and not self._pool.closed:
            self._pool.submit(self._step_now, arn)

    def _step_now(self, arn: str) -> None:
        with self._lock:
            if arn in self._busy:
                return
        body = self.store.get(SERVICE, arn)
        if body is not None:
            try:
                self._step(body)
            except ComputeError as exc:
                log.info("container service %s: %s", body["containerServiceName"], exc.message)

    def tick(self) -> None:
        bodies = self.store.list(SERVICE)
        for body in bodies:
            with self._lock:
                if body["arn"] in self._busy:
                    continue
            try:
                self._step(body)
            except ComputeError as exc:
                log.info("container service %s: %s", body["containerServiceName"], exc.message)
        for arn in set(self._balancers) - {b["arn"] for b in bodies}:
            self._close_balancer(arn)
        for arn in set(self._checked) - {b["arn"] for b in bodies}:
            del self._checked[arn]

    def _step(self, body: dict[str, Any]) -> None:
        arn, state, run = body["arn"], state_of(body), body[RUN]
        if state == "DELETING":
            self._submit(arn, self._delete)
            return
        if state == "PENDING":
            self._update(arn, _provisioned)
            return
        now = time.time()
        for node in run["nodes"]:
            if node.get("retireAt") is not None and node["retireAt"] <= now:
                self._retire(arn, node)
        balancer = self._balancer(body)
        rollout = run.get("rollout")
        if state == "DISABLED":
            if any(n.get("retireAt") is None for n in run["nodes"]):
                self._update(arn, _retire_all)
        elif rollout is not None:
            if not rollout.get("started"):
                self._submit(arn, self._bring_up, rollout["generation"])
            else:
                self._evaluate(body, balancer)
        elif state == "UPDATING":
            self._update(arn, lambda b: set_state(b, "RUNNING" if b.get("currentDeployment") else "READY"))
        elif state == "RUNNING" and now - self._checked.get(arn, 0.0) >= self.emulator.tick_seconds:
            # The engine is asked about serving nodes once a tick period, not every step.
            self._checked[arn] = now
            broken = [n for n in run["nodes"] if n["generation"] == run.get("serving")
                      and n.get("retireAt") is None and not self._node_up(n)]
            if broken:
                self._submit(arn, self._renew, broken[0]["generation"], broken[0]["index"])
        if balancer is not None:
            self._sync_targets(body, balancer)

    # -- bringing up a rollout -------------------------------------------------------------------
    def _bring_up(self, arn: str, generation: int) -> None:
        try:
            self._bring_up_nodes(arn, generation)
        except Exception as exc:  # a bug: fail this rollout once rather than retry it every tick
            if self._pool.closed:
                return
            log.exception("bringing up deployment nodes of %s failed", arn)
            self._fail(arn, generation, f"The emulator could not start the nodes ({type(exc).__name__}: {exc}).")

    def _bring_up_nodes(self, arn: str, generation: int) -> None:
        body = self.store.get(SERVICE, arn)
        rollout = (body or {}).get(RUN, {}).get("rollout")
        if body is None or rollout is None or rollout["generation"] != generation:
            return
        dep = deployment(body, rollout["version"])
        if dep is None:
            return
        version, scale = rollout["version"], int(body["scale"])
        self._update(arn, lambda b: set_state(b, state_of(b), CREATING_DEPLOYMENT))
        self._log(body, version, f"Creating {len(dep['containers'])} container(s) on {scale} node(s) of "
                                 f"power {body['power']}")
        for image in dict.fromkeys(c["image"] for c in dep["containers"].values()):
            try:
                self.emulator.containers.pull(image)
            except ImageUnavailable as exc:
                self._fail(arn, generation, f"The image {image} is not on the Docker engine and cannot be pulled "
                                            f"({exc.message}). Put it on the engine (docker pull, or docker tag a "
                                            f"local image as {image}) and deploy again.")
                return
            except Unavailable as exc:
                self._fail(arn, generation, f"{exc.message}.")
                return
        for index in range(scale):
            if self._pool.closed:
                return
            try:
                node = self._start_node(body, dep, generation, index)
            except ComputeError as exc:
                self._fail(arn, generation, f"Node {index + 1} could not start: {exc.message}")
                return
            if self._update(arn, lambda b, n=node: _with_node(b, n, generation)) is None or \
                    not _wants(self.store.get(SERVICE, arn), generation):
                self._remove_node(node)
                return
        checked = bool(dep.get("publicEndpoint"))

        def started(b: dict[str, Any]) -> dict[str, Any] | None:
            if not _wants(b, generation):
                return None
            b[RUN]["rollout"].update(started=True, deadline=time.time() + self.deploy_timeout_s)
            return set_state(b, state_of(b), EVALUATING if checked else ACTIVATING)
        body = self._update(arn, started) or body
        balancer = self._balancers.get(arn)
        if balancer is not None and checked:  # register the new nodes now: their health checks start
            self._sync_targets(body, balancer)
        self._log(body, version, f"Started {scale} new node(s)" + (
            f"; checking their health on {dep['publicEndpoint']['healthCheck']['path']}" if checked else ""))

    def _start_node(self, body: dict[str, Any], dep: dict[str, Any], generation: int, index: int) -> dict[str, Any]:
        """The deployment's containers of one node, started (the namespace's holder first)."""
        containers = dep["containers"]
        endpoint = dep.get("publicEndpoint")
        holder = endpoint["containerName"] if endpoint else next(iter(containers))
        power = lightsail_power(body["power"])
        assert power is not None  # the facet took only Lightsail's powers
        node: dict[str, Any] = {"generation": generation, "version": dep["version"], "index": index, "containers": {}}
        name = body["containerServiceName"]
        try:
            for container in [holder, *(c for c in containers if c != holder)]:
                spec = containers[container]
                held = container == holder
                started = self.emulator.containers.run(NODE_KIND, body["arn"], ContainerSpec(
                    image=spec["image"],
                    command=list(spec.get("command") or []) or None,
                    environment=dict(spec.get("environment") or {}),
                    vcpus=float(min(power.cpu_count, os.cpu_count() or 1)),
                    memory_mib=int(power.ram_gb * 1024),
                    ports=(Port(int(endpoint["containerPort"])),) if held and endpoint else (),
                    network=BRIDGE if held else share_network(node["containers"][holder]),
                    labels={"computetui.lightsail.service": name, "computetui.lightsail.container": container,
                            "computetui.lightsail.deployment": str(dep["version"]),
                            "computetui.lightsail.node": f"{generation}-{index}"},
                ))
                node["containers"][container] = started.id
                self.emulator.awslogs.follow(started.id, log_group(name),
                                             node_stream(container, dep["version"], generation, index))
        except ComputeError:
            self._remove_node(node)
            raise
        if endpoint:
            found = self.emulator.containers.state(node["containers"][holder])
            ports = found.host_ports(int(endpoint["containerPort"])) if found else []
            node["hostPort"] = ports[0].host_port if ports else None
        return node

    def _evaluate(self, body: dict[str, Any], balancer: LoadBalancer | None) -> None:
        """A started rollout: ACTIVE once every new node is healthy, FAILED when one's container
        ended or the deadline passed."""
        run = body[RUN]
        rollout = run["rollout"]
        generation = rollout["generation"]
        dep = deployment(body, rollout["version"]) or {}
        nodes = [n for n in run["nodes"] if n["generation"] == generation]
        for node in nodes:
            for container, container_id in node["containers"].items():
                found = self.emulator.containers.state(container_id)
                if found is None or found.exited:
                    code = f" (code {found.exit_code})" if found is not None else " (its container vanished)"
                    self._fail(body["arn"], generation, f"Container {container} on node {node['index'] + 1} "
                                                        f"exited{code}.")
                    return
        if dep.get("publicEndpoint"):
            health = {h.target.id: h for h in balancer.describe()} if balancer is not None else {}
            passing = all(health.get(node_id(n)) is not None and health[node_id(n)].state == HEALTHY for n in nodes)
        else:
            passing = True
        if passing and len(nodes) == int(body["scale"]):
            self._activate(body["arn"], generation)
        elif time.time() > float(rollout.get("deadline") or 0):
            last = [h for h in (balancer.describe() if balancer else []) if h.target.id in {node_id(n) for n in nodes}]
            why = "; ".join(f"{h.state}: {h.description or h.reason}" for h in last if h.state != HEALTHY)
            path = dep["publicEndpoint"]["healthCheck"]["path"] if dep.get("publicEndpoint") else "/"
            self._fail(body["arn"], generation, f"The new nodes did not pass their health checks on {path} within "
                                                f"{self.deploy_timeout_s:g} s" + (f" ({why})" if why else "") + ".")

    def _activate(self, arn: str, generation: int) -> None:
        retire_at = time.time() + self.drain_s

        def active(b: dict[str, Any]) -> dict[str, Any] | None:
            if not _wants(b, generation):
                return None
            run = b[RUN]
            version = run["rollout"]["version"]
            for d in run["deployments"]:
                if d["version"] == version:
                    d["state"] = "ACTIVE"
                elif d["state"] in ("ACTIVE", "ACTIVATING"):
                    d["state"] = "INACTIVE"
            b["currentDeployment"] = deployment(b, version)
            b.pop("nextDeployment", None)
            run["serving"] = generation
            for node in run["nodes"]:
                if node["generation"] != generation and node.get("retireAt") is None:
                    node["retireAt"] = retire_at
            run.pop("rollout")
            return set_state(b, "RUNNING")
        body = self._update(arn, active)
        if body is not None and body[RUN].get("serving") == generation:
            self._log(body, body["currentDeployment"]["version"], "Reached a steady state")

    def _fail(self, arn: str, generation: int, why: str) -> None:
        def failed(b: dict[str, Any]) -> dict[str, Any] | None:
            if not _wants(b, generation):
                return None
            run = b[RUN]
            version = run["rollout"]["version"]
            if (b.get("nextDeployment") or {}).get("version") == version:
                for d in run["deployments"]:
                    if d["version"] == version:
                        d["state"] = "FAILED"
                b.pop("nextDeployment", None)
            for node in run["nodes"]:
                if node["generation"] == generation:
                    node["retireAt"] = 0
            run.pop("rollout")
            return set_state(b, "RUNNING" if b.get("currentDeployment") else "READY")
        body = self.store.get(SERVICE, arn)
        version = ((body or {}).get(RUN, {}).get("rollout") or {}).get("version")
        if self._update(arn, failed) is not None and body is not None and version is not None:
            self._log(body, version, f"Deployment failed: {why}")

    # -- keeping the serving nodes up ------------------------------------------------------------
    def _node_up(self, node: dict[str, Any]) -> bool:
        if not node["containers"]:
            return False
        for container_id in node["containers"].values():
            found = self.emulator.containers.state(container_id)
            if found is None or not found.running:
                return False
        return True

    def _renew(self, arn: str, generation: int, index: int) -> None:
        """A serving node whose container ended: its containers made anew, as Lightsail restarts them."""
        body = self.store.get(SERVICE, arn)
        if body is None or body[RUN].get("serving") != generation or state_of(body) != "RUNNING":
            return
        old = next((n for n in body[RUN]["nodes"] if n["generation"] == generation and n["index"] == index), None)
        dep = deployment(body, old["version"]) if old else None
        if old is None or dep is None:
            return
        self._remove_node(old)
        try:
            node = self._start_node(body, dep, generation, index)
        except ComputeError as exc:
            self._log(body, dep["version"], f"Node {index + 1} could not start again: {exc.message}")
            return

        def replaced(b: dict[str, Any]) -> dict[str, Any]:
            b[RUN]["nodes"] = [node if (n["generation"], n["index"]) == (generation, index) else n
                               for n in b[RUN]["nodes"]]
            return b
        if self._update(arn, replaced) is None:
            self._remove_node(node)
            return
        self._log(body, dep["version"], f"A container on node {index + 1} ended; the node was started again")

    def _retire(self, arn: str, node: dict[str, Any]) -> None:
        """Stop and remove a node out of service (in the pool, beside the service's other work: a
        stop can take the grace), then drop it from the record."""
        key = (arn, node_id(node))
        with self._lock:
            if key in self._retiring:
                return
            self._retiring.add(key)

        def retire() -> None:
            try:
                self._remove_node(node, grace_s=self.stop_grace_s if node["retireAt"] else 0)
                self._update(arn, lambda b: {**b, RUN: {**b[RUN], "nodes": [
                    n for n in b[RUN]["nodes"] if node_id(n) != key[1]]}})
            finally:
                with self._lock:
                    self._retiring.discard(key)
        self._pool.submit(retire)

    def _remove_node(self, node: dict[str, Any], grace_s: int = 0) -> None:
        """Stop the node's containers (SIGTERM, SIGKILL after ``grace_s``), let their last output
        reach the log, remove them."""
        for container_id in reversed(list(node["containers"].values())):  # the namespace's holder last
            try:
                self.emulator.engine.stop(container_id, timeout=grace_s)
            except ComputeError:
                pass  # gone already
            self.emulator.awslogs.drain(container_id, 1.0)
            self.emulator.awslogs.unfollow(container_id)
            self.emulator.containers.remove(container_id)

    # -- deleting ----------------------------------------------------------------------------
    def _delete(self, arn: str) -> None:
        body = self.store.get(SERVICE, arn)
        if body is None:
            return
        for node in body[RUN]["nodes"]:
            self._remove_node(node)
        try:
            for container in self.emulator.containers.of_record(NODE_KIND, arn):
                self.emulator.containers.remove(container.id)
        except Unavailable:
            pass
        self._close_balancer(arn)
        self._delete_logs(body)
        self.store.delete(SERVICE, arn)

    def _delete_logs(self, body: dict[str, Any]) -> None:
        logs = self.emulator.logs
        if logs is None:
            return
        try:
            logs.delete_log_group(log_group(body["containerServiceName"]))
        except ComputeError:  # nothing was logged, or read-only came on meanwhile
            pass

    # -- the public endpoint -----------------------------------------------------------------
    def _balancer(self, body: dict[str, Any]) -> LoadBalancer | None:
        arn = body["arn"]
        with self._lock:
            found = self._balancers.get(arn)
        if found is not None:
            return found
        name = body["containerServiceName"][:32]
        wanted = int(body[RUN]["port"])
        for port in (wanted, 0):
            if port == 0:
                taken = {int(b[RUN]["port"]) for b in self.store.list(SERVICE)}
                port = free_port(int(self.emulator.ids.hex(4), 16), taken)
            balancer = LoadBalancer(name, port=port, deregistration_delay_s=self.drain_s)
            try:
                self.emulator.controller.ensure_running()
                self.emulator.controller.call(balancer.start, timeout=10)
            except OSError as exc:
                log.info("container service %s: port %s is taken (%s); choosing another", name, port, exc)
                continue
            with self._lock:
                self._balancers[arn] = balancer
            if port != wanted:
                self._update(arn, lambda b, p=port: {**b, "url": f"http://127.0.0.1:{p}/",
                                                     RUN: {**b[RUN], "port": p}})
            return balancer
        return None

    def _sync_targets(self, body: dict[str, Any], balancer: LoadBalancer) -> None:
        run = body[RUN]
        rollout = run.get("rollout") or {}
        serving = {run.get("serving"), rollout.get("generation")} if state_of(body) != "DISABLED" else set()
        targets, checks = [], {}
        for node in run["nodes"]:
            if node["generation"] not in serving or node.get("retireAt") is not None or not node.get("hostPort"):
                continue
            dep = deployment(body, node["version"])
            if dep is None or not dep.get("publicEndpoint"):
                continue
            target = Target(node_id(node), "127.0.0.1", int(node["hostPort"]))
            targets.append(target)
            checks[target.id] = health_check(dep, self.health_interval_s)
        key = tuple(targets)
        if self._targets.get(body["arn"]) == key:
            return
        self._targets[body["arn"]] = key
        loop = self.emulator.controller.ensure_running()
        loop.call_soon_threadsafe(_set_targets, balancer, targets, checks)

    def _close_balancer(self, arn: str) -> None:
        with self._lock:
            balancer = self._balancers.pop(arn, None)
        self._targets.pop(arn, None)
        if balancer is None:
            return
        try:
            if self.emulator.controller.running:
                self.emulator.controller.call(balancer.close, timeout=10)
        except Exception:
            log.exception("closing the endpoint of %s failed", arn)

    # -- at start, at close ------------------------------------------------------------------
    def reconcile(self, containers: list[ManagedContainer]) -> None:
        """Adopt the nodes whose containers are all there; forget the others (a serving node is
        made again at the next tick, a rollout's are brought up again); remove containers of no
        node."""
        bodies = self.store.list(SERVICE)
        known = {cid for b in bodies for n in b[RUN]["nodes"] for cid in n["containers"].values()}
        present = {c.id: c for c in containers}
        for container in containers:
            if container.id not in known:
                self.emulator.containers.remove(container.id)
        for body in bodies:
            name = body["containerServiceName"]

            def adopted(b: dict[str, Any]) -> dict[str, Any]:
                kept = []
                for node in b[RUN]["nodes"]:
                    if all(cid in present for cid in node["containers"].values()):
                        kept.append(node)
                    else:
                        for cid in node["containers"].values():
                            if cid in present:
                                self.emulator.containers.remove(cid)
                        if node["generation"] == b[RUN].get("serving") and node.get("retireAt") is None:
                            kept.append({**node, "containers": {}, "hostPort": None})  # made again by the tick
                b[RUN]["nodes"] = kept
                rollout = b[RUN].get("rollout")
                if rollout and rollout.get("started"):  # cut short: start it over
                    for node in [n for n in kept if n["generation"] == rollout["generation"]]:
                        self._remove_node(node)
                    b[RUN]["nodes"] = [n for n in kept if n["generation"] != rollout["generation"]]
                    rollout["started"] = False
                return b
            body = self._update(body["arn"], adopted) or body
            for node in body[RUN]["nodes"]:
                for container, cid in node["containers"].items():
                    if cid in present and present[cid].running:
                        self.emulator.awslogs.follow(cid, log_group(name),
                                                     node_stream(container, node["version"], node["generation"],
                                                                 node["index"]))

    def close(self) -> None:
        """Close the endpoints and the pool; the nodes stay for the next start to adopt."""
        self._pool.close()
        for arn in list(self._balancers):
            self._close_balancer(arn)


def _provisioned(body: dict[str, Any]) -> dict[str, Any] | None:
    if state_of(body) != "PENDING":
        return None
    if body[RUN].get("rollout"):
        return set_state(body, "DEPLOYING", CREATING_DEPLOYMENT)
    return set_state(body, "READY")


def _retire_all(body: dict[str, Any]) -> dict[str, Any]:
    """Disabled: every node out of service now, stopped gracefully."""
    for node in body[RUN]["nodes"]:
        if node.get("retireAt") is None:
            node["retireAt"] = time.time()
    return body


def _wants(body: dict[str, Any] | None, generation: int) -> bool:
    """The service still wants this rollout."""
    rollout = (body or {}).get(RUN, {}).get("rollout")
    return rollout is not None and rollout["generation"] == generation and state_of(body or {}) != "DELETING"


def _with_node(body: dict[str, Any], node: dict[str, Any], generation: int) -> dict[str, Any] | None:
    if not _wants(body, generation):
        return None
    body[RUN]["nodes"] = [*body[RUN]["nodes"], node]
    return body


def _set_targets(balancer: LoadBalancer, targets: list[Target], checks: dict[str, HealthCheck]) -> None:
    try:
        balancer.set_targets(targets, checks)
    except RuntimeError:  # closed meanwhile
        pass
