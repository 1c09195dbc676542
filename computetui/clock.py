"""Time as the emulator sees it.

Backends and models never call ``time.time()`` themselves: they ask a Clock,
so tests can freeze or step time and snapshots stay byte-identical.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """The system clock. Subclasses fix or step it."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        return datetime.now(UTC)

    def time(self) -> float:
        """Seconds since the epoch, like ``time.time()``."""
        return self.now().timestamp()

    def monotonic(self) -> float:
        """A clock for measuring durations; never goes backwards."""
        return time.monotonic()


class SystemClock(Clock):
    """Wall time; the default outside tests."""


class FixedClock(Clock):
    """A clock that only moves when told to: ``advance()``."""

    def __init__(self, start: datetime | str = "2026-01-15T09:30:00+00:00") -> None:
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._mono += seconds
