"""The local emulator's CloudWatch Logs keep each group under a size cap (AWS uses retention instead)."""

from __future__ import annotations


def test_a_log_group_keeps_under_its_size_cap_by_dropping_the_oldest(backend) -> None:  # noqa: ANN001
    logs = backend.logs
    logs.max_group_bytes = 2_000
    logs.create_log_group("/capped")
    logs.create_log_stream("/capped", "s")
    for i in range(100):
        logs.put_log_events("/capped", "s", [{"timestamp": 1000 + i, "message": f"line {i:03d} " + "x" * 40}])
    kept = [e.message[:8] for e in logs.get_log_events("/capped", "s", start_from_head=True, limit=1000)]
    assert 0 < len(kept) < 100
    assert kept[-1] == "line 099"  # the newest stay
    assert logs.describe_log_groups("/capped")[0].stored_bytes <= 2_000
