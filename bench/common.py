"""What the benchmarks share: a bounded wait, medians, and how figures are printed."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any


class BenchError(RuntimeError):
    pass


def until(condition: Callable[[], Any], what: str, timeout: float = 60.0, every: float = 0.02) -> Any:
    """Poll ``condition`` until it is truthy (returned); a :class:`BenchError` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: not within {timeout:g} s")
        time.sleep(every)


def summary(samples: list[float]) -> dict[str, Any]:
    return {"median_s": statistics.median(samples), "max_s": max(samples), "samples_s": samples}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def verdict(value: float, target: float) -> str:
    return "meets" if value <= target else "misses"


def version(dist: str, missing: str = "?") -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return missing
