"""Lightsail in the local emulator: the bundle and blueprint catalogue, and instance records."""

from __future__ import annotations

from computetui.backends.base import LightsailFacet
from computetui.backends.errors import NotFound
from computetui.backends.local.facet import LocalFacetMixin
from computetui.models import lightsail as m
from computetui.pricing import LIGHTSAIL_BUNDLES

INSTANCE = "lightsail:instance"
SNAPSHOT = "lightsail:instance-snapshot"

# Blueprints offered, with the public image each is emulated with on the engine.
BLUEPRINTS: tuple[tuple[m.Blueprint, str], ...] = (
    (
        m.Blueprint(
            blueprint_id="amazon_linux_2023",
            name="Amazon Linux 2023",
            group="amazon_linux_2023",
            type="os",
            description="A general-purpose Linux from AWS.",
            version="2023",
        ),
        "amazonlinux:2023",
    ),
    (
        m.Blueprint(
            blueprint_id="ubuntu_24_04",
            name="Ubuntu",
            group="ubuntu_24",
            type="os",
            description="Ubuntu 24.04 LTS.",
            version="24.04 LTS",
        ),
        "ubuntu:24.04",
    ),
    (
        m.Blueprint(
            blueprint_id="debian_12",
            name="Debian",
            group="debian_12",
            type="os",
            description="Debian 12 (bookworm).",
            version="12",
        ),
        "debian:12",
    ),
    (
        m.Blueprint(
            blueprint_id="nginx",
            name="Nginx",
            group="nginx",
            type="app",
            description="The Nginx web server.",
            version="1.27",
        ),
        "nginx:stable",
    ),
    (
        m.Blueprint(
            blueprint_id="wordpress",
            name="WordPress",
            group="wordpress",
            type="app",
            description="WordPress with its web server and database.",
            version="6",
        ),
        "wordpress:latest",
    ),
    (
        m.Blueprint(
            blueprint_id="lamp_8_bitnami",
            name="LAMP (PHP 8)",
            group="lamp_8",
            type="app",
            description="Linux, Apache, MySQL and PHP.",
            version="8",
        ),
        "php:8-apache",
    ),
    (
        m.Blueprint(
            blueprint_id="nodejs",
            name="Node.js",
            group="node",
            type="app",
            description="Node.js for web applications.",
            version="22",
        ),
        "node:22",
    ),
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

    def get_instance(self, instance_name: str) -> m.Instance:
        body = self.store.find(INSTANCE, instance_name)
        if body is None:
            raise NotFound(f"The Instance does not exist: {instance_name}", code="NotFoundException")
        return m.Instance.model_validate(body)

    def get_instance_snapshots(self) -> list[m.InstanceSnapshot]:
        return [m.InstanceSnapshot.model_validate(b) for b in self.store.list(SNAPSHOT)]
