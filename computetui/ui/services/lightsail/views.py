"""Lightsail's pages: instances, container services and the bundles' price list, as plain data."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from computetui.backends.base import Backend, LightsailFacet
from computetui.backends.errors import ComputeError
from computetui.pricing import lightsail_month_so_far, usd
from computetui.ui.format import counts
from computetui.ui.views import Column, ResourceView, Row, RowAction, ServiceSpec, Summary

if TYPE_CHECKING:  # the models (pydantic) load with the first rows, not with the app
    from computetui.models import lightsail as m


def now(b: Backend) -> datetime:
    """The backend's clock when it has one (the emulator's, fixed in tests), else the machine's."""
    clock = getattr(b, "clock", None)
    return datetime.fromtimestamp(clock.time() if clock is not None else time.time(), tz=UTC)


def facet(b: Backend) -> LightsailFacet:
    assert b.lightsail is not None
    return b.lightsail


def monthly_prices(b: Backend) -> dict[str, float]:
    return {bundle.bundle_id: bundle.price for bundle in facet(b).get_bundles()}


def so_far(monthly: float, created_at: datetime | None, at: datetime) -> float:
    """What the resource has cost this calendar month (hourly, up to the monthly price)."""
    return lightsail_month_so_far(monthly, created_at, at) if created_at is not None else 0.0


def address(b: Backend, instance: m.Instance) -> str:
    """Where the instance's web port is reached: on this machine the 127.0.0.1 port the emulator
    publishes port 80 on; else its public IP."""
    try:
        local = facet(b).local_port(instance.name, 80)
    except ComputeError:
        local = None
    if local is not None:
        return f"127.0.0.1:{local}"
    return instance.public_ip_address or "-"


def cents(amount: float) -> str:
    """What a month so far has cost, as a bill says it: to the cent."""
    return f"${amount:,.2f}"


def price_cell(monthly: float | None, spent: float) -> str:
    return f"{usd(monthly)}/mo · {cents(spent)} so far" if monthly is not None else "-"


# -- instances -----------------------------------------------------------------
def instance_row(b: Backend, i: m.Instance, prices: dict[str, float], at: datetime) -> Row:
    monthly = prices.get(i.bundle_id)
    return Row(
        key=i.arn,
        name=i.name,
        state=i.state.name.value,
        cells={
            "name": i.name,
            "state": i.state.name.value,
            "blueprint": i.blueprint_name or i.blueprint_id,
            "bundle": i.bundle_id,
            "address": address(b, i),
            "zone": i.location.availability_zone if i.location else "-",
            "price": price_cell(monthly, so_far(monthly or 0.0, i.created_at, at)),
        },
        detail=i.to_aws(),
    )


def _lightsail_instances(b: Backend) -> list[Row]:
    prices = monthly_prices(b)
    at = now(b)
    return [instance_row(b, i, prices, at) for i in facet(b).get_instances()]


def _starting(row: Row) -> bool:
    return str(row.cells.get("state") or row.state or "") == "stopped"


def _start_stop_what(row: Row) -> str:
    return f"{'start' if _starting(row) else 'stop'} instance {row.name}"


def _start_stop(b: Backend, row: Row) -> str:
    if _starting(row):
        facet(b).start_instance(row.name)
        return f"Starting instance {row.name}."
    facet(b).stop_instance(row.name)
    return f"Stopping instance {row.name}."


def _reboot(b: Backend, row: Row) -> str:
    facet(b).reboot_instance(row.name)
    return f"Rebooting instance {row.name}."


def _delete_instance(b: Backend, row: Row) -> None:
    facet(b).delete_instance(row.name)


# ``s`` and ``b``: free on a service page (``e`` is Batch's enable/disable, ``n`` ECS's drain).
START_STOP = RowAction(
    id="lightsail-start-stop", key="s", label="Start/Stop", what=_start_stop_what, run=_start_stop,
    tooltip="Stop the instance if it runs, start it if it is stopped (its disk is kept; billing goes on)",
)
REBOOT = RowAction(
    id="lightsail-reboot", key="b", label="Reboot", what=lambda row: f"reboot instance {row.name}", run=_reboot,
    tooltip="Reboot the running instance",
    confirm=lambda row: "Its programs stop and the instance boots again; its disk is kept.",
)

INSTANCE_COLUMNS = (
    Column("name", "Name"),
    Column("state", "State", "state"),
    Column("blueprint", "Blueprint"),
    Column("bundle", "Bundle"),
    Column("address", "Address"),
    Column("zone", "Zone"),
    Column("price", "Price", "number"),
)


# -- container services ------------------------------------------------------------
def power_prices(b: Backend) -> dict[str, float]:
    return {p.name: p.price for p in facet(b).get_container_service_powers()}


def service_monthly(service: m.ContainerService, powers: dict[str, float]) -> float | None:
    """A service is billed per node: its power's monthly price times its scale (also while disabled)."""
    price = powers.get(service.power)
    return price * service.scale if price is not None else None


def container_service_row(service: m.ContainerService, powers: dict[str, float], at: datetime) -> Row:
    monthly = service_monthly(service, powers)
    state = "DISABLED" if service.is_disabled else service.state.value
    current = service.current_deployment
    return Row(
        key=service.arn,
        name=service.container_service_name,
        state=state,
        cells={
            "name": service.container_service_name,
            "state": state,
            "power": service.power,
            "scale": service.scale,
            "deployment": f"v{current.version} {current.state.value}" if current else "-",
            "price": price_cell(monthly, so_far(monthly or 0.0, service.created_at, at)),
            "url": service.url or "-",
        },
        detail=service.to_aws(),
    )


def _container_services(b: Backend) -> list[Row]:
    powers = power_prices(b)
    at = now(b)
    return [container_service_row(s, powers, at) for s in facet(b).get_container_services()]


def _delete_container_service(b: Backend, row: Row) -> None:
    facet(b).delete_container_service(row.name)


CONTAINER_SERVICE_COLUMNS = (
    Column("name", "Name"),
    Column("state", "State", "state"),
    Column("power", "Power"),
    Column("scale", "Scale", "number"),
    Column("deployment", "Deployment"),
    Column("price", "Price", "number"),
    Column("url", "Public URL"),
)


# -- bundles -------------------------------------------------------------------------
def transfer(gb: int) -> str:
    return f"{gb // 1024} TB" if gb >= 1024 else f"{gb} GB"


def _lightsail_bundles(b: Backend) -> list[Row]:
    return [
        Row(
            key=f"bundle:{x.bundle_id}",
            name=x.bundle_id,
            cells={
                "name": x.bundle_id,
                "price": f"{usd(x.price)}/mo",
                "vcpus": x.cpu_count,
                "memory": f"{x.ram_size_in_gb:g} GB",
                "disk": f"{x.disk_size_in_gb} GB",
                "transfer": transfer(x.transfer_per_month_in_gb),
            },
            detail=x.to_aws(),
        )
        for x in facet(b).get_bundles()
    ]


# -- the summary ------------------------------------------------------------------------
def _services_or_none(b: Backend) -> list[m.ContainerService]:
    try:
        return facet(b).get_container_services()
    except ComputeError:  # a backend without container services still prices its instances
        return []


def month_so_far(b: Backend, services: list[m.ContainerService] | None = None) -> tuple[float, float]:
    """What this account's instances and container services have cost this month, and what they
    cost at most in a month (the sum of their monthly prices)."""
    at = now(b)
    prices = monthly_prices(b)
    spent = cap = 0.0
    for i in facet(b).get_instances():
        monthly = prices.get(i.bundle_id, 0.0)
        cap += monthly
        spent += so_far(monthly, i.created_at, at)
    services = _services_or_none(b) if services is None else services
    powers = power_prices(b) if services else {}
    for s in services:
        monthly = service_monthly(s, powers) or 0.0
        cap += monthly
        spent += so_far(monthly, s.created_at, at)
    return spent, cap


def _lightsail_summary(b: Backend) -> Summary:
    instances = facet(b).get_instances()
    services = _services_or_none(b)
    prices = monthly_prices(b)
    spent, cap = month_so_far(b, services)
    return Summary(
        count=len(instances) + len(services),  # what the page lists: instances and container services
        lines=(
            ("Instances", str(len(instances))),
            ("States", counts([i.state.name.value for i in instances])),
            ("Container services", str(len(services))),
            ("This month", f"{cents(spent)} so far · at most {usd(cap)}/mo" if cap else "-"),
            ("Bundles from", f"{usd(min(prices.values()))}/mo" if prices else "-"),
        ),
        spent=("Lightsail", spent) if cap else None,  # the header's meter shows once there is something to bill
    )


SPEC = ServiceSpec(
    id="lightsail",
    nav_label="Lightsail",
    title="Lightsail",
    facet="lightsail",
    summarize=_lightsail_summary,
    views=(
        ResourceView(
            id="instances",
            title="Instances",
            noun="instance",
            fetch=_lightsail_instances,
            delete=_delete_instance,
            delete_warning="Its disk goes with it (snapshots stay); billing stops.",
            actions=(START_STOP, REBOOT),
            opens="lightsail-instance",
            creates="lightsail-instance",
            columns=INSTANCE_COLUMNS,
        ),
        ResourceView(
            id="bundles",
            title="Bundles",
            noun="bundle",
            fetch=_lightsail_bundles,
            read_only_reason="bundles are AWS's price list, not resources of yours",
            sort="price",
            columns=(
                Column("name", "Bundle"),
                Column("price", "Price", "number"),
                Column("vcpus", "vCPUs", "number"),
                Column("memory", "Memory", "number"),
                Column("disk", "SSD disk", "number"),
                Column("transfer", "Transfer", "number"),
            ),
        ),
        ResourceView(
            id="container-services",
            title="Container services",
            noun="container service",
            fetch=_container_services,
            delete=_delete_container_service,
            delete_warning="Its deployments and its public URL go with it; billing stops.",
            opens="lightsail-container-service",
            creates="lightsail-container-service",
            columns=CONTAINER_SERVICE_COLUMNS,
        ),
    ),
)
