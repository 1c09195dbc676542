"""ECS metrics in the local emulator: what running tasks use, sampled, stored and read back.

Sampling is the leader's ``ecs-metrics`` tick. A :class:`StatsCollector`
keeps one docker stats stream per container of every RUNNING task (and
drops the streams of tasks that left RUNNING); every ``period`` seconds one
row per RUNNING task goes into ``ecs_task_samples``: CPU units in use (cores x
1024, summed over the task's containers) and memory in use (MiB), next to
what the task reserves. A task none of whose containers has a fresh stats
sample yet (a stream takes about a second to give one) is left out of that
pass, as ECS reports nothing for a task it has not measured. Rows older than
24 hours are pruned.

Reading answers ``GetMetricData`` for

* ``AWS/ECS`` ``CPUUtilization`` and ``MemoryUtilization``, by
  ``{ClusterName, ServiceName}`` or ``{ClusterName}``, as ECS computes them:
  per sampling pass, total used x 100 / total reserved over the service's
  tasks (over the cluster's tasks; or, for a cluster with registered container
  instances, over what those instances register). A period's Average is the
  mean of its passes; Minimum and Maximum are the least and most loaded task
  (ECS's meaning), or the least and most loaded pass for an EC2 cluster;
  SampleCount counts task samples (passes, for an EC2 cluster) and Sum is
  Average x SampleCount, so Sum / SampleCount stays the Average;
* ``ECS/ContainerInsights`` ``CpuUtilized``, ``CpuReserved`` (CPU units),
  ``MemoryUtilized``, ``MemoryReserved`` (MiB), by ``{ClusterName, TaskId}``,
  ``{ClusterName, ServiceName}`` or ``{ClusterName}``: statistics over the
  task samples in each period.

A dimension set ECS does not publish, or a cluster with no samples, gives an
empty series, as CloudWatch answers for a metric it does not have.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from computetui.backends.docker.stats import CPU_UNITS_PER_CORE, MIB, StatsCollector
from computetui.backends.errors import ComputeError, InvalidParameter
from computetui.backends.local.ecs.facet import LocalEcs
from computetui.models import ecs as m
from computetui.models.metrics import MetricDataResult

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

TASK = "ecs:task"
CONTAINER_INSTANCE = "ecs:container-instance"
AWS_ECS = "AWS/ECS"
CONTAINER_INSIGHTS = "ECS/ContainerInsights"
NAMESPACES = (AWS_ECS, CONTAINER_INSIGHTS)

RETENTION_MS = 24 * 3600 * 1000
PRUNE_EVERY_MS = 5 * 60 * 1000
STALE_AFTER_S = 3.0
"""A stats sample older than this is a stream that ended (its container stopped): it counts for nothing."""
REWATCH_AFTER_S = 30.0
"""How long to wait before starting again a stream that ended while its task still runs."""

UTILIZATION = {"CPUUtilization": ("cpu_used", "cpu_reserved"), "MemoryUtilization": ("memory_used", "memory_reserved")}
INSIGHTS = {
    "CpuUtilized": "cpu_used",
    "CpuReserved": "cpu_reserved",
    "MemoryUtilized": "memory_used",
    "MemoryReserved": "memory_reserved",
}
REGISTERED = {"cpu_used": "CPU", "memory_used": "MEMORY"}
STATISTICS = ("Average", "Minimum", "Maximum", "SampleCount", "Sum")


class TaskSample(NamedTuple):
    """One row of ``ecs_task_samples``: a task's use at one sampling pass."""

    ts_ms: int
    cluster_arn: str
    service_name: str | None
    task_arn: str
    on_instance: bool
    """Placed on a container instance (EC2 launch type): counts toward the cluster's instance capacity."""
    cpu_used: float
    """CPU units (1024 per busy core)."""
    cpu_reserved: int
    memory_used: float
    """MiB."""
    memory_reserved: int


class Bucket(NamedTuple):
    """One period's statistics."""

    average: float
    minimum: float
    maximum: float
    sample_count: int
    sum: float

    def statistic(self, name: str) -> float:
        return {"Average": self.average, "Minimum": self.minimum, "Maximum": self.maximum,
                "SampleCount": float(self.sample_count), "Sum": self.sum}[name]


class _Watched(NamedTuple):
    """What the sampler keeps about a RUNNING task between passes."""

    cluster_arn: str
    service_name: str | None
    on_instance: bool
    cpu_reserved: int
    memory_reserved: int
    containers: tuple[str, ...]


def task_reservation(td: m.TaskDefinition) -> tuple[int, int]:
    """``(CPU units, MiB)`` a task reserves, as ECS's utilization metrics divide by.

    The task-level ``cpu`` and ``memory`` when the definition has them; else the
    containers' sum, each container's memory being its soft limit
    (``memoryReservation``) if it has one, else its hard limit (``memory``).
    """
    cpu = int(td.cpu) if td.cpu else sum(c.cpu for c in td.container_definitions)
    memory = int(td.memory) if td.memory else sum(
        c.memory_reservation or c.memory or 0 for c in td.container_definitions)
    return cpu, memory


def service_of(group: str | None) -> str | None:
    """The service a task belongs to, from its ``group`` (``service:NAME``)."""
    return group[len("service:"):] if group and group.startswith("service:") else None


class EcsMetrics:
    """The sampler (a leader tick) and the reader (for ``GetMetricData`` and auto scaling)."""

    def __init__(self, backend: Emulator, *, period: float = 10.0) -> None:
        self.backend = backend
        self.period = period
        self.collector = StatsCollector(backend.engine)
        self._tasks: dict[str, _Watched] = {}
        self._watch_tried: dict[str, float] = {}
        self._next_pass: float | None = None
        self._pruned_at_ms = 0

    @property
    def store(self):  # noqa: ANN201
        return self.backend.store

    # -- sampling --------------------------------------------------------------
    def tick(self) -> None:
        """Follow RUNNING tasks' containers; once a period, write a sample per task."""
        self.sync()
        now = self.backend.clock.monotonic()
        if self._next_pass is not None and now < self._next_pass:
            return
        # Due times step by the period, so passes average one a period even when ticks do not divide it.
        self._next_pass = now + self.period if self._next_pass is None else self._next_pass + self.period
        if self._next_pass <= now:  # fell behind (a slow pass, a paused process): start afresh
            self._next_pass = now + self.period
        self.sample()

    def sync(self) -> None:
        """Watch every container of every RUNNING task; stop watching those of tasks that left RUNNING."""
        running = set(self.store.arns(TASK, state="RUNNING"))
        for arn in [a for a in self._tasks if a not in running]:
            for container_id in self._tasks.pop(arn).containers:
                self.collector.unwatch(container_id)
                self._watch_tried.pop(container_id, None)
        for arn in running:
            if arn not in self._tasks:
                watched = self._watched(arn)
                if watched is not None:
                    self._tasks[arn] = watched
        now = time.monotonic()
        for watched in self._tasks.values():
            for container_id in watched.containers:
                if self.collector.is_streaming(container_id):
                    continue
                if now - self._watch_tried.get(container_id, -REWATCH_AFTER_S) >= REWATCH_AFTER_S:
                    self._watch_tried[container_id] = now
                    self.collector.watch(container_id)

    def _watched(self, task_arn: str) -> _Watched | None:
        body = self.store.get(TASK, task_arn)
        if body is None:
            return None
        containers = tuple(c["runtimeId"] for c in body.get("containers") or ()
                           if c.get("runtimeId") and c.get("lastStatus") == "RUNNING")
        if not containers:
            return None
        try:
            td = self.backend.part(LocalEcs).definition(body["taskDefinitionArn"])
        except ComputeError:
            return None
        cpu, memory = task_reservation(td)
        return _Watched(body["clusterArn"], service_of(body.get("group")), bool(body.get("containerInstanceArn")),
                        cpu, memory, containers)

    def sample(self) -> list[TaskSample]:
        """One pass: a row per RUNNING task that has fresh stats. Returns what was written."""
        ts_ms = int(self.backend.clock.time() * 1000)
        fresh_after = time.monotonic() - STALE_AFTER_S
        rows = []
        for task_arn, watched in self._tasks.items():
            cores = 0.0
            memory = 0
            seen = False
            for container_id in watched.containers:
                latest = self.collector.latest(container_id)
                if latest is None or latest.at < fresh_after:
                    continue
                seen = True
                cores += latest.cpu_cores
                memory += latest.memory_bytes
            if seen:
                rows.append(TaskSample(ts_ms, watched.cluster_arn, watched.service_name, task_arn,
                                       watched.on_instance, cores * CPU_UNITS_PER_CORE, watched.cpu_reserved,
                                       memory / MIB, watched.memory_reserved))
        self.record(rows, now_ms=ts_ms)
        return rows

    def record(self, rows: list[TaskSample], *, now_ms: int | None = None) -> None:
        """Store samples in one transaction; prune those older than a day every few minutes."""
        now_ms = int(self.backend.clock.time() * 1000) if now_ms is None else now_ms
        prune = now_ms - self._pruned_at_ms >= PRUNE_EVERY_MS
        if not rows and not prune:
            return
        with self.store.transaction() as db:
            if rows:
                db.executemany(
                    "INSERT INTO ecs_task_samples (ts_ms, cluster_arn, service_name, task_arn, on_instance, "
                    "cpu_used, cpu_reserved, memory_used, memory_reserved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            if prune:
                db.execute("DELETE FROM ecs_task_samples WHERE ts_ms < ?", (now_ms - RETENTION_MS,))
        if prune:
            self._pruned_at_ms = now_ms

    def close(self) -> None:
        self.collector.close()
        self._tasks.clear()
        self._watch_tried.clear()

    # -- reading ---------------------------------------------------------------
    def query(self, query: dict[str, Any], since_ms: int, until_ms: int) -> MetricDataResult:
        """One ``MetricDataQueries`` entry in the AWS/ECS or ECS/ContainerInsights namespace."""
        stat = query["MetricStat"]
        metric = stat["Metric"]
        namespace, name = metric.get("Namespace"), metric["MetricName"]
        if not (namespace == AWS_ECS and name in UTILIZATION or namespace == CONTAINER_INSIGHTS and name in INSIGHTS):
            raise InvalidParameter(f"The local emulator has no metric {namespace}/{name}",
                                   code="InvalidParameterValue", field="MetricName")
        statistic = stat.get("Stat", "Average")
        if statistic not in STATISTICS:
            raise InvalidParameter(f"The statistic {statistic} is not supported", code="InvalidParameterValue",
                                   field="Stat")
        period_ms = int(float(stat.get("Period", 60)) * 1000)
        if period_ms <= 0:
            raise InvalidParameter("The parameter Period must be greater than 0.", code="InvalidParameterValue",
                                   field="Period")
        dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        buckets = self._buckets(namespace, name, dimensions, period_ms, since_ms, until_ms)
        stamps = sorted(buckets, reverse=True)
        return MetricDataResult(
            id=query["Id"],
            label=query.get("Label") or name,
            timestamps=[datetime.fromtimestamp(b / 1000, tz=UTC) for b in stamps],
            values=[buckets[b].statistic(statistic) for b in stamps],
        )

    def service_average(self, cluster_arn: str, service_name: str, metric: str, period_ms: int,
                        since_ms: int, until_ms: int) -> dict[int, float]:
        """A service's ``CPUUtilization`` or ``MemoryUtilization`` Average per period start (epoch ms)."""
        used, reserved = UTILIZATION[metric]
        found = self._by_reservation(used, reserved, cluster_arn, service_name, period_ms, since_ms, until_ms)
        return {start: bucket.average for start, bucket in found.items()}

    def _buckets(self, namespace: str, name: str, dimensions: dict[str, str], period_ms: int,
                 since_ms: int, until_ms: int) -> dict[int, Bucket]:
        cluster = dimensions.get("ClusterName")
        if not cluster:
            return {}
        cluster_arn = cluster if cluster.startswith("arn:") else self.backend.ids.ecs_cluster(cluster)
        keys = set(dimensions)
        service = dimensions.get("ServiceName")
        if namespace == AWS_ECS:
            used, reserved = UTILIZATION[name]
            if keys == {"ClusterName", "ServiceName"}:
                return self._by_reservation(used, reserved, cluster_arn, service, period_ms, since_ms, until_ms)
            if keys == {"ClusterName"}:
                capacity = self._registered(cluster_arn, REGISTERED[used])
                if capacity:
                    return self._by_capacity(used, capacity, cluster_arn, period_ms, since_ms, until_ms)
                return self._by_reservation(used, reserved, cluster_arn, None, period_ms, since_ms, until_ms)
            return {}
        column = INSIGHTS[name]
        if keys == {"ClusterName", "TaskId"}:
            task_arn = self.backend.ids.ecs_task(cluster_arn.rsplit("/", 1)[-1], dimensions["TaskId"])
            return self._per_task(column, cluster_arn, None, task_arn, period_ms, since_ms, until_ms)
        if keys in ({"ClusterName", "ServiceName"}, {"ClusterName"}):
            return self._per_task(column, cluster_arn, service, None, period_ms, since_ms, until_ms)
        return {}

    @staticmethod
    def _where(cluster_arn: str, service_name: str | None, task_arn: str | None,
               since_ms: int, until_ms: int) -> tuple[str, list[Any]]:
        sql = "cluster_arn = ?"
        args: list[Any] = [cluster_arn]
        if service_name is not None:
            sql += " AND service_name = ?"
            args.append(service_name)
        if task_arn is not None:
            sql += " AND task_arn = ?"
            args.append(task_arn)
        return sql + " AND ts_ms >= ? AND ts_ms < ?", [*args, since_ms, until_ms]

    def _by_reservation(self, used: str, reserved: str, cluster_arn: str, service_name: str | None,
                        period_ms: int, since_ms: int, until_ms: int) -> dict[int, Bucket]:
        where, args = self._where(cluster_arn, service_name, None, since_ms, until_ms)
        # One row per sampling pass: the pass's total use and reservation, and its least and most loaded task.
        sql = (f"SELECT ts_ms, SUM({used}), SUM({reserved}), MIN({used} * 100.0 / {reserved}), "
               f"MAX({used} * 100.0 / {reserved}), COUNT(*) FROM ecs_task_samples "
               f"WHERE {where} AND {reserved} > 0 GROUP BY ts_ms")
        passes: dict[int, list[float]] = {}
        with self.store.reading() as db:
            for ts_ms, total_used, total_reserved, low, high, count in db.execute(sql, args):
                start = ts_ms - ts_ms % period_ms
                value = total_used * 100.0 / total_reserved
                acc = passes.get(start)
                if acc is None:
                    passes[start] = [value, 1, low, high, count]
                else:
                    acc[0] += value
                    acc[1] += 1
                    acc[2] = min(acc[2], low)
                    acc[3] = max(acc[3], high)
                    acc[4] += count
        buckets = {}
        for start, (total, n, low, high, count) in passes.items():
            average = total / n
            buckets[start] = Bucket(average, low, high, int(count), average * count)
        return buckets

    def _by_capacity(self, used: str, capacity: int, cluster_arn: str, period_ms: int,
                     since_ms: int, until_ms: int) -> dict[int, Bucket]:
        where, args = self._where(cluster_arn, None, None, since_ms, until_ms)
        sql = f"SELECT ts_ms, SUM({used}) FROM ecs_task_samples WHERE {where} AND on_instance = 1 GROUP BY ts_ms"
        values: dict[int, list[float]] = {}
        with self.store.reading() as db:
            for ts_ms, total_used in db.execute(sql, args):
                values.setdefault(ts_ms - ts_ms % period_ms, []).append(total_used * 100.0 / capacity)
        return {start: Bucket(sum(v) / len(v), min(v), max(v), len(v), sum(v)) for start, v in values.items()}

    def _per_task(self, column: str, cluster_arn: str, service_name: str | None, task_arn: str | None,
                  period_ms: int, since_ms: int, until_ms: int) -> dict[int, Bucket]:
        where, args = self._where(cluster_arn, service_name, task_arn, since_ms, until_ms)
        sql = (f"SELECT ts_ms - ts_ms % ? AS start, SUM({column}), MIN({column}), MAX({column}), COUNT(*) "
               f"FROM ecs_task_samples WHERE {where} GROUP BY start")
        with self.store.reading() as db:
            rows = db.execute(sql, [period_ms, *args]).fetchall()
        return {start: Bucket(total / count, low, high, count, total) for start, total, low, high, count in rows}

    def _registered(self, cluster_arn: str, resource: str) -> int:
        """What the cluster's ACTIVE and DRAINING container instances register of CPU or MEMORY."""
        total = 0
        for body in self.store.list(CONTAINER_INSTANCE, parent=cluster_arn):
            if body.get("status", "ACTIVE") not in ("ACTIVE", "DRAINING"):
                continue
            for registered in body.get("registeredResources") or ():
                if registered.get("name") == resource:
                    total += int(registered.get("integerValue") or 0)
        return total
