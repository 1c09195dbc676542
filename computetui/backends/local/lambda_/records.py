"""What invocations leave behind: log events, and a row each for metrics and cost.

Written from the runtime's single writer thread, one transaction per
invocation; read by the metrics facet and the cost meter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from computetui import pricing
from computetui.backends.local.logs.facet import LocalLogs

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator
    from computetui.backends.local.lambda_.sandbox import EnvironmentSpec

RETENTION_MS = 35 * 24 * 3600 * 1000
PRUNE_EVERY = 500


@dataclass(frozen=True)
class InvocationRecord:
    """What one invocation leaves behind, for metrics and cost."""

    function_name: str
    version: str
    request_id: str
    started_ms: int
    duration_ms: float
    billed_ms: int
    init_ms: float | None
    memory_mb: int
    max_memory_mb: int | None
    """None when the sandbox could not measure it (stored as 0)."""
    architecture: str
    error_type: str | None
    throttled: bool = False
    concurrency: int = 1


class LambdaRecords:
    def __init__(self, backend: Emulator) -> None:
        self.backend = backend
        self._writes = 0

    @property
    def store(self):  # noqa: ANN201
        return self.backend.store

    def write(
        self,
        record: InvocationRecord,
        spec: EnvironmentSpec | None = None,
        lines: list[tuple[int, str]] | None = None,
    ) -> None:
        self.write_many([(record, spec, lines)])

    def write_many(
        self, batch: list[tuple[InvocationRecord, EnvironmentSpec | None, list[tuple[int, str]] | None]]
    ) -> None:
        """Several invocations' log lines and rows in one transaction."""
        with self.store.transaction():
            for record, spec, lines in batch:
                self._write_one(record, spec, lines)

    def write_lines(self, spec: EnvironmentSpec, lines: list[tuple[int, str]]) -> None:
        """Some of an invocation's log lines, ahead of its row (a long output goes in parts)."""
        logs = self.backend.part(LocalLogs)
        with self.store.transaction():
            logs.ensure_log_stream(spec.log_group, spec.log_stream)
            logs.append_events(spec.log_group, spec.log_stream, [{"timestamp": ts, "message": text} for ts, text in lines])

    def _write_one(
        self,
        record: InvocationRecord,
        spec: EnvironmentSpec | None,
        lines: list[tuple[int, str]] | None,
    ) -> None:
        logs = self.backend.part(LocalLogs)
        with self.store.transaction() as db:
            if spec is not None and lines:
                logs.ensure_log_stream(spec.log_group, spec.log_stream)
                logs.append_events(
                    spec.log_group, spec.log_stream, [{"timestamp": ts, "message": text} for ts, text in lines]
                )
            db.execute(
                """INSERT INTO lambda_invocations (function_name, version, request_id, started_ms, duration_ms,
                   billed_ms, init_ms, memory_mb, max_memory_mb, architecture, error_type, throttled, concurrency)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    record.function_name,
                    record.version,
                    record.request_id,
                    record.started_ms,
                    record.duration_ms,
                    record.billed_ms,
                    record.init_ms,
                    record.memory_mb,
                    record.max_memory_mb or 0,
                    record.architecture,
                    record.error_type,
                    int(record.throttled),
                    record.concurrency,
                ),
            )
            self._writes += 1
            if self._writes % PRUNE_EVERY == 0:
                db.execute("DELETE FROM lambda_invocations WHERE started_ms < ?", (record.started_ms - RETENTION_MS,))

    def rows(self, function_name: str, since_ms: int, until_ms: int) -> list[dict]:
        with self.store.reading() as db:
            found = db.execute(
                "SELECT * FROM lambda_invocations WHERE function_name = ? AND started_ms >= ? AND started_ms < ? "
                "ORDER BY started_ms",
                (function_name, since_ms, until_ms),
            ).fetchall()
        return [dict(row) for row in found]

    def month_to_date(self) -> pricing.LambdaMonthlyCost:
        """This calendar month's invocations (throttles do not count), priced after the free tier."""
        now = self.backend.clock.now().astimezone(UTC)
        month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT architecture, COUNT(*) AS n, SUM(billed_ms * memory_mb) AS mb_ms FROM lambda_invocations "
                "WHERE throttled = 0 AND started_ms >= ? GROUP BY architecture",
                (int(month_start.timestamp() * 1000),),
            ).fetchall()
        requests = sum(r["n"] for r in rows)
        gb_seconds = sum((r["mb_ms"] or 0) / 1024 / 1000 for r in rows)
        # The free tier is shared; price what is left over at the x86 rate unless everything ran on arm64.
        architecture = "arm64" if rows and all(r["architecture"] == "arm64" for r in rows) else "x86_64"
        return pricing.lambda_monthly_cost(requests, gb_seconds, architecture)


def invocation_cost(billed_ms: int, memory_mb: int, architecture: str) -> float:
    return pricing.lambda_invocation_cost(billed_ms, memory_mb, architecture)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile, as CloudWatch's pNN statistics use."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
