"""Pictures of an API's Test page: hello-api's request and a fixed answer (a cold start with its
REPORT line), and a REST method's TestInvokeMethod answer with its execution log. Regenerate with
``pytest tests/ui/apigateway --snapshot-update`` and look at them."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from computetui.models.apigateway import ApiTestResult
from computetui.ui.services.apigateway.test_panel import ApiTestScreen, Subject
from tests.ui.helpers import SIZE, make_app, settle

URL = "http://127.0.0.1:4567/_aws/execute-api/ftva0hipga/greet?name=ada"
REPORT = ("REPORT RequestId: 3f5c2a1e-8d4b-4c6e-9a7f-0b1c2d3e4f50\tDuration: 1.42 ms\tBilled Duration: 98 ms\t"
          "Memory Size: 128 MB\tMax Memory Used: 15 MB\tInit Duration: 96.12 ms")


def answered(subject: Subject, result: ApiTestResult, request: dict) -> object:
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        gateway = pilot.app.backend.apigateway  # type: ignore[attr-defined]
        if subject.kind == "http":
            api_id = next(a.api_id for a in gateway.get_apis() if a.name == subject.api_name)
        else:
            api_id = next(a.id for a in gateway.get_rest_apis() if a.name == subject.api_name)
        screen = ApiTestScreen(Subject(subject.kind, api_id, subject.api_name, subject.resource_id,
                                       subject.resource_path, subject.method))
        await pilot.app.push_screen(screen)
        await settle(pilot)
        screen.query_one("#path", Input).value = request["path"]
        screen.query_one("#query", Input).value = request["query"]
        screen.query_one("#headers", TextArea).load_text("".join(f"{k}: {v}\n" for k, v in request["headers"].items()))
        screen.show_result(result, request)
        await settle(pilot)

    return go


def http_answer() -> object:
    """hello-api's Test page with a cold start's answer (also the README's screenshot)."""
    request = {"method": "GET", "stage": "$default", "path": "/greet", "query": "name=ada",
               "headers": {"X-Team": "web"}, "body": ""}
    result = ApiTestResult(
        status=200, latency_ms=104.6, url=URL, request_id="Mx3a9FhZoAMEb4Q=", report=REPORT, cold_start=True,
        headers=[("Content-Type", "application/json"), ("Apigw-Requestid", "Mx3a9FhZoAMEb4Q="),
                 ("Date", "Thu, 15 Jan 2026 09:30:00 GMT"), ("Content-Length", "33")],
        body='{"message": "Hello, ada!", "n": 1}')
    return answered(Subject("http", "", "hello-api"), result, request)


def rest_answer() -> object:
    """A REST method's TestInvokeMethod answer with its execution log."""
    request = {"method": "GET", "stage": None, "path": "/pets/42", "query": "", "headers": {}, "body": ""}
    log = ("Execution log for request 7b1d0c4e-2f3a-4b5c-8d9e-0f1a2b3c4d5e\n"
           "Thu Jan 15 09:30:00 UTC 2026 : Starting execution for request: 7b1d0c4e-2f3a-4b5c-8d9e-0f1a2b3c4d5e\n"
           "Thu Jan 15 09:30:00 UTC 2026 : HTTP Method: GET, Resource Path: /pets/{id}\n"
           "Thu Jan 15 09:30:00 UTC 2026 : Method response status: 200\n"
           "Thu Jan 15 09:30:00 UTC 2026 : Successfully completed execution\n"
           "Thu Jan 15 09:30:00 UTC 2026 : Method completed with status: 200 (3 ms)\n")
    result = ApiTestResult(status=200, latency_ms=3.0, url=None, request_id="7b1d0c4e-2f3a-4b5c-8d9e-0f1a2b3c4d5e",
                           cold_start=False, report=REPORT.replace("\tInit Duration: 96.12 ms", ""), log=log,
                           headers=[("Content-Type", "application/json")], body='{"id": "42", "kind": "cat"}')
    return answered(Subject("rest", "", "pets-api", "res042", "/pets/{id}", "GET"), result, request)


def test_http_api_test_snapshot(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=http_answer())


def test_rest_method_test_snapshot(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=rest_answer())
