"""Lightsail container services in the local emulator, mixed into ``LocalLightsail``.

So far only the catalogue: GetContainerServicePowers from ``pricing.LIGHTSAIL_POWERS``. The
services themselves (records, nodes as containers, the public endpoint on the shared load
balancer, logs) come next; their requests are in ``backends/rules/lightsail_containers.py``.
"""

from __future__ import annotations

from computetui.backends.local.lightsail.parts import FacetParts
from computetui.models import lightsail as m
from computetui.pricing import LIGHTSAIL_POWERS


class ContainerServices(FacetParts):
    """Lightsail's container services (the powers, so far)."""

    def get_container_service_powers(self) -> list[m.ContainerServicePower]:
        return [m.ContainerServicePower(power_id=p.power_id, price=p.monthly_usd, cpu_count=p.cpu_count,
                                        ram_size_in_gb=p.ram_gb, name=p.power, is_active=True)
                for p in LIGHTSAIL_POWERS]
