"""Lightsail forms: create instances (from a blueprint, or from a snapshot), open a port, take a
snapshot, attach a static IP, create a container service, deploy to it and change its power or
scale.

Each is a ``Form`` (widgets/form.py). A field Lightsail refuses (``InvalidInputException``, with
the field AWS names) is named in the message line and gets the cursor; nothing typed is lost.
A form answers True when it changed something.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Label, TextArea

from computetui.backends.base import Backend, LightsailFacet
from computetui.models import lightsail as m
from computetui.pricing import usd
from computetui.ui.services.lightsail.views import transfer
from computetui.ui.widgets.form import Field, FieldForm, Form, FormError

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PROTOCOLS = ("tcp", "udp", "all", "icmp")


def _facet(b: Backend) -> LightsailFacet:
    assert b.lightsail is not None
    return b.lightsail


def names_of(text: str) -> list[str]:
    """``web-1, web-2`` (commas or spaces) -> the names, blanks dropped."""
    return [n for n in re.split(r"[,\s]+", text) if n]


def bundle_label(bundle: m.Bundle) -> str:
    """A bundle as the picker shows it: its price first, as Lightsail's console does."""
    return (f"{usd(bundle.price)}/mo  {bundle.bundle_id} · {bundle.ram_size_in_gb:g} GB RAM · "
            f"{bundle.cpu_count} vCPUs · {bundle.disk_size_in_gb} GB SSD · {transfer(bundle.transfer_per_month_in_gb)}")


def bundle_options(bundles: list[m.Bundle]) -> list[tuple[str, str]]:
    return [(bundle_label(b), b.bundle_id) for b in sorted(bundles, key=lambda b: b.price) if b.is_active]


def blueprint_options(blueprints: list[m.Blueprint]) -> list[tuple[str, str]]:
    """Apps first, then operating systems, as the console groups them."""
    active = [b for b in blueprints if b.is_active]
    options = [(f"Apps │ {b.name}  ({b.blueprint_id})", b.blueprint_id) for b in active if b.type == "app"]
    options += [(f"OS   │ {b.name}  ({b.blueprint_id})", b.blueprint_id) for b in active if b.type != "app"]
    return options


def power_options(powers: list[m.ContainerServicePower]) -> list[tuple[str, str]]:
    return [(f"{p.name:<7} {usd(p.price)}/mo per node · {p.cpu_count:g} vCPU · {p.ram_size_in_gb:g} GB RAM", p.name)
            for p in sorted(powers, key=lambda p: p.price) if p.is_active]


def default_zone(form: Form[Any]) -> str:
    info = getattr(getattr(form.app, "overview", None), "info", None)
    return f"{info.region}a" if info is not None and info.region else "us-east-1a"


def parse_environment(text: str) -> dict[str, str]:
    """``A=1, B=two`` (or one per line) -> ``{"A": "1", "B": "two"}``."""
    found: dict[str, str] = {}
    for item in (w.strip() for w in re.split(r"[,\n]", text)):
        if not item:
            continue
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals:
            raise ValueError(f"{item!r} is not NAME=value")
        if not ENV_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a variable name (letters, digits and _, not first a digit)")
        found[name] = value.strip()
    return found


class LightsailForm(FieldForm):
    """A Lightsail form whose call returns what it did in a sentence (a notification). A field the
    backend refuses (``InvalidParameter.field``: ``instanceNames.1.member``) is mapped to the form's
    field, which the message line names and the cursor goes to."""


# -- instances -------------------------------------------------------------------------
class CreateInstancesForm(LightsailForm):
    """CreateInstances: a blueprint, a bundle, a zone, one or more names, and a launch script."""

    DEFAULT_CSS = """
    CreateInstancesForm > Vertical { width: 112; }
    """
    title_text = "Create instance"
    hint = ("Billed by the hour up to the bundle's monthly price, stopped or not. The launch script runs "
            "once, as root, at first boot. Several names make several instances.")
    backend_fields = {"instancenames": "names", "instancename": "names", "blueprintid": "blueprint",
                      "bundleid": "bundle", "availabilityzone": "zone", "userdata": "user-data"}

    def fields(self, backend: Backend) -> list[Field]:
        ls = _facet(backend)
        blueprints = blueprint_options(ls.get_blueprints())
        bundles = bundle_options(ls.get_bundles())
        return [
            Field("blueprint", "Blueprint", "select", blueprints[0][1] if blueprints else None, blueprints),
            Field("bundle", "Bundle", "select", bundles[0][1] if bundles else None, bundles),
            Field("zone", "Availability zone", default=default_zone(self)),
            Field("names", "Instance names", placeholder="web-1, web-2  (one instance per name)"),
        ]

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        yield Label("Launch script (optional: a shell script run once at first boot)", classes="hint")
        area = TextArea("", id="user-data", soft_wrap=True, show_line_numbers=False)
        area.styles.height = 6
        yield area

    def launch_script(self) -> str:
        return self.query_one("#user-data", TextArea).text

    def field_widget(self, field_id: str) -> Any:
        if field_id == "user-data":
            return self.query_one("#user-data", TextArea)
        return super().field_widget(field_id)

    def prepare(self) -> Callable[[Backend], str]:
        names = names_of(self.value("names"))
        if not names:
            raise FormError("Instance names", "give at least one (letters, numbers, periods, hyphens, "
                            "underscores; starting with a letter or number)", "names")
        blueprint, bundle, zone = self.value("blueprint"), self.value("bundle"), self.value("zone")
        if not blueprint:
            raise FormError("Blueprint", "pick one", "blueprint")
        if not bundle:
            raise FormError("Bundle", "pick one", "bundle")
        script = self.launch_script()
        self.created = names[0]

        def call(b: Backend) -> str:
            extra = {"user_data": script} if script.strip() else {}
            _facet(b).create_instances(names, zone, blueprint, bundle, **extra)
            return f"Creating {'instance ' + names[0] if len(names) == 1 else f'{len(names)} instances'} " \
                   f"({blueprint} on {bundle})."

        return self.guarded(call)


class CreateFromSnapshotForm(LightsailForm):
    """CreateInstancesFromSnapshot: the snapshot's bundle or a bigger one."""

    DEFAULT_CSS = """
    CreateFromSnapshotForm > Vertical { width: 112; }
    """
    verb = "Create"
    hint = "The new instance starts from the snapshot's disk; its bundle can be the same size or bigger."
    backend_fields = {"instancenames": "names", "bundleid": "bundle", "availabilityzone": "zone"}

    def __init__(self, snapshot: str, from_bundle: str | None = None) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.from_bundle = from_bundle
        self.title_text = f"Create instance from snapshot {snapshot}"

    def fields(self, backend: Backend) -> list[Field]:
        bundles = _facet(backend).get_bundles()
        floor = next((b.price for b in bundles if b.bundle_id == self.from_bundle), 0.0)
        options = bundle_options([b for b in bundles if b.price >= floor])
        chosen = self.from_bundle if any(v == self.from_bundle for _, v in options) else (
            options[0][1] if options else None)
        return [
            Field("bundle", "Bundle", "select", chosen, options),
            Field("zone", "Availability zone", default=default_zone(self)),
            Field("names", "Instance names", placeholder="restored-1  (one instance per name)"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        names = names_of(self.value("names"))
        if not names:
            raise FormError("Instance names", "give at least one", "names")
        bundle, zone = self.value("bundle"), self.value("zone")
        if not bundle:
            raise FormError("Bundle", "pick one", "bundle")
        self.created = names[0]
        snapshot = self.snapshot

        def call(b: Backend) -> str:
            _facet(b).create_instances_from_snapshot(names, zone, bundle, snapshot)
            return f"Creating {', '.join(names)} from snapshot {snapshot}."

        return self.guarded(call)


class CreateSnapshotForm(LightsailForm):
    verb = "Take snapshot"
    hint = "A copy of the instance's disk; new instances can start from it. Billed per GB-month kept."
    backend_fields = {"instancesnapshotname": "name"}

    def __init__(self, instance: str, default_name: str) -> None:
        super().__init__()
        self.instance = instance
        self.default_name = default_name
        self.title_text = f"Snapshot of instance {instance}"

    def fields(self, backend: Backend) -> list[Field]:
        return [Field("name", "Snapshot name", default=self.default_name)]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Snapshot name", "is required", "name")
        instance = self.instance
        self.created = name

        def call(b: Backend) -> str:
            _facet(b).create_instance_snapshot(name, instance)
            return f"Taking snapshot {name} of {instance}."

        return self.guarded(call)


class PortForm(LightsailForm):
    """OpenInstancePublicPorts: a protocol, a port or range, and who may reach it."""

    verb = "Open"
    hint = "Empty sources: anyone (0.0.0.0/0). Lightsail's firewall is per instance."
    backend_fields = {"portinfo.fromport": "from", "portinfo.toport": "to", "portinfo.protocol": "protocol",
                      "portinfo.cidrs": "cidrs", "fromport": "from", "toport": "to", "cidrs": "cidrs"}

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance
        self.title_text = f"Open a port of {instance}"

    def fields(self, backend: Backend) -> list[Field]:
        return [
            Field("protocol", "Protocol", "select", "tcp", [(p.upper() if p != "all" else "All", p) for p in PROTOCOLS]),
            Field("from", "Port", "number", placeholder="8080"),
            Field("to", "To port", "number", placeholder="empty: the same (a range otherwise)"),
            Field("cidrs", "Sources (CIDR)", placeholder="203.0.113.0/24, …  (empty: anywhere)"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        protocol = self.value("protocol") or "tcp"
        low = self.number("from", low=0, high=65535)
        high = self.number("to", low=0, high=65535, optional=True)
        high = low if high is None else high
        assert low is not None
        if high < low:
            raise FormError("To port", f"must be {low} or more", "to")
        cidrs = [c for c in re.split(r"[,\s]+", self.value("cidrs")) if c]
        info: dict[str, Any] = {"fromPort": low, "toPort": high, "protocol": protocol}
        if cidrs:
            info["cidrs"] = cidrs
        instance = self.instance

        def call(b: Backend) -> str:
            _facet(b).open_instance_public_ports(instance, info)
            ports = str(low) if low == high else f"{low}-{high}"
            return f"Opened {protocol} {ports} on {instance}."

        return self.guarded(call)


class AttachStaticIpForm(LightsailForm):
    """Attach a static IP: one kept and unattached, or a new one allocated first."""

    verb = "Attach"
    hint = ("A static IP stays the same across stop and start; attached it is free, unattached it is billed "
            "by the hour. A new name allocates one.")
    backend_fields = {"staticipname": "name"}
    NEW = "__new__"

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance
        self.title_text = f"Attach a static IP to {instance}"

    def fields(self, backend: Backend) -> list[Field]:
        free = [ip for ip in _facet(backend).get_static_ips() if not ip.is_attached]
        options = [(f"{ip.name}  {ip.ip_address or ''}", ip.name) for ip in free]
        options.append(("A new static IP (named below)", self.NEW))
        return [
            Field("which", "Static IP", "select", options[0][1], options),
            Field("name", "New IP's name", default=f"{self.instance}-ip"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        which = self.value("which")
        name = self.value("name") if which in (None, self.NEW) else which
        if not name:
            raise FormError("New IP's name", "is required", "name")
        new = which in (None, self.NEW)
        instance = self.instance

        def call(b: Backend) -> str:
            if new:
                _facet(b).allocate_static_ip(name)
            _facet(b).attach_static_ip(name, instance)
            return f"Attached static IP {name} to {instance}."

        return self.guarded(call)


# -- container services -----------------------------------------------------------------
class CreateContainerServiceForm(LightsailForm):
    title_text = "Create container service"
    hint = ("Billed per node: the power's monthly price times the scale, by the hour, disabled or not. "
            "Deploy an image once it is READY.")
    backend_fields = {"servicename": "name", "power": "power", "scale": "scale"}

    def fields(self, backend: Backend) -> list[Field]:
        powers = power_options(_facet(backend).get_container_service_powers())
        return [
            Field("name", "Service name", placeholder="my-site  (lower-case letters, digits, hyphens)"),
            Field("power", "Power", "select", powers[0][1] if powers else None, powers),
            Field("scale", "Scale (nodes)", "number", default="1"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Service name", "is required", "name")
        power = self.value("power")
        if not power:
            raise FormError("Power", "pick one", "power")
        scale = self.number("scale", low=1, high=20)
        self.created = name

        def call(b: Backend) -> str:
            _facet(b).create_container_service(name, power, scale)
            return f"Creating container service {name} ({scale} × {power})."

        return self.guarded(call)


class UpdateContainerServiceForm(LightsailForm):
    verb = "Update"
    hint = "A new power or scale replaces the nodes (the service is UPDATING, then RUNNING again)."
    backend_fields = {"power": "power", "scale": "scale"}

    def __init__(self, service: str, power: str, scale: int) -> None:
        super().__init__()
        self.service, self.power, self.scale = service, power, scale
        self.title_text = f"Capacity of container service {service}"

    def fields(self, backend: Backend) -> list[Field]:
        powers = power_options(_facet(backend).get_container_service_powers())
        return [
            Field("power", "Power", "select", self.power, powers),
            Field("scale", "Scale (nodes)", "number", default=str(self.scale)),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        power = self.value("power") or self.power
        scale = self.number("scale", low=1, high=20)
        service = self.service

        def call(b: Backend) -> str:
            _facet(b).update_container_service(service, power=power, scale=scale)
            return f"Updating container service {service} to {scale} × {power}."

        return self.guarded(call)


class DeploymentForm(LightsailForm):
    """CreateContainerServiceDeployment with one container and, when a port is given, the public endpoint."""

    verb = "Deploy"
    hint = "The new deployment is ACTIVATING until its health check passes; the last ACTIVE one serves till then."
    backend_fields = {"containers": "image", "publicendpoint.containerport": "port",
                      "publicendpoint.healthcheck": "health", "publicendpoint": "port"}

    def __init__(self, service: str, current: m.ContainerServiceDeployment | None = None) -> None:
        super().__init__()
        self.service = service
        self.current = current
        self.title_text = f"Deploy to container service {service}"

    def fields(self, backend: Backend) -> list[Field]:
        if self.current is None:  # the form starts from what runs now, to change one thing of it
            found = _facet(backend).get_container_services(self.service)
            self.current = found[0].current_deployment if found else None
        name, container = "app", None
        if self.current is not None and self.current.containers:
            name, container = next(iter(self.current.containers.items()))
        endpoint = self.current.public_endpoint if self.current is not None else None
        port = str(endpoint.container_port) if endpoint else (next(iter(container.ports), "") if container else "")
        path = endpoint.health_check.path if endpoint and endpoint.health_check else "/"
        return [
            Field("container", "Container name", default=name),
            Field("image", "Image", default=container.image if container else "", placeholder="nginx:latest"),
            Field("command", "Command", default=shlex.join(container.command) if container and container.command
                  else "", placeholder="empty: the image's (shell words)"),
            Field("environment", "Environment", default=", ".join(f"{k}={v}" for k, v in
                  (container.environment.items() if container else ())), placeholder="NAME=value, OTHER=value"),
            Field("port", "Port (HTTP)", "number", default=port, placeholder="80  (empty: no port)"),
            Field("public", "Public endpoint", "check", default=endpoint is not None or container is None,
                  text="the service's URL reaches this port"),
            Field("health", "Health check path", default=path),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        container = self.value("container")
        if not container:
            raise FormError("Container name", "is required", "container")
        image = self.value("image")
        if not image:
            raise FormError("Image", "is required (a public image, or :service.label.N of a pushed one)", "image")
        try:
            command = shlex.split(self.value("command"))
        except ValueError as exc:
            raise FormError("Command", f"{exc} (quote words with spaces, as in a shell)", "command") from None
        try:
            environment = parse_environment(self.value("environment"))
        except ValueError as exc:
            raise FormError("Environment", str(exc), "environment") from None
        port = self.number("port", low=1, high=65535, optional=True)
        public = bool(self.value("public"))
        if public and port is None:
            raise FormError("Port (HTTP)", "a public endpoint needs the port it reaches", "port")
        spec: dict[str, Any] = {"image": image}
        if command:
            spec["command"] = command
        if environment:
            spec["environment"] = environment
        if port is not None:
            spec["ports"] = {str(port): "HTTP"}
        endpoint = None
        if public:
            endpoint = {"containerName": container, "containerPort": port,
                        "healthCheck": {"path": self.value("health") or "/"}}
        service = self.service

        def call(b: Backend) -> str:
            _facet(b).create_container_service_deployment(service, {container: spec}, public_endpoint=endpoint)
            return f"Deploying {image} to {service}."

        return self.guarded(call)
