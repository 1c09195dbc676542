"""The contract, on every backend: CloudWatch Logs: groups, streams, events."""

from __future__ import annotations

import pytest

from computetui.backends.errors import Conflict, NotFound


def test_logs_groups_streams_events_and_filter(contract_backend) -> None:  # noqa: ANN001
    import time

    logs = contract_backend.logs
    logs.create_log_group("/aws/lambda/f")
    logs.create_log_stream("/aws/lambda/f", "s1")
    # CloudWatch Logs refuses events older than 14 days: a minute ago is a time every backend stores.
    start = int(time.time() * 1000) - 60_000
    logs.put_log_events(
        "/aws/lambda/f",
        "s1",
        [{"timestamp": start, "message": "START RequestId: 1"}, {"timestamp": start + 1, "message": "hello"}],
    )
    assert [e.message for e in logs.get_log_events("/aws/lambda/f", "s1", start_from_head=True)] == [
        "START RequestId: 1",
        "hello",
    ]
    assert [e.message for e in logs.filter_log_events("/aws/lambda/f", filter_pattern="hello")] == ["hello"]
    [stream] = logs.describe_log_streams("/aws/lambda/f")
    assert (stream.first_event_timestamp, stream.last_event_timestamp) == (start, start + 1)
    with pytest.raises(Conflict):
        logs.create_log_group("/aws/lambda/f")
    logs.delete_log_group("/aws/lambda/f")
    with pytest.raises(NotFound):
        logs.describe_log_streams("/aws/lambda/f")
