"""Lambda's CloudWatch metrics in the local emulator, from its invocation records.

``AWS/Lambda``: Invocations, Errors, Throttles (Sum), Duration (Average,
Minimum, Maximum, p50, p99) and ConcurrentExecutions (Maximum), per ``Period``
seconds, newest first as CloudWatch returns them by default.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import InvalidParameter
from computetui.backends.local.lambda_.records import percentile
from computetui.models.metrics import MetricDataResult

if TYPE_CHECKING:
    from computetui.backends.local.lambda_.records import LambdaRecords

NAMESPACE = "AWS/Lambda"
LAMBDA_METRICS = ("Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions")


def _statistic(values: list[float], stat: str) -> float:
    if stat == "Sum":
        return float(sum(values))
    if stat == "Average":
        return sum(values) / len(values)
    if stat == "Maximum":
        return max(values)
    if stat == "Minimum":
        return min(values)
    if stat == "SampleCount":
        return float(len(values))
    if stat.startswith("p"):
        return percentile(values, float(stat[1:]) / 100)
    raise InvalidParameter(f"The statistic {stat} is not supported", code="InvalidParameterValue", field="Stat")


class LambdaMetrics:
    """The ``AWS/Lambda`` namespace's source for the metrics facet."""

    def __init__(self, records: LambdaRecords) -> None:
        self.records = records

    def query(self, query: dict[str, Any], since: int, until: int) -> MetricDataResult:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        name = metric["MetricName"]
        if name not in LAMBDA_METRICS:
            raise InvalidParameter(
                f"The local emulator has no metric {metric.get('Namespace')}/{name}",
                code="InvalidParameterValue",
                field="MetricName",
            )
        dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        function = dimensions.get("FunctionName")
        period_ms = int(stat.get("Period", 60)) * 1000
        rows = self.records.rows(function, since, until) if function else []
        buckets: dict[int, list[float]] = defaultdict(list)
        for row in rows:
            bucket = row["started_ms"] - row["started_ms"] % period_ms
            throttled = bool(row["throttled"])
            if name == "Invocations" and not throttled:
                buckets[bucket].append(1)
            elif name == "Errors" and not throttled:
                buckets[bucket].append(1 if row["error_type"] else 0)
            elif name == "Throttles":
                buckets[bucket].append(1 if throttled else 0)
            elif name == "Duration" and not throttled:
                buckets[bucket].append(row["duration_ms"])
            elif name == "ConcurrentExecutions" and not throttled:
                buckets[bucket].append(row["concurrency"])
        stamps = sorted((b for b in buckets if buckets[b]), reverse=True)
        return MetricDataResult(
            id=query["Id"],
            label=query.get("Label") or name,
            timestamps=[datetime.fromtimestamp(b / 1000, tz=UTC) for b in stamps],
            values=[_statistic(buckets[b], stat.get("Stat", "Sum")) for b in stamps],
        )
