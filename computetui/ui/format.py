"""How the console writes values: times in UTC, sizes, runtimes, counts of states. No Textual."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from computetui.backends.errors import ComputeError

# -- formatting helpers ------------------------------------------------------
_UTC_SUFFIXES = ("Z", "+00:00", "+0000")


def when(value: datetime | str | int | None, *, seconds: bool = False) -> str:
    """A timestamp as the console shows it, in UTC: ``2026-01-15 09:30 UTC`` (``09:30:05`` with
    ``seconds``, for a history where several things happen in a minute)."""
    if value is None or value == "":
        return "-"
    if isinstance(value, int):  # epoch milliseconds (Batch, Logs)
        value = datetime.fromtimestamp(value / 1000, tz=UTC)
    elif isinstance(value, str):
        if value.endswith(_UTC_SUFFIXES) and value[10:11] == "T" and value[13:14] == ":" and not seconds:
            return f"{value[:10]} {value[11:16]} UTC"  # already UTC: thousands of task rows need no parsing
        try:  # ISO 8601, and Lambda's own 2026-01-15T09:30:00.000+0000
            value = datetime.fromisoformat(value)
        except ValueError:
            try:
                value = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
            except ValueError:
                return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")


def runtime_family(runtime: str | None) -> str:
    """``python3.12`` -> ``python``; ``provided.al2023`` -> ``provided``; an image -> ``image``."""
    match = re.match(r"[a-z]+", runtime or "")
    return match.group(0) if match else "image"


def size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def counts(values: Sequence[str]) -> str:
    seen: dict[str, int] = {}
    for v in values:
        seen[v] = seen.get(v, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(seen.items())) or "-"


def describe_error(exc: BaseException) -> str:
    """One line for a banner or a notification, with the AWS code first."""
    if isinstance(exc, ComputeError):
        return f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


MINUTES = 60
"""The metric charts' span: the last hour, a value a minute."""


def per_minute(result: Any, end: datetime) -> list[float]:
    """The last hour as 60 values, oldest first; minutes without data are 0."""
    start = end.replace(second=0, microsecond=0) - timedelta(minutes=MINUTES - 1)
    values = [0.0] * MINUTES
    for stamp, value in zip(result.timestamps, result.values, strict=False):
        index = int((stamp - start).total_seconds() // 60)
        if 0 <= index < MINUTES:
            values[index] = value
    return values


def pretty(payload: bytes) -> str:
    """A JSON body indented for reading; any other body as its text."""
    try:
        return json.dumps(json.loads(payload), indent=2)
    except ValueError:
        return payload.decode("utf-8", "replace")
