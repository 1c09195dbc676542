"""Lightsail's pages: instances and the bundles' price list."""

from __future__ import annotations

from computetui.backends.base import Backend
from computetui.pricing import usd
from computetui.ui.format import counts
from computetui.ui.views import Column, ResourceView, Row, RowAction, ServiceSpec, Summary, deleter


# -- Lightsail -----------------------------------------------------------------
def _lightsail_instances(b: Backend) -> list[Row]:
    assert b.lightsail is not None
    prices = {bundle.bundle_id: bundle.price for bundle in b.lightsail.get_bundles()}
    return [
        Row(
            key=i.arn,
            name=i.name,
            state=i.state.name.value,
            cells={
                "name": i.name,
                "state": i.state.name.value,
                "blueprint": i.blueprint_name or i.blueprint_id,
                "bundle": i.bundle_id,
                "ip": i.public_ip_address or "-",
                "zone": i.location.availability_zone if i.location else "-",
                "price": f"{usd(prices[i.bundle_id])}/mo" if i.bundle_id in prices else "-",
            },
            detail=i.to_aws(),
        )
        for i in b.lightsail.get_instances()
    ]


def _starting(row: Row) -> bool:
    return str(row.cells.get("state") or row.state or "") == "stopped"


def _start_stop_what(row: Row) -> str:
    return f"{'start' if _starting(row) else 'stop'} instance {row.name}"


def _start_stop(b: Backend, row: Row) -> str:
    assert b.lightsail is not None
    if _starting(row):
        b.lightsail.start_instance(row.name)
        return f"Starting instance {row.name}."
    b.lightsail.stop_instance(row.name)
    return f"Stopping instance {row.name}."


def _reboot(b: Backend, row: Row) -> str:
    assert b.lightsail is not None
    b.lightsail.reboot_instance(row.name)
    return f"Rebooting instance {row.name}."


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


def _lightsail_bundles(b: Backend) -> list[Row]:
    assert b.lightsail is not None
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
                "transfer": f"{x.transfer_per_month_in_gb // 1024} TB",
            },
            detail=x.to_aws(),
        )
        for x in b.lightsail.get_bundles()
    ]


def _lightsail_summary(b: Backend) -> Summary:
    assert b.lightsail is not None
    instances = b.lightsail.get_instances()
    prices = {bundle.bundle_id: bundle.price for bundle in b.lightsail.get_bundles()}
    monthly = sum(prices.get(i.bundle_id, 0.0) for i in instances)
    return Summary(
        count=len(instances),
        lines=(
            ("Instances", str(len(instances))),
            ("States", counts([i.state.name.value for i in instances])),
            ("Monthly price", f"{usd(monthly)}/mo" if instances else "-"),
            ("Bundles from", f"{usd(min(prices.values()))}/mo" if prices else "-"),
        ),
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
            delete=deleter("lightsail", "delete_instance"),
            actions=(START_STOP, REBOOT),
            columns=(
                Column("name", "Name"),
                Column("state", "State", "state"),
                Column("blueprint", "Blueprint"),
                Column("bundle", "Bundle"),
                Column("ip", "Public IP"),
                Column("zone", "Zone"),
                Column("price", "Price", "number"),
            ),
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
    ),
)
