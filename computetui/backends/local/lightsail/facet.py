"""Lightsail in the local emulator: the bundle and blueprint catalogue, and instance records."""

from __future__ import annotations

from computetui.backends.base import LightsailFacet
from computetui.backends.errors import NotFound
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import lightsail as rules
from computetui.backends.rules.validation import validated
from computetui.models import lightsail as m
from computetui.pricing import LIGHTSAIL_BUNDLES

INSTANCE = "lightsail:instance"
SNAPSHOT = "lightsail:instance-snapshot"

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


class LocalLightsail(LocalFacetMixin, LightsailFacet):
    def get_bundles(self) -> list[m.Bundle]:
        return bundles()

    def get_blueprints(self) -> list[m.Blueprint]:
        return [bp for bp, _image in BLUEPRINTS]

    def get_instances(self) -> list[m.Instance]:
        return [m.Instance.model_validate(b) for b in self.store.list(INSTANCE)]

    @validated(rules.INSTANCE)
    def get_instance(self, instance_name: str) -> m.Instance:
        body = self.store.find(INSTANCE, instance_name)
        if body is None:
            raise NotFound(f"The Instance does not exist: {instance_name}", code="NotFoundException")
        return m.Instance.model_validate(body)

    def get_instance_snapshots(self) -> list[m.InstanceSnapshot]:
        return [m.InstanceSnapshot.model_validate(b) for b in self.store.list(SNAPSHOT)]
