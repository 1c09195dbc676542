"""The aws CloudWatch metrics adapter (GetMetricData) against moto's server, with calls counted;
NextToken continuation with botocore's Stubber."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import ANY, Stubber

from computetui.backends.aws.metrics import QUERIES_MAX, query_batches
from computetui.backends.errors import InvalidParameter


def lambda_query(query_id: str, function: str, metric: str = "Invocations", stat: str = "Sum", **extra) -> dict:  # noqa: ANN003
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/Lambda",
                "MetricName": metric,
                "Dimensions": [{"Name": "FunctionName", "Value": function}],
            },
            "Period": 60,
            "Stat": stat,
        },
        **extra,
    }


@pytest.fixture
def window() -> tuple[datetime, datetime]:
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    return end - timedelta(hours=1), end


def put(backend, function: str, metric: str, values: list[tuple[datetime, float]]) -> None:  # noqa: ANN001
    backend.client("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "FunctionName", "Value": function}],
                "Timestamp": when,
                "Value": value,
            }
            for when, value in values
        ],
    )


def test_the_monitor_tabs_queries_are_one_call(aws_backend, calls, window) -> None:  # noqa: ANN001
    start, end = window
    put(aws_backend, "hello", "Invocations", [(end - timedelta(minutes=10), 3), (end - timedelta(minutes=5), 2)])
    put(aws_backend, "hello", "Duration", [(end - timedelta(minutes=5), 100.0), (end - timedelta(minutes=5), 50.0)])
    calls.clear()
    queries = [
        lambda_query("q0", "hello", Label="Invocations Sum"),
        lambda_query("q1", "hello", "Duration", "Average"),
        lambda_query("q2", "hello", "Errors"),
    ]
    results = aws_backend.metrics.get_metric_data(queries, start, end)
    assert calls.of("cloudwatch", "GetMetricData") == 1 and calls.total() == 1
    assert [r.id for r in results] == ["q0", "q1", "q2"]
    invocations, duration, errors = results
    assert invocations.label == "Invocations Sum"
    assert sorted(invocations.values) == [2.0, 3.0]
    assert invocations.timestamps == sorted(invocations.timestamps, reverse=True)  # newest first
    assert duration.values == [75.0]
    assert errors.values == [] and errors.status_code == "Complete"
    assert all(t.tzinfo is not None for t in invocations.timestamps)


def test_1200_queries_go_in_3_calls_of_at_most_500(aws_backend, calls, window) -> None:  # noqa: ANN001
    start, end = window
    put(aws_backend, "fn-0", "Invocations", [(end - timedelta(minutes=2), 7)])
    queries = [lambda_query(f"q{i}", f"fn-{i}") for i in range(1200)]
    sizes: list[int] = []
    aws_backend.client("cloudwatch").meta.events.register(
        "provide-client-params.monitoring.GetMetricData",
        lambda params, **_: sizes.append(len(params["MetricDataQueries"])),
    )
    results = aws_backend.metrics.get_metric_data(queries, start, end)
    assert calls.of("cloudwatch", "GetMetricData") == 3
    assert sizes == [500, 500, 200]
    assert [r.id for r in results] == [q["Id"] for q in queries]
    assert results[0].values == [7.0]


def test_an_expression_stays_in_the_call_of_the_queries_it_names() -> None:
    queries = [lambda_query(f"m{i}", "f", ReturnData=False) for i in range(QUERIES_MAX - 1)]
    queries += [lambda_query("errors", "f", "Errors"), lambda_query("calls", "f")]
    queries += [{"Id": "rate", "Expression": "100 * errors / calls", "Label": "Error rate"}]
    batches = query_batches(queries)
    assert [len(b) for b in batches] == [QUERIES_MAX - 1, 3]
    assert [q["Id"] for q in batches[1]] == ["errors", "calls", "rate"]
    assert sum(len(b) for b in batches) == len(queries)
    linked = [{"Id": f"a{i}", "Expression": f"a{i + 1} + 1"} for i in range(QUERIES_MAX)] + [
        lambda_query(f"a{QUERIES_MAX}", "f")
    ]
    with pytest.raises(InvalidParameter) as caught:
        query_batches(linked)
    assert caught.value.field == "MetricDataQueries"


def test_an_expression_is_answered_with_the_queries_it_names(aws_backend, window) -> None:  # noqa: ANN001
    # moto's metric math only resolves an expression that is another query's id; AWS computes
    # any expression, as long as the ids it names are in the same call (query_batches above).
    start, end = window
    put(aws_backend, "f", "Errors", [(end - timedelta(minutes=3), 1)])
    queries = [
        lambda_query("calls", "f", ReturnData=False),
        lambda_query("errors", "f", "Errors", ReturnData=False),
        {"Id": "shown", "Expression": "errors", "Label": "Errors (math)"},
    ]
    [shown] = aws_backend.metrics.get_metric_data(queries, start, end)  # ReturnData false: left out
    assert (shown.id, shown.label, shown.values) == ("shown", "Errors (math)", [1.0])


def test_next_token_pages_are_joined_per_query(aws_backend, calls, window) -> None:  # noqa: ANN001
    start, end = window
    t = [end - timedelta(minutes=m) for m in range(4)]
    queries = [lambda_query("a", "f"), lambda_query("b", "f", "Errors")]
    expected = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
    with Stubber(aws_backend.client("cloudwatch")) as stub:
        stub.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {
                        "Id": "a",
                        "Label": "Invocations",
                        "Timestamps": t[:2],
                        "Values": [1.0, 2.0],
                        "StatusCode": "PartialData",
                    },
                    {"Id": "b", "Label": "Errors", "Timestamps": [t[0]], "Values": [0.0], "StatusCode": "Complete"},
                ],
                "NextToken": "more",
            },
            expected,
        )
        stub.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {
                        "Id": "a",
                        "Label": "Invocations",
                        "Timestamps": t[2:],
                        "Values": [3.0, 4.0],
                        "StatusCode": "Complete",
                    }
                ]
            },
            {**expected, "NextToken": "more"},
        )
        a, b = aws_backend.metrics.get_metric_data(queries, start, end)
        stub.assert_no_pending_responses()
    assert a.values == [1.0, 2.0, 3.0, 4.0] and a.timestamps == t and a.status_code == "Complete"
    assert b.values == [0.0]
    assert calls.of("cloudwatch", "GetMetricData") == 2


def test_errors_keep_cloudwatchs_code(aws_backend, window) -> None:  # noqa: ANN001
    start, end = window
    with Stubber(aws_backend.client("cloudwatch")) as stub:
        stub.add_client_error(
            "get_metric_data",
            service_error_code="InvalidParameterValue",
            service_message="The value 61 for parameter MetricDataQueries.member.1.MetricStat.Period is not a multiple of 60.",
            expected_params={"MetricDataQueries": ANY, "StartTime": start, "EndTime": end},
        )
        with pytest.raises(InvalidParameter) as caught:
            aws_backend.metrics.get_metric_data([lambda_query("a", "f")], start, end)
    assert caught.value.code == "InvalidParameterValue"


def test_metrics_have_nothing_to_refuse_in_read_only_mode(aws_backend) -> None:  # noqa: ANN001
    assert type(aws_backend.metrics).mutating_operations() == []
