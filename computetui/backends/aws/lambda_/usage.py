"""This month's Lambda use, read from CloudWatch, for the console's cost meter.

``usage_this_month`` reads CloudWatch: ``AWS/Lambda`` ``Invocations`` (Sum, all
functions) for requests, and each function's ``Duration`` (Sum) times its memory
for GB-seconds, in one GetMetricData call for up to 499 functions, one data point
per query covering the month so far. It is an estimate: Duration is not rounded
up per invocation as billing is, a version with a different memory size counts at
``$LATEST``'s, and deleted functions' compute is gone from the sum. GetMetricData
is billed per metric requested, so the answer is kept for five minutes.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from computetui import pricing
from computetui.backends.aws.kit import Caller
from computetui.backends.errors import AccessDenied

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

USAGE_TTL_S = 300.0
"""How long ``usage_this_month`` keeps its answer: GetMetricData is billed per metric."""

METRIC_QUERIES_MAX = 500


class MonthlyUsageFromMetrics:
    """``usage_this_month`` (part of AwsLambda)."""

    backend: AwsBackend
    api: Caller
    cloudwatch: Caller
    _lock: Any
    _usage: Any
    _monotonic: Any

    # -- this month's use ------------------------------------------------------
    def usage_this_month(self) -> pricing.LambdaMonthlyCost | None:
        now = self._monotonic()
        with self._lock:
            if self._usage is not None and now - self._usage[0] < USAGE_TTL_S:
                return self._usage[1]
        try:
            usage = self._usage_now()
        except AccessDenied:
            return None  # no cloudwatch:GetMetricData: the backend cannot tell
        with self._lock:
            self._usage = (now, usage)
        return usage

    def _usage_now(self) -> pricing.LambdaMonthlyCost:
        functions = self.list_functions()
        end = self._now().astimezone(UTC)
        start = datetime(end.year, end.month, 1, tzinfo=UTC)
        # One data point for the month so far: whole hours (a multiple of 300 and 3600 s, which
        # CloudWatch asks of periods that start more than 15 and 63 days ago).
        period = max(3600, math.ceil((end - start).total_seconds() / 3600) * 3600)

        def query(query_id: str, metric: str, dimensions: list[dict[str, str]]) -> dict[str, Any]:
            return {
                "Id": query_id,
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dimensions},
                    "Period": period,
                    "Stat": "Sum",
                },
            }

        queries = [query("requests", "Invocations", [])]
        queries += [
            query(f"d{i}", "Duration", [{"Name": "FunctionName", "Value": f.function_name}])
            for i, f in enumerate(functions)
        ]
        totals: dict[str, float] = {}
        for start_at in range(0, len(queries), METRIC_QUERIES_MAX):
            batch = queries[start_at : start_at + METRIC_QUERIES_MAX]
            token = None
            while True:
                answer = self.cloudwatch.call(
                    "get_metric_data", MetricDataQueries=batch, StartTime=start, EndTime=end, NextToken=token
                )
                for result in answer.get("MetricDataResults") or []:
                    totals[result["Id"]] = totals.get(result["Id"], 0.0) + sum(result.get("Values") or [])
                token = answer.get("NextToken")
                if not token:
                    break
        requests = int(round(totals.get("requests", 0.0)))
        gb_seconds = 0.0
        used_architectures = set()
        for i, function in enumerate(functions):
            duration_ms = totals.get(f"d{i}", 0.0)
            if duration_ms:
                gb_seconds += duration_ms / 1000 * function.memory_size / 1024
                used_architectures.add(function.architectures[0].value if function.architectures else "x86_64")
        # The free tier is shared; price what is left at the x86 rate unless everything ran on arm64.
        architecture = "arm64" if used_architectures == {"arm64"} else "x86_64"
        return pricing.lambda_monthly_cost(requests, gb_seconds, architecture)
