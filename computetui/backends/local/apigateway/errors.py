"""API Gateway's refusal of a bad definition: ``BadRequestException`` naming the field."""

from __future__ import annotations

from computetui.backends.errors import InvalidParameter


def bad_request(message: str, field: str) -> InvalidParameter:
    return InvalidParameter(message, code="BadRequestException", field=field)
