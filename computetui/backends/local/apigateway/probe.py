"""What the console's Test panel asks the gateway, on a path of the gateway's own that no API
address can take (``/_computetui/``, path form only: under the host form it is the API's path).

- ``GET /_computetui/invocations/<request id>``: the Lambda invocation behind one of the
  gateway's recent answers (by its ``Apigw-Requestid`` or ``X-Amzn-Requestid``): the function's
  REPORT line and whether it was a cold start. 404 once it is no longer kept (the last
  :data:`KEPT`).
- ``POST /_computetui/test-invoke-method/<rest api id>/<resource id>/<METHOD>``: REST APIs'
  TestInvokeMethod: the method as it is now, deployed or not, with a JSON body
  ``{"pathWithQueryString", "headers", "body", "stageVariables"}``, answered as AWS answers it
  (``status``, ``body``, ``headers``, ``multiValueHeaders``, ``log``, ``latency``) plus the
  invocation, when a function answered.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from computetui.backends.local.lambda_.runtime import report_line

if TYPE_CHECKING:
    from computetui.models.lambda_ import InvokeResult

PREFIX = "/_computetui/"
INVOCATIONS = "invocations"
TEST_INVOKE_METHOD = "test-invoke-method"
TEST_STAGE = "test-invoke-stage"
"""The stage a TestInvokeMethod request runs in, as AWS names it in the event."""
KEPT = 256


Figures = tuple[str, "float | None", "int | None", "int | None", "int | None", "float | None"]
"""An invocation's request id, duration, billed duration, memory size, peak memory, init duration."""


def figures(result: InvokeResult) -> Figures:
    return (result.request_id, result.duration_ms, result.billed_duration_ms, result.memory_size_mb,
            result.max_memory_used_mb, result.init_duration_ms)


def invocation(kept: Figures) -> dict[str, Any]:
    """What the Test panel shows of a Lambda invocation: its REPORT line, whether it was cold."""
    request_id, duration, billed, memory, peak, init = kept
    report = None
    if duration is not None:
        report = report_line(request_id, duration, billed or 0, memory or 0, peak, init)
    return {"requestId": request_id, "report": report, "coldStart": init is not None}


class Invocations:
    """The Lambda invocations behind the gateway's last :data:`KEPT` answers, by request id.

    An answer keeps only the REPORT figures (not the payload, which may be megabytes); the line
    is written when the Test panel asks for it."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, Figures] = OrderedDict()

    def keep(self, request_id: str, result: InvokeResult) -> None:
        self._kept[request_id] = figures(result)
        if len(self._kept) > KEPT:
            self._kept.popitem(last=False)

    def get(self, request_id: str) -> dict[str, Any] | None:
        found = self._kept.get(request_id)
        return invocation(found) if found is not None else None


def test_log(request_id: str, method: str, path: str, status: int, latency_ms: float,
             report: str | None) -> str:
    """TestInvokeMethod's execution log, in its lines' form (``<time> : <what>``); shorter than
    AWS's, which also shows the integration request's URI and headers."""
    stamp = datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    lines = [f"Execution log for request {request_id}",
             f"{stamp} : Starting execution for request: {request_id}",
             f"{stamp} : HTTP Method: {method}, Resource Path: {path}"]
    if report:
        lines.append(f"{stamp} : Lambda invocation: {report}")
    lines += [f"{stamp} : Method response status: {status}",
              f"{stamp} : Successfully completed execution" if status < 500
              else f"{stamp} : Execution failed",
              f"{stamp} : Method completed with status: {status} ({latency_ms:.0f} ms)"]
    return "\n".join(lines) + "\n"


def asked(body: bytes) -> dict[str, Any]:
    """A TestInvokeMethod request's JSON body; ValueError when it is not an object."""
    found = json.loads(body or b"{}")
    if not isinstance(found, dict):
        raise ValueError("the body is not a JSON object")
    return found
