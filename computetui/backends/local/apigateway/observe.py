"""What the gateway keeps of each request: a stage's access log and its metrics.

- **Access logs**: a stage with ``AccessLogSettings`` (``DestinationArn`` a log group's ARN,
  ``Format`` a line with ``$context.<name>`` variables) gets one line per request in that
  group, in the stream ``<api id>_<stage>``. A variable the gateway does not know is ``-``, as
  API Gateway writes an empty value.
- **Metrics** in the ``AWS/ApiGateway`` namespace, kept per minute for a day in the store (kind
  ``apigateway:metrics``) so every process can read them. HTTP APIs' are by ``ApiId`` and
  ``Stage``: ``Count``, ``4xx``, ``5xx``, ``Latency`` and ``IntegrationLatency``
  (milliseconds); REST APIs' by ``ApiName`` and ``Stage`` (as on AWS: two REST APIs of one
  name add up), with ``4XXError`` and ``5XXError`` for the errors. A TestInvokeMethod request
  is neither logged nor counted.

The leader's gateway records on its loop; a flush (a worker thread, every ``FLUSH_S``) writes
the log lines and adds the minutes up into the store.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import ComputeError, InvalidParameter
from computetui.models.metrics import MetricDataResult

if TYPE_CHECKING:
    from computetui.backends.local.state import StateStore

METRICS = "apigateway:metrics"
NAMESPACE = "AWS/ApiGateway"
METRIC_NAMES = ("Count", "4xx", "5xx", "Latency", "IntegrationLatency")
"""HTTP APIs' metrics (dimensions ``ApiId``, ``Stage``)."""
REST_METRIC_NAMES = {"Count": "Count", "4XXError": "4xx", "5XXError": "5xx", "Latency": "Latency",
                     "IntegrationLatency": "IntegrationLatency"}
"""REST APIs' metrics (dimensions ``ApiName``, ``Stage``) -> the figure each one reads."""
REST_PREFIX = "rest:"
"""A REST API's minutes: ``rest:<api id>/<stage>/<minute>``, under the parent ``rest:<api name>``."""
STATISTICS = ("Sum", "Average", "Minimum", "Maximum", "SampleCount")
MINUTE_MS = 60_000
KEPT_MS = 24 * 3600 * 1000
FLUSH_S = 0.5
_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.]+)")


def access_line(format_: str, values: dict[str, Any]) -> str:
    """``Format`` with each ``$context.<name>`` replaced by its value (``-`` when it has none)."""
    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        return "-" if found is None or found == "" else str(found)
    return _VARIABLE.sub(value, format_)


def log_group_of(destination_arn: str) -> str:
    """``arn:aws:logs:<region>:<account>:log-group:<name>[:*]`` -> ``<name>``."""
    name = destination_arn.split(":log-group:", 1)[-1]
    return name[:-2] if name.endswith(":*") else name


class Observations:
    """The requests seen since the last flush, and the flush."""

    def __init__(self, store: StateStore, logs: Any) -> None:
        self.store = store
        self.logs = logs
        self._lock = threading.Lock()
        self._lines: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self._minutes: dict[tuple[str, str, int], dict[str, Any]] = {}
        self._rest_names: dict[str, str] = {}
        """``rest:<api id>`` -> the REST API's name, for the minutes' records."""

    def record(self, api_id: str, stage: str, at_ms: int, status: int, latency_ms: float,
               integration_ms: float | None, log_to: tuple[str, str] | None, api_name: str | None = None) -> None:
        """One request: its minute's figures, and its access log line (``(group, line)``).
        ``api_name``: a REST API's request (its metrics are by name)."""
        minute = at_ms - at_ms % MINUTE_MS
        with self._lock:
            counted = api_id
            if api_name is not None:
                counted = REST_PREFIX + api_id
                self._rest_names[counted] = api_name
            figures = self._minutes.setdefault((counted, stage, minute), _empty())
            figures["Count"] += 1
            figures["4xx"] += 1 if 400 <= status < 500 else 0
            figures["5xx"] += 1 if status >= 500 else 0
            _add(figures["Latency"], latency_ms)
            if integration_ms is not None:
                _add(figures["IntegrationLatency"], integration_ms)
            if log_to is not None:
                self._lines[(log_to[0], f"{api_id}_{stage}")].append({"timestamp": at_ms, "message": log_to[1]})

    def flush(self) -> None:
        """Write what was recorded (a worker thread); a store that refuses keeps nothing back."""
        with self._lock:
            lines, self._lines = self._lines, defaultdict(list)
            minutes, self._minutes = self._minutes, {}
            names = dict(self._rest_names)
        for (group, stream), events in lines.items():
            try:
                self.logs.ensure_log_stream(group, stream)
                self.logs.append_events(group, stream, events)
            except ComputeError:
                continue
        if not minutes:
            return
        with self.store.transaction():
            for (api_id, stage, minute), figures in minutes.items():
                arn = f"{api_id}/{stage}/{minute}"
                found = self.store.get(METRICS, arn)
                name = names.get(api_id)
                if name is None:
                    body = {"apiId": api_id, "stage": stage, "minute": minute, **figures}
                    parent = api_id
                else:
                    body = {"apiId": api_id.removeprefix(REST_PREFIX), "apiName": name, "stage": stage,
                            "minute": minute, **figures}
                    parent = REST_PREFIX + name
                self.store.put(METRICS, arn, _merged(found, figures) if found else body, name=api_id, parent=parent)

    def prune(self, now_ms: int) -> None:
        """Minutes older than a day go."""
        for arn in self.store.arns(METRICS):
            minute = int(arn.rsplit("/", 1)[-1])
            if minute < now_ms - KEPT_MS:
                self.store.delete(METRICS, arn)

    # -- reading (any process) ------------------------------------------------------------------
    def query(self, query: dict[str, Any], since_ms: int, until_ms: int) -> MetricDataResult:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        name = metric["MetricName"]
        if name not in METRIC_NAMES and name not in REST_METRIC_NAMES:
            raise InvalidParameter(f"The local emulator has no metric {NAMESPACE}/{name}",
                                   code="InvalidParameterValue", field="MetricName")
        statistic = stat.get("Stat", "Sum")
        if statistic not in STATISTICS:
            raise InvalidParameter(f"The statistic {statistic} is not supported", code="InvalidParameterValue",
                                   field="Stat")
        period_ms = int(float(stat.get("Period", 60)) * 1000)
        if period_ms < MINUTE_MS or period_ms % MINUTE_MS:
            raise InvalidParameter("The parameter Period must be a multiple of 60.", code="InvalidParameterValue",
                                   field="Period")
        dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        api_id, api_name, stage = dimensions.get("ApiId"), dimensions.get("ApiName"), dimensions.get("Stage")
        parent = None
        if api_id and name in METRIC_NAMES:  # an HTTP API's
            parent = api_id
        elif api_name and not api_id and name in REST_METRIC_NAMES:  # a REST API's
            parent, name = REST_PREFIX + api_name, REST_METRIC_NAMES[name]
        buckets: dict[int, list[float]] = {}
        for body in self.store.list(METRICS, parent=parent) if parent else []:
            if stage is not None and body["stage"] != stage:
                continue
            minute = int(body["minute"])
            if not since_ms <= minute < until_ms:
                continue
            start = minute - minute % period_ms
            bucket = buckets.setdefault(start, [0.0, 0.0, float("inf"), float("-inf")])  # sum, n, min, max
            value = body[name]
            if isinstance(value, list):  # latency: [sum, n, min, max]
                if not value[1]:
                    continue
                bucket[0] += value[0]
                bucket[1] += value[1]
                bucket[2] = min(bucket[2], value[2])
                bucket[3] = max(bucket[3], value[3])
            else:  # a count: each request one sample of 1 (0 for the others, as AWS counts 4xx/5xx)
                bucket[0] += value
                bucket[1] += body["Count"]
                bucket[2] = min(bucket[2], 1.0 if value else 0.0)
                bucket[3] = max(bucket[3], 1.0 if value else 0.0)
        stamps = sorted((b for b in buckets if buckets[b][1]), reverse=True)
        return MetricDataResult(
            id=query["Id"], label=query.get("Label") or metric["MetricName"],
            timestamps=[datetime.fromtimestamp(b / 1000, tz=UTC) for b in stamps],
            values=[_statistic(buckets[b], statistic) for b in stamps],
        )


def _empty() -> dict[str, Any]:
    return {"Count": 0, "4xx": 0, "5xx": 0, "Latency": [0.0, 0, None, None],
            "IntegrationLatency": [0.0, 0, None, None]}


def _add(figure: list[Any], value: float) -> None:
    """A latency figure is ``[sum, count, minimum, maximum]`` (None until the first)."""
    figure[0] += value
    figure[1] += 1
    figure[2] = value if figure[2] is None else min(figure[2], value)
    figure[3] = value if figure[3] is None else max(figure[3], value)


def _merged(found: dict[str, Any], figures: dict[str, Any]) -> dict[str, Any]:
    merged = dict(found)
    for name in ("Count", "4xx", "5xx"):
        merged[name] = found[name] + figures[name]
    for name in ("Latency", "IntegrationLatency"):
        a, b = found[name], figures[name]
        lows = [x[2] for x in (a, b) if x[2] is not None]
        highs = [x[3] for x in (a, b) if x[3] is not None]
        merged[name] = [a[0] + b[0], a[1] + b[1], min(lows) if lows else None, max(highs) if highs else None]
    return merged


def _statistic(bucket: list[float], statistic: str) -> float:
    total, count, low, high = bucket
    return {"Sum": total, "SampleCount": count, "Average": total / count if count else 0.0,
            "Minimum": low, "Maximum": high}[statistic]
