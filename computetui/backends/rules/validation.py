"""AWS's wording for parameters that break a rule, in one place (both backends use it)."""

from __future__ import annotations

import re
from typing import Any

from computetui.backends.errors import InvalidParameter


def constraint_error(field: str, value: Any, constraint: str) -> InvalidParameter:
    """The ``ValidationException`` AWS's request validator returns."""
    return InvalidParameter(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}",
        code="ValidationException",
        field=field,
    )


def check_range(field: str, value: Any, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise constraint_error(field, value, "Member must be a whole number")
    if value < low:
        raise constraint_error(field, value, f"Member must have value greater than or equal to {low}")
    if value > high:
        raise constraint_error(field, value, f"Member must have value less than or equal to {high}")


def check_pattern(field: str, value: str, pattern: str, max_length: int | None = None) -> None:
    if max_length is not None and len(value) > max_length:
        raise constraint_error(field, value, f"Member must have length less than or equal to {max_length}")
    if not re.fullmatch(pattern, value):
        raise constraint_error(field, value, f"Member must satisfy regular expression pattern: {pattern}")
