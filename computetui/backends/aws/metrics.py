"""CloudWatch metrics through boto3: ``GetMetricData``.

The contract's queries are AWS's ``MetricDataQueries`` and go as they are. One
call takes at most 500 queries, so longer lists are sent in batches of 500 — a
metric math expression stays in the same batch as the queries it names, since
CloudWatch resolves those ids within one call. A call whose data points do not fit
one answer continues with ``NextToken``; the pieces of each query's series are
joined. Results come back in the order of the queries (those with
``ReturnData: false`` left out, as AWS does), newest data point first
(CloudWatch's default ``TimestampDescending``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, parse
from computetui.backends.base import MetricsFacet
from computetui.backends.errors import InvalidParameter
from computetui.models.metrics import MetricDataResult

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

QUERIES_MAX = 500
"""GetMetricData: at most 500 MetricDataQuery structures a call."""
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def query_batches(queries: list[dict[str, Any]], size: int = QUERIES_MAX) -> list[list[dict[str, Any]]]:
    """``queries`` in calls of at most ``size``, each expression with the queries it refers to.

    Queries that refer to each other (through ids in an ``Expression``) form a group that
    is never split; groups are packed into calls in the order they first appear.
    """
    ids = {q.get("Id") for q in queries}
    parent = list(range(len(queries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = {q.get("Id"): i for i, q in enumerate(queries)}
    for i, q in enumerate(queries):
        expression = q.get("Expression")
        if not expression:
            continue
        for word in _WORD.findall(expression):
            if word in ids and word != q.get("Id"):
                parent[root(index[word])] = root(i)
    groups: dict[int, list[dict[str, Any]]] = {}
    for i, q in enumerate(queries):
        groups.setdefault(root(i), []).append(q)
    batches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    for group in groups.values():
        if len(group) > size:
            raise InvalidParameter(
                f"{len(group)} queries refer to each other; GetMetricData takes at most {size} in one call",
                code="InvalidParameterValue",
                field="MetricDataQueries",
            )
        if len(current) + len(group) > size:
            batches.append(current)
            current = []
        current.extend(group)
    if current:
        batches.append(current)
    return batches


class AwsMetrics(MetricsFacet):
    backend: AwsBackend

    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.api = Caller(
            backend,
            "cloudwatch",
            invalid_code="InvalidParameterValue",
            kinds={"InvalidParameterValue": "invalid", "MissingParameter": "invalid", "InvalidNextToken": "invalid"},
        )

    def get_metric_data(
        self, metric_data_queries: list[dict[str, Any]], start_time: Any, end_time: Any
    ) -> list[MetricDataResult]:
        queries = [dict(q) for q in metric_data_queries]
        merged: dict[str, dict[str, Any]] = {}
        for batch in query_batches(queries):
            token = None
            while True:
                answer = self.api.call(
                    "get_metric_data",
                    MetricDataQueries=batch,
                    StartTime=start_time,
                    EndTime=end_time,
                    NextToken=token,
                )
                for result in answer.get("MetricDataResults") or []:
                    into = merged.setdefault(result["Id"], {**result, "Timestamps": [], "Values": []})
                    into["Timestamps"].extend(result.get("Timestamps") or [])
                    into["Values"].extend(result.get("Values") or [])
                    into["StatusCode"] = result.get("StatusCode", into.get("StatusCode"))
                    if result.get("Label"):
                        into["Label"] = result["Label"]
                token = answer.get("NextToken")
                if not token:
                    break
        by_id = {q.get("Id"): q for q in queries}
        order = [q["Id"] for q in queries if q.get("Id") in merged]
        order += [i for i in merged if i not in by_id]
        results = []
        for query_id in order:
            data = merged[query_id]
            if not data.get("Label"):
                data["Label"] = (by_id.get(query_id) or {}).get("Label") or query_id
            results.append(parse(MetricDataResult, data))
        return results
