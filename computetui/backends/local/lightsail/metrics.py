"""Lightsail instance metrics in the local emulator, from the engine's stats streams.

``InstanceMetrics`` (a part; a leader tick) follows each running instance's container with the
stats collector ECS uses, and once a ``period`` writes a row per instance: CPU as a percent of its
bundle's vCPUs, the bytes its interfaces received and sent since the last row, and whether its
status check failed (its record says running but its container does not run). Rows are kept a day.

``InstanceMetricsReader`` (a mixin of the facet) answers GetInstanceMetricData from those rows:
CPUUtilization (Percent), NetworkIn and NetworkOut (Bytes), StatusCheckFailed and its _Instance
and _System forms (Count; the emulator has no host of its own to fail, so _System is always 0).
Datapoints are per ``period`` (aligned to multiples of it, as CloudWatch aligns them), oldest first, only for periods with rows.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from computetui.backends.docker.stats import StatsCollector
from computetui.backends.errors import ComputeError, InvalidParameter
from computetui.backends.local.lightsail.instances import INSTANCE, RUN
from computetui.backends.local.lightsail.parts import FacetParts
from computetui.backends.rules import lightsail as rules
from computetui.backends.rules.validation import validated
from computetui.models import lightsail as m

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

RETENTION_MS = 24 * 3600 * 1000
STALE_AFTER_S = 5.0
UNITS = {"CPUUtilization": "Percent", "NetworkIn": "Bytes", "NetworkOut": "Bytes", "StatusCheckFailed": "Count",
         "StatusCheckFailed_Instance": "Count", "StatusCheckFailed_System": "Count"}
COLUMNS = {"CPUUtilization": "cpu_percent", "NetworkIn": "network_in", "NetworkOut": "network_out",
           "StatusCheckFailed": "status_check_failed", "StatusCheckFailed_Instance": "status_check_failed",
           "StatusCheckFailed_System": "0"}


class InstanceMetrics:
    """Samples running instances' containers into ``lightsail_instance_samples``."""

    def __init__(self, emulator: Emulator, *, period: float = 10.0) -> None:
        self.emulator = emulator
        self.period = period
        self.collector = StatsCollector(emulator.engine)
        self._watched: dict[str, str] = {}
        """Container id by instance ARN."""
        self._last_bytes: dict[str, tuple[int, int]] = {}
        self._next_pass: float | None = None
        self._pruned_at_ms = 0

    def tick(self) -> None:
        now = time.monotonic()
        self.sync()
        if self._next_pass is not None and now < self._next_pass:
            return
        self._next_pass = now + self.period
        self.sample()

    def sync(self) -> None:
        """Watch the container of every running instance; let go of the others."""
        running = {b["arn"]: b[RUN].get("containerId") for b in self.emulator.store.list(INSTANCE, state="running")
                   if b[RUN].get("containerId")}
        for arn, container_id in list(self._watched.items()):
            if running.get(arn) != container_id:
                self.collector.unwatch(container_id)
                self._watched.pop(arn)
                self._last_bytes.pop(container_id, None)
        for arn, container_id in running.items():
            if arn not in self._watched or not self.collector.is_streaming(container_id):
                self._watched[arn] = container_id
                self.collector.watch(container_id)

    def sample(self) -> list[tuple[Any, ...]]:
        """One pass: a row per running instance. Returns the rows written."""
        ts_ms = int(self.emulator.clock.time() * 1000)
        fresh_after = time.monotonic() - STALE_AFTER_S
        rows = []
        for body in self.emulator.store.list(INSTANCE, state="running"):
            container_id = self._watched.get(body["arn"])
            if container_id is None:
                continue
            latest = self.collector.latest(container_id)
            if latest is None or latest.at < fresh_after:
                try:
                    state = self.emulator.containers.state(container_id)
                except ComputeError:
                    continue
                if state is None or not state.running:
                    rows.append((ts_ms, body["arn"], 0.0, 0.0, 0.0, 1))
                continue
            vcpus = float((body.get("hardware") or {}).get("cpuCount") or 1)
            rx_before, tx_before = self._last_bytes.get(container_id, (latest.rx_bytes, latest.tx_bytes))
            self._last_bytes[container_id] = (latest.rx_bytes, latest.tx_bytes)
            rows.append((ts_ms, body["arn"], min(100.0, latest.cpu_cores / vcpus * 100),
                         float(max(0, latest.rx_bytes - rx_before)), float(max(0, latest.tx_bytes - tx_before)), 0))
        self.record(rows, now_ms=ts_ms)
        return rows

    def record(self, rows: list[tuple[Any, ...]], *, now_ms: int) -> None:
        prune = now_ms - self._pruned_at_ms >= 300_000
        if not rows and not prune:
            return
        with self.emulator.store.transaction() as db:
            if rows:
                db.executemany("INSERT INTO lightsail_instance_samples (ts_ms, instance_arn, cpu_percent, network_in, "
                               "network_out, status_check_failed) VALUES (?, ?, ?, ?, ?, ?)", rows)
            if prune:
                db.execute("DELETE FROM lightsail_instance_samples WHERE ts_ms < ?", (now_ms - RETENTION_MS,))
        if prune:
            self._pruned_at_ms = now_ms

    def close(self) -> None:
        self.collector.close()
        self._watched.clear()


def _statistic(name: str, values: list[float]) -> float:
    if name == "Sum":
        return sum(values)
    if name == "Average":
        return sum(values) / len(values)
    if name == "Maximum":
        return max(values)
    if name == "Minimum":
        return min(values)
    return float(len(values))


class InstanceMetricsReader(FacetParts):
    """GetInstanceMetricData (a mixin of :class:`LocalLightsail`)."""

    @validated(rules.METRIC_DATA)
    def get_instance_metric_data(
        self, instance_name: str, metric_name: str, period: int, start_time: datetime,
        end_time: datetime, unit: str, statistics: list[str],
    ) -> list[m.MetricDatapoint]:
        body = self._instance(instance_name)
        if unit != UNITS[metric_name]:
            raise InvalidParameter(f"The unit {unit} is not valid for {metric_name} (it is measured in "
                                   f"{UNITS[metric_name]}).", "InvalidInputException", field="unit")
        start, end = _utc(start_time), _utc(end_time)
        if end <= start:
            raise InvalidParameter("The endTime must be after the startTime.", "InvalidInputException",
                                   field="endTime")
        start_ms, end_ms, period_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000), period * 1000
        column = COLUMNS[metric_name]
        with self.store.reading() as db:
            found = db.execute(f"SELECT ts_ms, {column} FROM lightsail_instance_samples "  # noqa: S608 - a known column
                               "WHERE instance_arn = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms",
                               (body["arn"], start_ms, end_ms)).fetchall()
        buckets: dict[int, list[float]] = {}
        for ts_ms, value in found:
            buckets.setdefault(ts_ms // period_ms, []).append(float(value))
        points = []
        for index in sorted(buckets):
            values = buckets[index]
            stats = {name: _statistic(name, values) for name in statistics}
            points.append(m.MetricDatapoint(
                average=stats.get("Average"), maximum=stats.get("Maximum"), minimum=stats.get("Minimum"),
                sample_count=stats.get("SampleCount"), sum=stats.get("Sum"),
                timestamp=datetime.fromtimestamp(index * period_ms / 1000, UTC), unit=unit))
        return points


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
