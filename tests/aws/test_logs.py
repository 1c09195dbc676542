"""The aws CloudWatch Logs adapter against moto's server, with calls counted; GetLogEvents' token
walking with botocore's Stubber (moto answers everything in one page)."""

from __future__ import annotations

import time

import pytest
from botocore.stub import Stubber

from computetui.backends.aws.logs import PUT_BYTES_MAX, PUT_EVENT_OVERHEAD, PUT_SPAN_MS, put_batches
from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from tests.support.aws_lambda_logs_metrics import read_only_backend, try_every_mutating_operation  # noqa: F401

GROUP = "/aws/lambda/hello"


def now_ms() -> int:
    return int(time.time() * 1000)


def test_groups_are_listed_through_the_paginator_50_a_page(aws_backend, calls) -> None:  # noqa: ANN001
    client = aws_backend.client("logs")
    for i in range(120):
        client.create_log_group(logGroupName=f"/aws/lambda/fn-{i:03d}")
    client.create_log_group(logGroupName="/ecs/web")
    calls.clear()
    groups = aws_backend.logs.describe_log_groups("/aws/lambda/")
    assert [g.log_group_name for g in groups] == [f"/aws/lambda/fn-{i:03d}" for i in range(120)]
    assert calls.of("logs", "DescribeLogGroups") == 3
    assert groups[0].arn and groups[0].creation_time


def test_create_log_group_returns_the_group_and_a_second_conflicts(aws_backend, calls) -> None:  # noqa: ANN001
    group = aws_backend.logs.create_log_group(GROUP)
    assert group.log_group_name == GROUP and group.creation_time
    assert calls.of("logs", "CreateLogGroup") == 1 and calls.of("logs", "DescribeLogGroups") == 1
    with pytest.raises(Conflict) as caught:
        aws_backend.logs.create_log_group(GROUP)
    assert caught.value.code == "ResourceAlreadyExistsException"


def test_streams_page_and_stop_at_the_limit(aws_backend, calls) -> None:  # noqa: ANN001
    logs = aws_backend.logs
    logs.create_log_group(GROUP)
    for i in range(60):
        logs.create_log_stream(GROUP, f"2026/01/15/[$LATEST]{i:02d}")
    calls.clear()
    newest = logs.describe_log_streams(GROUP, limit=5)
    assert len(newest) == 5 and calls.of("logs", "DescribeLogStreams") == 1
    calls.clear()
    by_name = logs.describe_log_streams(GROUP, order_by="LogStreamName", descending=False)
    assert [s.log_stream_name for s in by_name] == [f"2026/01/15/[$LATEST]{i:02d}" for i in range(60)]
    assert calls.of("logs", "DescribeLogStreams") == 2
    with pytest.raises(NotFound) as missing:
        logs.describe_log_streams("/no/such/group")
    assert missing.value.code == "ResourceNotFoundException"


def test_events_from_the_head_and_from_the_tail_oldest_first(aws_backend, calls) -> None:  # noqa: ANN001
    logs = aws_backend.logs
    logs.create_log_group(GROUP)
    logs.create_log_stream(GROUP, "s")
    start = now_ms() - 60_000
    # Out of order on purpose: PutLogEvents wants time order, the adapter sorts.
    logs.put_log_events(GROUP, "s", [{"timestamp": start + 10 * i, "message": f"m{i}"} for i in reversed(range(30))])
    calls.clear()
    assert [e.message for e in logs.get_log_events(GROUP, "s", limit=10)] == [f"m{i}" for i in range(20, 30)]
    assert [e.message for e in logs.get_log_events(GROUP, "s", limit=10, start_from_head=True)] == [
        f"m{i}" for i in range(10)
    ]
    assert calls.of("logs", "GetLogEvents") == 2  # a limit reached ends the read
    whole = logs.get_log_events(GROUP, "s", start_from_head=True)
    assert [e.message for e in whole] == [f"m{i}" for i in range(30)]
    assert whole[0].timestamp == start and whole[0].ingestion_time
    between = logs.get_log_events(GROUP, "s", start_time=start + 45, end_time=start + 75, start_from_head=True)
    assert [e.message for e in between] == ["m5", "m6", "m7"]


def test_get_log_events_follows_the_tokens_until_one_repeats(aws_backend, calls) -> None:  # noqa: ANN001
    def page(*messages: str, forward: str, backward: str) -> dict:
        events = [{"timestamp": int(m[1:]), "message": m, "ingestionTime": 1} for m in messages]
        return {"events": events, "nextForwardToken": forward, "nextBackwardToken": backward}

    base = {"logGroupName": GROUP, "logStreamName": "s", "startFromHead": True, "limit": 10_000}
    with Stubber(aws_backend.client("logs")) as stub:
        stub.add_response("get_log_events", page("m1", "m2", forward="f/2", backward="b/0"), base)
        # An empty page with a new token is not the end; each call asks only for what is still wanted.
        stub.add_response(
            "get_log_events", page(forward="f/3", backward="b/2"), {**base, "limit": 9998, "nextToken": "f/2"}
        )
        stub.add_response(
            "get_log_events", page("m3", forward="f/4", backward="b/3"), {**base, "limit": 9998, "nextToken": "f/3"}
        )
        stub.add_response(
            "get_log_events", page(forward="f/4", backward="b/4"), {**base, "limit": 9997, "nextToken": "f/4"}
        )
        head = aws_backend.logs.get_log_events(GROUP, "s", start_from_head=True)
        stub.assert_no_pending_responses()
    assert [e.message for e in head] == ["m1", "m2", "m3"]
    assert calls.of("logs", "GetLogEvents") == 4

    tail = {"logGroupName": GROUP, "logStreamName": "s", "startFromHead": False}
    with Stubber(aws_backend.client("logs")) as stub:
        stub.add_response("get_log_events", page("m8", "m9", forward="f/9", backward="b/8"), {**tail, "limit": 5})
        stub.add_response(
            "get_log_events", page("m6", "m7", forward="f/7", backward="b/6"), {**tail, "limit": 3, "nextToken": "b/8"}
        )
        stub.add_response(
            "get_log_events", page("m5", forward="f/5", backward="b/5"), {**tail, "limit": 1, "nextToken": "b/6"}
        )
        newest = aws_backend.logs.get_log_events(GROUP, "s", limit=5)
        stub.assert_no_pending_responses()
    assert [e.message for e in newest] == ["m5", "m6", "m7", "m8", "m9"]


def test_filter_finds_matching_events_across_streams_in_time_order(aws_backend, calls) -> None:  # noqa: ANN001
    logs = aws_backend.logs
    logs.create_log_group(GROUP)
    start = now_ms() - 60_000
    for stream, offset in (("a", 0), ("b", 1)):
        logs.create_log_stream(GROUP, stream)
        logs.put_log_events(
            GROUP,
            stream,
            [
                {"timestamp": start + offset + 10 * i, "message": f"{'ERROR' if i % 2 else 'INFO'} {stream}{i}"}
                for i in range(6)
            ],
        )
    calls.clear()
    found = logs.filter_log_events(GROUP, filter_pattern="ERROR")
    assert [e.message for e in found] == ["ERROR a1", "ERROR b1", "ERROR a3", "ERROR b3", "ERROR a5", "ERROR b5"]
    assert {e.log_stream_name for e in found} == {"a", "b"} and all(e.event_id for e in found)
    assert calls.of("logs", "FilterLogEvents") == 1
    assert [e.message for e in logs.filter_log_events(GROUP, log_stream_names=["b"], limit=2)] == [
        "INFO b0",
        "ERROR b1",
    ]
    since = logs.filter_log_events(GROUP, start_time=start + 40)
    assert [e.message for e in since] == ["INFO a4", "INFO b4", "ERROR a5", "ERROR b5"]


def test_filter_sends_at_most_100_stream_names_a_call(aws_backend, calls) -> None:  # noqa: ANN001
    logs = aws_backend.logs
    logs.create_log_group(GROUP)
    logs.create_log_stream(GROUP, "s000")
    logs.put_log_events(GROUP, "s000", [{"timestamp": now_ms() - 1000, "message": "hello"}])
    calls.clear()
    found = logs.filter_log_events(GROUP, log_stream_names=[f"s{i:03d}" for i in range(150)])
    assert [e.message for e in found] == ["hello"]
    assert calls.of("logs", "FilterLogEvents") == 2


def test_put_log_events_sends_10000_events_a_call(aws_backend, calls) -> None:  # noqa: ANN001
    logs = aws_backend.logs
    logs.create_log_group(GROUP)
    logs.create_log_stream(GROUP, "s")
    start = now_ms() - 3_600_000
    calls.clear()
    logs.put_log_events(GROUP, "s", [{"timestamp": start + i, "message": f"line {i}"} for i in range(12_000)])
    assert calls.of("logs", "PutLogEvents") == 2
    [stream] = logs.describe_log_streams(GROUP)
    assert (stream.first_event_timestamp, stream.last_event_timestamp) == (start, start + 11_999)


def test_put_batches_keep_to_the_byte_and_time_limits() -> None:
    big = "x" * (PUT_BYTES_MAX // 4)
    batches = put_batches([{"timestamp": i, "message": big} for i in range(8)])
    assert [len(b) for b in batches] == [3, 3, 2]
    assert all(sum(len(e["message"]) + PUT_EVENT_OVERHEAD for e in b) <= PUT_BYTES_MAX for b in batches)
    day = put_batches([{"timestamp": t, "message": "m"} for t in (PUT_SPAN_MS, 0, PUT_SPAN_MS - 1)])
    assert [[e["timestamp"] for e in b] for b in day] == [[0, PUT_SPAN_MS - 1], [PUT_SPAN_MS]]
    assert put_batches([]) == []


def test_events_cloudwatch_refuses_to_store_are_reported(aws_backend) -> None:  # noqa: ANN001
    logs = aws_backend.logs
    logs.create_log_group(GROUP)
    logs.create_log_stream(GROUP, "s")
    recent = now_ms() - 1000
    with pytest.raises(InvalidParameter) as caught:
        logs.put_log_events(
            GROUP, "s", [{"timestamp": 1000, "message": "1970"}, {"timestamp": recent, "message": "ok"}]
        )
    assert "1 of 2" in caught.value.message and "14 days" in caught.value.message
    assert [e.message for e in logs.get_log_events(GROUP, "s")] == ["ok"]


def test_missing_groups_and_streams_are_not_found(aws_backend) -> None:  # noqa: ANN001
    logs = aws_backend.logs
    with pytest.raises(NotFound):
        logs.delete_log_group("/nope")
    with pytest.raises(NotFound):
        logs.create_log_stream("/nope", "s")
    logs.create_log_group(GROUP)
    with pytest.raises(NotFound):
        logs.get_log_events(GROUP, "nope")
    logs.delete_log_group(GROUP)
    assert logs.describe_log_groups(GROUP) == []


def test_read_only_refuses_every_mutating_operation_before_anything_is_sent(read_only_backend) -> None:  # noqa: ANN001, F811
    backend, counter = read_only_backend
    tried = try_every_mutating_operation(backend.logs)
    assert set(tried) == {"create_log_group", "delete_log_group", "create_log_stream", "put_log_events"}
    assert counter.total() == 0 and counter.sent == []
