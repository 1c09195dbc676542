"""Lightsail in the local emulator: the bundle and blueprint catalogue, and instances that run as
containers (:mod:`computetui.backends.local.lightsail.instances`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from computetui.backends.base import LightsailFacet
from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from computetui.backends.local.containers import exec_argv
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.local.lightsail import ports
from computetui.backends.local.lightsail.container_services import ContainerServices
from computetui.backends.local.lightsail.instances import INSTANCE, RUN, set_state, state_of, with_host_ports
from computetui.backends.local.lightsail.metrics import InstanceMetricsReader
from computetui.backends.local.lightsail.networking import STATIC_IP, Networking
from computetui.backends.local.lightsail.operations import Operations
from computetui.backends.local.lightsail.service_records import SERVICE
from computetui.backends.local.lightsail.snapshots import Snapshots
from computetui.backends.rules import lightsail as rules
from computetui.backends.rules.validation import validated
from computetui.models import lightsail as m
from computetui.pricing import LIGHTSAIL_BUNDLES

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator
    from computetui.backends.local.lightsail.instances import InstanceRunner


# Blueprints offered: id, name, type, version, description, and the public
# image each is emulated with on the engine.
_CATALOGUE = (
    ("amazon_linux_2023", "Amazon Linux 2023", "os", "2023", "A general-purpose Linux from AWS.", "amazonlinux:2023"),
    ("ubuntu_24_04", "Ubuntu", "os", "24.04 LTS", "Ubuntu 24.04 LTS.", "ubuntu:24.04"),
    ("debian_12", "Debian", "os", "12", "Debian 12 (bookworm).", "debian:12"),
    ("nginx", "Nginx", "app", "1.27", "The Nginx web server.", "nginx:stable"),
    ("wordpress", "WordPress", "app", "6", "WordPress with its web server and database.", "wordpress:latest"),
    ("lamp_8_bitnami", "LAMP (PHP 8)", "app", "8", "Linux, Apache, MySQL and PHP.", "php:8-apache"),
    ("nodejs", "Node.js", "app", "22", "Node.js for web applications.", "node:22"),
)
BLUEPRINTS: tuple[tuple[m.Blueprint, str], ...] = tuple(
    (
        m.Blueprint(blueprint_id=bp_id, name=name, group=bp_id, type=kind, version=version, description=text),
        image,
    )
    for bp_id, name, kind, version, text, image in _CATALOGUE
)


DEFAULT_IMAGES: dict[str, str] = {bp_id: image for bp_id, *_rest, image in _CATALOGUE}
BLUEPRINT_NAMES = {bp.blueprint_id: bp.name for bp, _image in BLUEPRINTS}
BLUEPRINT_TYPES = {bp.blueprint_id: bp.type for bp, _image in BLUEPRINTS}
INVALID = "InvalidInputException"
# The user a blueprint's image is logged in to as on Lightsail.
USERNAMES = {"amazon_linux_2023": "ec2-user", "ubuntu_24_04": "ubuntu", "debian_12": "admin"}


def bundles() -> list[m.Bundle]:
    return [
        m.Bundle(
            bundle_id=b.bundle_id,
            name=b.name,
            price=b.monthly_usd,
            cpu_count=b.cpu_count,
            ram_size_in_gb=b.ram_gb,
            disk_size_in_gb=b.disk_gb,
            transfer_per_month_in_gb=b.transfer_gb,
        )
        for b in LIGHTSAIL_BUNDLES
    ]


class LocalLightsail(Networking, Snapshots, InstanceMetricsReader, ContainerServices,
                     LocalFacetMixin, LightsailFacet):
    """Lightsail's catalogue, and instances that run, each as one long-lived container."""

    runner: InstanceRunner

    def __init__(self, backend: Emulator, images: Mapping[str, str] | None = None) -> None:
        super().__init__(backend)
        self.images = {**DEFAULT_IMAGES, **(images or {})}
        """The image each blueprint runs (the defaults, then the ``lightsail_images`` option)."""
        self.operations = Operations(backend)

    def _operation(self, body: dict[str, Any], operation_type: str, details: str = "",
                   resource_type: str = "Instance") -> m.Operation:
        return self.operations.record(body["name"], resource_type, operation_type, location=body.get("location"),
                                      details=details)

    def _port_seed(self) -> int:
        """Where to look for a free host port: from the seeded ids, so a test's ports are the same
        each run."""
        return int(self.ids.hex(4), 16)

    def _ports_taken(self) -> set[int]:
        """The host ports every instance holds (stopped ones too: they get them back at start), and
        every container service's public endpoint."""
        return ({int(p) for b in self.store.list(INSTANCE) for p in (b[RUN].get("published") or {}).values() if p}
                | {int(b[RUN]["port"]) for b in self.store.list(SERVICE)})

    def get_operations_for_resource(self, resource_name: str) -> list[m.Operation]:
        return self.operations.of(resource_name)

    def get_bundles(self) -> list[m.Bundle]:
        return bundles()

    def get_blueprints(self) -> list[m.Blueprint]:
        return [bp for bp, _image in BLUEPRINTS]

    def get_instances(self) -> list[m.Instance]:
        return [m.Instance.model_validate(b) for b in self.store.list(INSTANCE)]

    @validated(rules.INSTANCE)
    def get_instance(self, instance_name: str) -> m.Instance:
        return m.Instance.model_validate(self._instance(instance_name))

    def _instance(self, instance_name: str) -> dict[str, Any]:
        body = self.store.find(INSTANCE, instance_name)
        if body is None:
            raise NotFound(f"The Instance does not exist: {instance_name}", code="NotFoundException")
        return body

    def get_instance_state(self, instance_name: str) -> m.InstanceState:
        """GetInstanceState (beyond the contract)."""
        return m.InstanceState.model_validate(self._instance(instance_name)["state"])

    @validated(rules.CREATE)
    def create_instances(
        self, instance_names: list[str], availability_zone: str, blueprint_id: str, bundle_id: str, *,
        user_data: str | None = None, key_pair_name: str | None = None, tags: list[dict[str, str]] | None = None,
        **kwargs: Any,
    ) -> list[m.Operation]:
        """CreateInstances: each instance pending, its container being made; an operation each."""
        if blueprint_id not in BLUEPRINT_NAMES:
            raise InvalidParameter(f"The blueprint id {blueprint_id} is not valid.", INVALID, field="blueprintId")
        bundle = self._bundle(bundle_id)
        self._check_new(instance_names, availability_zone)
        run = {"image": self.images[blueprint_id], "app": BLUEPRINT_TYPES[blueprint_id] == "app"}
        return self._make_instances(instance_names, availability_zone, blueprint_id, bundle, run, user_data,
                                    key_pair_name, tags, "CreateInstance", f"{blueprint_id}/{bundle_id}")

    def _bundle(self, bundle_id: str) -> m.Bundle:
        bundle = next((b for b in bundles() if b.bundle_id == bundle_id), None)
        if bundle is None:
            raise InvalidParameter(f"The bundle id {bundle_id} is not valid.", INVALID, field="bundleId")
        return bundle

    def _check_new(self, instance_names: list[str], availability_zone: str) -> None:
        """Refuse a zone not in the region and names in use (or given twice)."""
        region = self.backend.region
        if not availability_zone.startswith(region) or len(availability_zone) != len(region) + 1 \
                or not availability_zone[-1].isalpha():
            raise InvalidParameter(f"The availability zone {availability_zone} is not valid in {region} "
                                   f"(one of {region}a, {region}b, ...).", INVALID, field="availabilityZone")
        names = list(instance_names)
        repeated = sorted({n for n in names if names.count(n) > 1})
        taken = sorted(n for n in dict.fromkeys(names) if self.store.find(INSTANCE, n) is not None)
        if repeated or taken:
            raise InvalidParameter(f"Some names are already in use: {', '.join(repeated + taken)}", INVALID,
                                   field="instanceNames")

    def _make_instances(
        self, instance_names: list[str], availability_zone: str, blueprint_id: str, bundle: m.Bundle,
        run: dict[str, Any], user_data: str | None, key_pair_name: str | None, tags: list[dict[str, str]] | None,
        operation_type: str, details: str,
    ) -> list[m.Operation]:
        """Store the instances, pending, in one transaction, then launch each; an operation each."""
        region = self.backend.region
        made = []
        for name in instance_names:
            arn = self.ids.lightsail("Instance")
            instance = m.Instance(
                name=name, arn=arn, support_code=f"{self.ids.hex(12)}/{self.ids.ec2_instance_id()}",
                created_at=self.now,
                location=m.ResourceLocation(availability_zone=availability_zone, region_name=region),
                blueprint_id=blueprint_id, blueprint_name=BLUEPRINT_NAMES.get(blueprint_id, blueprint_id),
                bundle_id=bundle.bundle_id,
                hardware=m.InstanceHardware(cpu_count=bundle.cpu_count, ram_size_in_gb=bundle.ram_size_in_gb),
                state=m.InstanceState(code=0, name=m.InstanceStateName.PENDING),
                username=USERNAMES.get(blueprint_id, "bitnami"), tags=list(tags or []),
                public_ip_address=self.dynamic_ip(arn),
            )
            body = instance.to_aws()
            firewall = ports.default_ports()
            body["networking"] = {"monthlyTransfer": {"gbPerMonthAllocated": bundle.transfer_per_month_in_gb},
                                  "ports": firewall}
            body[RUN] = with_host_ports({**run, "userData": user_data or "", "busy": os.getpid(),
                                         "keyPairName": key_pair_name}, ports.published(firewall),
                                        self._port_seed, self._ports_taken() | {
                                            p for _a, _n, b in made for p in b[RUN]["published"].values()})
            made.append((arn, name, body))
        operations = []
        with self.store.transaction():
            for arn, name, body in made:
                self.store.put(INSTANCE, arn, body, name=name, state="pending")
                operations.append(self._operation(body, operation_type, details))
        for arn, *_rest in made:
            self.runner.launch(arn)
        return operations

    def _change_state(self, instance_name: str, allowed: tuple[str, ...], to: str, what: str) -> dict[str, Any]:
        """Move the instance from one of ``allowed`` to ``to``, marked as this process's work."""
        body = self._instance(instance_name)

        def moved(record: dict[str, Any]) -> dict[str, Any]:
            now = record["state"]["name"]
            if now not in allowed:
                raise Conflict(f"You can't {what} an instance that is {now}: {instance_name}", INVALID)
            record[RUN]["busy"] = os.getpid()
            return set_state(record, to)
        changed = self.store.update(INSTANCE, body["arn"], moved, state=state_of)
        if changed is None:
            raise NotFound(f"The Instance does not exist: {instance_name}", code="NotFoundException")
        return changed

    @validated(rules.START)
    def start_instance(self, instance_name: str) -> list[m.Operation]:
        body = self._change_state(instance_name, ("stopped",), "pending", "start")
        operation = self._operation(body, "StartInstance")
        self.runner.start(body["arn"])
        return [operation]

    @validated(rules.STOP)
    def stop_instance(self, instance_name: str) -> list[m.Operation]:
        body = self._instance(instance_name)
        if body["state"]["name"] in ("pending", "rebooting") and not body[RUN].get("containerId"):
            raise Conflict(f"You can't stop an instance that is {body['state']['name']}: {instance_name}", INVALID)
        body = self._change_state(instance_name, ("running", "pending", "rebooting"), "stopping", "stop")
        operation = self._operation(body, "StopInstance")
        self.runner.stop(body["arn"], body[RUN]["containerId"])
        return [operation]

    @validated(rules.REBOOT)
    def reboot_instance(self, instance_name: str) -> list[m.Operation]:
        body = self._change_state(instance_name, ("running",), "rebooting", "reboot")
        operation = self._operation(body, "RebootInstance")
        self.runner.reboot(body["arn"], body[RUN]["containerId"])
        return [operation]

    @validated(rules.DELETE)
    def delete_instance(self, instance_name: str) -> list[m.Operation]:
        """DeleteInstance: its container removed with it, whatever its state."""
        body = self._instance(instance_name)
        self.runner.remove(body["arn"])
        with self.store.transaction():
            for ip in self.store.list(STATIC_IP):
                if ip.get("attachedTo") == instance_name:
                    self._detach(ip)
            self.store.delete(INSTANCE, body["arn"])
            self.operations.forget(instance_name)
            return [self.operations.record(instance_name, "Instance", "DeleteInstance",
                                           location=body.get("location"))]

    def shell_argv(self, instance_name: str) -> list[str]:
        """``docker exec -it`` into the running instance, as its blueprint's user would log in."""
        body = self._instance(instance_name)
        container_id = body[RUN].get("containerId")
        if body["state"]["name"] != "running" or not container_id:
            raise InvalidParameter(f"You can connect to a running instance only; {instance_name} is "
                                   f"{body['state']['name']}.", INVALID, field="instanceName")
        return exec_argv(self.backend.engine, container_id, "/bin/sh", "ShellUnavailable")

    def launch_output(self, instance_name: str) -> str:
        """What the launch script printed (``/var/log/cloud-init-output.log`` in the instance);
        empty until it has run. Beyond the contract."""
        container_id = self._instance(instance_name)[RUN].get("containerId")
        output = self.runner.read_output(container_id) if container_id else None
        return output or ""
