"""How the gateway asks a Lambda function (an integration, an authorizer, a WebSocket route):
through the local Lambda service's ``invoke_for_service``, awaited on the controller's loop."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import ComputeError
from computetui.backends.local.apigateway.http_apis import function_of

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator
    from computetui.models.lambda_ import InvokeResult


class Failed(Exception):
    """The function could not be asked: the URI names none the emulator runs, or the Lambda
    service refused the invocation (``code``: ``TooManyRequestsException``, ``ResourceNotFound...``)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


async def invoke(emulator: Emulator, uri: str, event: dict[str, Any]) -> InvokeResult:
    """The function's result (its ``function_error`` is the caller's to read); Failed otherwise."""
    function = function_of(uri)
    facet = emulator.lambda_
    if function is None or facet is None or not hasattr(facet, "invoke_for_service"):
        raise Failed(f"{uri!r} names no Lambda function the local emulator runs")
    try:
        return await facet.invoke_for_service(function, json.dumps(event).encode())
    except ComputeError as exc:
        raise Failed(exc.message, exc.code) from None
