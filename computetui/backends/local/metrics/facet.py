"""CloudWatch metrics in the local emulator, computed from what ran.

``get_metric_data`` hands each query to the source of its namespace: each
service that has metrics adds a source when it installs (``AWS/Lambda`` from
Lambda's invocation records, ``AWS/ECS`` and ``ECS/ContainerInsights`` from the
ECS samples). A namespace nobody serves is AWS's ``InvalidParameterValue``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from computetui.backends.base import MetricsFacet
from computetui.backends.errors import InvalidParameter
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import metrics as rules
from computetui.backends.rules.validation import validated
from computetui.models.metrics import MetricDataResult

MetricSource = Callable[[dict[str, Any], int, int], MetricDataResult]
"""Answers one ``MetricDataQueries`` entry between two epoch-millisecond instants."""


def _epoch_ms(value: Any) -> int:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return int(float(value) * 1000)


class LocalMetrics(LocalFacetMixin, MetricsFacet):
    def __init__(self, backend: Any) -> None:
        super().__init__(backend)
        self._sources: dict[str, MetricSource] = {}

    def add_source(self, namespaces: Iterable[str], source: MetricSource) -> None:
        """Have ``source`` answer the queries of these namespaces."""
        for namespace in namespaces:
            self._sources[namespace] = source

    @validated(rules.GET_METRIC_DATA)
    def get_metric_data(
        self, metric_data_queries: list[dict[str, Any]], start_time: Any, end_time: Any
    ) -> list[MetricDataResult]:
        since, until = _epoch_ms(start_time), _epoch_ms(end_time)
        return [self._query(q, since, until) for q in metric_data_queries]

    def _query(self, query: dict[str, Any], since: int, until: int) -> MetricDataResult:
        metric = query["MetricStat"]["Metric"]
        source = self._sources.get(metric.get("Namespace", ""))
        if source is None:
            raise InvalidParameter(
                f"The local emulator has no metric {metric.get('Namespace')}/{metric['MetricName']}",
                code="InvalidParameterValue",
                field="MetricName",
            )
        return source(query, since, until)
