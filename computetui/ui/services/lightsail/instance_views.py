"""What an instance's page shows, as plain data: its ports, snapshots and history as rows, what it
costs, how to reach it, and its metrics as series. No Textual here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError
from computetui.models import lightsail as m
from computetui.pricing import usd
from computetui.ui.format import when
from computetui.ui.services.lightsail.views import cents, facet, monthly_prices, now, so_far
from computetui.ui.views import Column, Row, RowAction

# -- networking ------------------------------------------------------------------------
PORT_COLUMNS = (
    Column("protocol", "Protocol"),
    Column("ports", "Port range"),
    Column("state", "State", "state"),
    Column("sources", "Restricted to"),
    Column("local", "On this machine"),
)


def port_range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def port_rows(b: Backend, instance: str) -> list[Row]:
    rows = []
    for p in facet(b).get_instance_port_states(instance):
        try:
            local = facet(b).local_port(instance, p.from_port) if p.from_port == p.to_port else None
        except ComputeError:
            local = None
        sources = ", ".join([*p.cidrs, *p.ipv6_cidrs, *p.cidr_list_aliases])
        rows.append(Row(
            key=f"port:{p.protocol}:{p.from_port}-{p.to_port}",
            name=f"{p.protocol} {port_range(p.from_port, p.to_port)}",
            state=p.state,
            cells={"protocol": p.protocol.upper() if p.protocol != "all" else "All",
                   "ports": port_range(p.from_port, p.to_port), "state": p.state,
                   "sources": "anywhere" if sources in ("", "0.0.0.0/0") else sources,
                   "local": f"127.0.0.1:{local}" if local else "-"},
            detail=p.to_aws(),
            extra={"port_info": {"fromPort": p.from_port, "toPort": p.to_port, "protocol": p.protocol}},
        ))
    return rows


def _close_port(b: Backend, row: Row) -> str:
    instance = row.extra["instance"]
    facet(b).close_instance_public_ports(instance, row.extra["port_info"])
    return f"Closed {row.name} on {instance}."


CLOSE_PORT = RowAction(
    id="lightsail-close-port", key="x", label="Close port", what=lambda row: f"close port {row.name}",
    run=_close_port, tooltip="Close the port under the cursor in the instance's firewall (asks first)",
    confirm=lambda row: "Nothing from outside reaches it afterwards; open it again with p.",
)


def static_ip_of(b: Backend, instance: str) -> m.StaticIp | None:
    try:
        return next((ip for ip in facet(b).get_static_ips() if ip.attached_to == instance), None)
    except ComputeError:
        return None


# -- snapshots ---------------------------------------------------------------------------
SNAPSHOT_COLUMNS = (
    Column("name", "Name"),
    Column("state", "State", "state"),
    Column("bundle", "Bundle"),
    Column("size", "Size", "number"),
    Column("created", "Created", "time"),
)


def snapshot_rows(b: Backend, instance: str) -> list[Row]:
    return [
        Row(key=s.arn, name=s.name, state=s.state,
            cells={"name": s.name, "state": s.state, "bundle": s.from_bundle_id or "-",
                   "size": f"{s.size_in_gb} GB" if s.size_in_gb is not None else "-", "created": when(s.created_at)},
            detail=s.to_aws(), extra={"bundle": s.from_bundle_id})
        for s in facet(b).get_instance_snapshots() if s.from_instance_name == instance
    ]


# -- history -----------------------------------------------------------------------------
HISTORY_COLUMNS = (
    Column("created", "When", "time"),
    Column("operation", "Operation"),
    Column("status", "Status", "state"),
    Column("details", "Details"),
)


def history_rows(b: Backend, instance: str) -> list[Row]:
    return [
        Row(key=op.id, name=op.operation_type, state=op.status.value,
            cells={"created": when(op.created_at, seconds=True), "operation": op.operation_type, "status": op.status.value,
                   "details": op.error_details or op.operation_details or "-"},
            detail=op.to_aws())
        for op in facet(b).get_operations_for_resource(instance)
    ]


# -- cost ----------------------------------------------------------------------------------
def cost_line(b: Backend, instance: m.Instance) -> str:
    monthly = monthly_prices(b).get(instance.bundle_id)
    if monthly is None:
        return "-"
    return f"{cents(so_far(monthly, instance.created_at, now(b)))} this month so far · at most {usd(monthly)}/mo"


# -- metrics ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    label: str
    span: timedelta
    period: int
    """Seconds per point."""


WINDOWS = (
    Window("1 hour", timedelta(hours=1), 60),
    Window("6 hours", timedelta(hours=6), 300),
    Window("1 day", timedelta(days=1), 1800),
    Window("1 week", timedelta(weeks=1), 3 * 3600),
)

# (metric, statistic, unit, title)
CHARTS = (
    ("CPUUtilization", "Average", "Percent", "CPU utilization (%)"),
    ("NetworkIn", "Sum", "Bytes", "Network in (bytes)"),
    ("NetworkOut", "Sum", "Bytes", "Network out (bytes)"),
    ("StatusCheckFailed", "Sum", "Count", "Status check failures"),
)


def series(points: list[m.MetricDatapoint], statistic: str, start: datetime, window: Window) -> list[float]:
    """One value per period from ``start``, 0 where there is no datapoint."""
    count = int(window.span.total_seconds() // window.period)
    values = [0.0] * count
    attribute = {"SampleCount": "sample_count"}.get(statistic, statistic.lower())
    for p in points:
        index = int((p.timestamp - start).total_seconds() // window.period)
        value = getattr(p, attribute)
        if 0 <= index < count and value is not None:
            values[index] = float(value)
    return values


def metric_series(b: Backend, instance: str, window: Window) -> tuple[datetime, dict[str, list[float]]]:
    end = now(b)
    start = end - window.span
    found = {}
    for metric, statistic, unit, _title in CHARTS:
        points = facet(b).get_instance_metric_data(instance, metric, window.period, start, end, unit, [statistic])
        found[metric] = series(points, statistic, start, window)
    return end, found
