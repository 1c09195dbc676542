"""An instance's public ports and static IPs in the local emulator.

Ports are Lightsail's firewall rules, kept in the instance's ``networking.ports``; each open TCP
or UDP port is published on 127.0.0.1 (:mod:`~computetui.backends.local.lightsail.ports`), on a
host port the instance keeps for as long as the port stays open (``local_port`` says which).
The engine cannot change a container's published ports, so a changed set makes the instance's
container again from an image of its filesystem (``InstanceRunner.republish``): nothing on its
disk is lost, and a running instance's programs start again.

Static IPs are records with an address from 203.0.113.0/24 (a documentation range: nothing
answers there; the instance is reached on 127.0.0.1). One attaches to one instance, and an
instance has at most one; a released IP that was attached is detached first.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any

from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from computetui.backends.local.lightsail import ports
from computetui.backends.local.lightsail.instances import INSTANCE, RUN, with_host_ports
from computetui.backends.local.lightsail.parts import FacetParts
from computetui.backends.rules import lightsail as rules
from computetui.backends.rules.validation import as_json, validated
from computetui.models import lightsail as m

STATIC_IP = "lightsail:static-ip"
INVALID = "InvalidInputException"
STATIC_IP_RANGE = ipaddress.ip_network("203.0.113.0/24")
DYNAMIC_IP_RANGE = ipaddress.ip_network("198.51.100.0/24")
BUSY_STATES = ("stopping", "rebooting")


def address_in(network: ipaddress.IPv4Network, taken: set[str], seed: int) -> str:
    """An address of ``network`` not in ``taken``, the first from ``seed`` on."""
    hosts = list(network.hosts())
    for step in range(len(hosts)):
        candidate = str(hosts[(seed + step) % len(hosts)])
        if candidate not in taken:
            return candidate
    raise Conflict(f"No address is left in {network}", "ServiceException")


class Networking(FacetParts):
    """The facet's ports and static IPs (a mixin of :class:`LocalLightsail`)."""

    # -- ports -----------------------------------------------------------------------
    @validated(rules.PORT_STATES)
    def get_instance_port_states(self, instance_name: str) -> list[m.InstancePortState]:
        body = self._instance(instance_name)
        return [m.InstancePortState.model_validate(s)
                for s in ports.states((body.get("networking") or {}).get("ports") or [])]

    @validated(rules.OPEN_PORTS)
    def open_instance_public_ports(self, instance_name: str,
                                   port_info: m.PortInfo | dict[str, Any]) -> m.Operation:
        info = as_json(port_info)
        return self._change_ports(instance_name, lambda now: ports.opened(now, info), "OpenInstancePublicPorts",
                                  _described(info))

    @validated(rules.CLOSE_PORTS)
    def close_instance_public_ports(self, instance_name: str,
                                    port_info: m.PortInfo | dict[str, Any]) -> m.Operation:
        info = as_json(port_info)
        return self._change_ports(instance_name, lambda now: ports.closed(now, info), "CloseInstancePublicPorts",
                                  _described(info))

    @validated(rules.PUT_PORTS)
    def put_instance_public_ports(self, instance_name: str,
                                  port_infos: list[m.PortInfo] | list[dict[str, Any]]) -> m.Operation:
        infos = [as_json(i) for i in port_infos]
        return self._change_ports(instance_name, lambda _now: ports.put(infos), "PutInstancePublicPorts",
                                  ", ".join(_described(i) for i in infos) or "no ports")

    def _change_ports(self, instance_name: str, change: Any, operation_type: str,
                      details: str) -> m.Operation:
        body = self._instance(instance_name)
        state = body["state"]["name"]
        if state in BUSY_STATES:
            raise Conflict(f"The instance {instance_name} is {state}; change its ports once it is running or "
                           "stopped.", INVALID)
        new_rules = change((body.get("networking") or {}).get("ports") or [])  # refuses bad ports first
        keys = ports.published(new_rules)
        others = self._ports_taken() - {int(p) for p in (body[RUN].get("published") or {}).values() if p}
        republish = []

        def changed(record: dict[str, Any]) -> dict[str, Any]:
            record.setdefault("networking", {})["ports"] = new_rules
            before = dict(record[RUN].get("published") or {})
            with_host_ports(record[RUN], keys, self._port_seed, others)
            if before != record[RUN]["published"] and record[RUN].get("containerId"):
                record[RUN]["busy"] = os.getpid()
                republish.append(True)
            return record

        with self.store.transaction():
            updated = self.store.update(INSTANCE, body["arn"], changed)
            if updated is None:
                raise NotFound(f"The Instance does not exist: {instance_name}", code="NotFoundException")
            operation = self._operation(updated, operation_type, details)
        if republish:
            self.runner.republish(body["arn"])
        return operation

    def local_port(self, instance_name: str, port: int) -> int | None:
        """The 127.0.0.1 port an open TCP port of the instance is published on."""
        published = self._instance(instance_name)[RUN].get("published") or {}
        host_port = published.get(f"{port}/tcp")
        return int(host_port) if host_port else None

    # -- static IPs --------------------------------------------------------------------
    def get_static_ips(self) -> list[m.StaticIp]:
        return [m.StaticIp.model_validate(b) for b in self.store.list(STATIC_IP)]

    @validated(rules.STATIC_IP)
    def get_static_ip(self, static_ip_name: str) -> m.StaticIp:
        return m.StaticIp.model_validate(self._static_ip(static_ip_name))

    def _static_ip(self, name: str) -> dict[str, Any]:
        body = self.store.find(STATIC_IP, name)
        if body is None:
            raise NotFound(f"The StaticIp does not exist: {name}", code="NotFoundException")
        return body

    @validated(rules.ALLOCATE_STATIC_IP)
    def allocate_static_ip(self, static_ip_name: str) -> list[m.Operation]:
        if self.store.find(STATIC_IP, static_ip_name) is not None:
            raise InvalidParameter(f"Some names are already in use: {static_ip_name}", INVALID,
                                   field="staticIpName")
        taken = {b.get("ipAddress") for b in self.store.list(STATIC_IP)}
        location = {"availabilityZone": "all", "regionName": self.backend.region}
        arn = self.ids.lightsail("StaticIp")
        ip = m.StaticIp(name=static_ip_name, arn=arn, support_code=f"{self.ids.hex(12)}/{static_ip_name}",
                        created_at=self.now, location=m.ResourceLocation.model_validate(location),
                        ip_address=address_in(STATIC_IP_RANGE, taken, int(self.ids.hex(4), 16)),  # type: ignore[arg-type]
                        is_attached=False)
        with self.store.transaction():
            self.store.put(STATIC_IP, arn, ip.to_aws(), name=static_ip_name)
            return [self.operations.record(static_ip_name, "StaticIp", "AllocateStaticIp", location=location)]

    @validated(rules.ATTACH_STATIC_IP)
    def attach_static_ip(self, static_ip_name: str, instance_name: str) -> list[m.Operation]:
        ip = self._static_ip(static_ip_name)
        instance = self._instance(instance_name)
        if ip.get("isAttached") and ip.get("attachedTo") != instance_name:
            raise InvalidParameter(f"The static IP {static_ip_name} is attached to the instance "
                                   f"{ip['attachedTo']}; detach it first.", INVALID, field="staticIpName")
        if instance.get("isStaticIp") and ip.get("attachedTo") != instance_name:
            raise InvalidParameter(f"The instance {instance_name} already has a static IP; detach it first.",
                                   INVALID, field="instanceName")
        with self.store.transaction():
            self.store.update(STATIC_IP, ip["arn"], lambda b: {**b, "isAttached": True, "attachedTo": instance_name})
            self.store.update(INSTANCE, instance["arn"],
                              lambda b: {**b, "isStaticIp": True, "publicIpAddress": ip["ipAddress"]})
            return [self.operations.record(static_ip_name, "StaticIp", "AttachStaticIp", details=instance_name,
                                           location=ip.get("location")),
                    self._operation(instance, "AttachStaticIp", static_ip_name)]

    @validated(rules.DETACH_STATIC_IP)
    def detach_static_ip(self, static_ip_name: str) -> list[m.Operation]:
        ip = self._static_ip(static_ip_name)
        if not ip.get("isAttached"):
            raise InvalidParameter(f"The static IP {static_ip_name} is not attached to an instance.", INVALID,
                                   field="staticIpName")
        with self.store.transaction():
            return self._detach(ip)

    def _detach(self, ip: dict[str, Any]) -> list[m.Operation]:
        """Detach ``ip`` from its instance (in the caller's transaction): the instance gets a
        dynamic address again."""
        name = ip.get("attachedTo")
        self.store.update(STATIC_IP, ip["arn"], lambda b: {**{k: v for k, v in b.items() if k != "attachedTo"},
                                                           "isAttached": False})
        made = [self.operations.record(ip["name"], "StaticIp", "DetachStaticIp", details=name or "",
                                       location=ip.get("location"))]
        instance = self.store.find(INSTANCE, name) if name else None
        if instance is not None:
            self.store.update(INSTANCE, instance["arn"],
                              lambda b: {**b, "isStaticIp": False, "publicIpAddress": self.dynamic_ip(b["arn"])})
            made.append(self._operation(instance, "DetachStaticIp", ip["name"]))
        return made

    @validated(rules.RELEASE_STATIC_IP)
    def release_static_ip(self, static_ip_name: str) -> list[m.Operation]:
        ip = self._static_ip(static_ip_name)
        with self.store.transaction():
            if ip.get("isAttached"):
                self._detach(ip)
            self.store.delete(STATIC_IP, ip["arn"])
            self.operations.forget(static_ip_name)
            return [self.operations.record(static_ip_name, "StaticIp", "ReleaseStaticIp",
                                           location=ip.get("location"))]

    def dynamic_ip(self, arn: str) -> str:
        """The public address an instance without a static IP shows (198.51.100.0/24, a
        documentation range), the same for the instance each time."""
        hosts = list(DYNAMIC_IP_RANGE.hosts())
        return str(hosts[int(arn.rsplit("/", 1)[-1].replace("-", "")[:8], 16) % len(hosts)])


def _described(info: dict[str, Any]) -> str:
    low, high, protocol = info.get("fromPort"), info.get("toPort"), info.get("protocol") or "tcp"
    return f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"
