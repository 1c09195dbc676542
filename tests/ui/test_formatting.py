"""How the console writes values in tables: timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from computetui.ui.format import when


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-15T09:30:59Z",
        "2026-01-15T09:30:59.123456+00:00",
        "2026-01-15T09:30:00.000+0000",  # Lambda's own format
        datetime(2026, 1, 15, 9, 30, 59, tzinfo=UTC),
        datetime(2026, 1, 15, 9, 30),  # naive: taken as UTC
        datetime(2026, 1, 15, 11, 30, tzinfo=timezone(timedelta(hours=2))),
        "2026-01-15T11:30:00+02:00",
        1768469400000,  # epoch milliseconds
    ],
)
def test_every_timestamp_shape_reads_the_same_in_utc(value: object) -> None:
    assert when(value) == "2026-01-15 09:30 UTC"  # type: ignore[arg-type]


def test_what_is_not_a_timestamp_is_shown_as_it_is() -> None:
    assert when("soon") == "soon"
    assert when(None) == when("") == "-"
