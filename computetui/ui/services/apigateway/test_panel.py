"""The Test page of an API: a request (method, stage, path, query, headers, body) that ``t`` sends
through the API, and what came back: the status, the latency, the Lambda function's REPORT line
with a cold-start badge, the response's headers and body, the ``curl`` line that sends the same
from a shell, and a REST API's execution log.

An HTTP API's request goes to the chosen stage's invoke URL; a REST API's method is tested as
TestInvokeMethod tests it: as it is now, deployed or not, without its authorizer or API key (the
stage, if one is chosen, only gives the ``curl`` line its URL). In a text field ``t`` types a
``t``: esc leaves the field (a second esc goes back), enter in a one-line field sends.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Select, Static, TextArea

from computetui.backends.base import Backend
from computetui.models.apigateway import ApiTestResult
from computetui.ui.format import describe_error, pretty
from computetui.ui.screens.base import ConsoleScreen

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
NO_STAGE = "-"
DEFAULT_STAGE = "$default"


@dataclass(frozen=True)
class Subject:
    """What is tested: an HTTP API, or one method of a REST API's resource."""

    kind: str
    """``http`` or ``rest``."""
    api_id: str
    api_name: str
    resource_id: str | None = None
    resource_path: str | None = None
    """The path to start with: a REST method's resource path, an HTTP route's path."""
    method: str | None = None
    """The REST method (``ANY``: the request's method is chosen)."""
    stage: str | None = None
    """The stage to start with (the one under the cursor, when there was one)."""


def parse_headers(text: str) -> dict[str, str]:
    """``Name: value`` a line -> a dict; ValueError naming the line that is not one."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or any(c.isspace() for c in name.strip()):
            raise ValueError(f"line {number}: {line.strip()!r} is not Name: value")
        found[name.strip()] = value.strip()
    return found


def curl_line(method: str, url: str | None, headers: dict[str, str], body: str) -> str:
    """The shell command that sends the same request (None URL: nothing answers it from a shell yet)."""
    if url is None:
        return "# Deploy the API to a stage: then its invoke URL answers this from a shell."
    words = ["curl", "-i"]
    if method == "HEAD":
        words.append("--head")
    elif method != "GET" or body:
        words += ["-X", method]
    words.append(url)
    for name, value in headers.items():
        words += ["-H", f"{name}: {value}"]
    if body:
        words += ["--data-raw", body]
    return " ".join(shlex.quote(w) for w in words)


class ApiTestScreen(ConsoleScreen):
    """Send one request through an API and read what it answered."""

    __test__ = False  # a page, not a pytest test class

    page_id = "apigw"

    DEFAULT_CSS = """
    ApiTestScreen #api-test { height: 1fr; padding: 0 1; }
    ApiTestScreen #test-request { height: auto; }
    ApiTestScreen #test-request .row { height: 3; }
    ApiTestScreen #test-request .label { width: 9; padding: 1 1 0 0; color: $secondary; text-style: bold; }
    ApiTestScreen #method { width: 14; }
    ApiTestScreen #stage { width: 26; }
    ApiTestScreen #path { width: 1fr; }
    ApiTestScreen #query { width: 1fr; }
    ApiTestScreen #send { min-width: 12; margin-left: 1; }
    ApiTestScreen #texts { height: 5; }
    ApiTestScreen #headers, ApiTestScreen #request-body { width: 1fr; height: 5; border: round $panel-lighten-2; }
    ApiTestScreen #headers:focus, ApiTestScreen #request-body:focus { border: round $primary; }
    ApiTestScreen #test-message { height: auto; padding: 0 1; color: $muted; }
    ApiTestScreen #test-message.-error { color: $error; }
    ApiTestScreen #answer { height: 1fr; border: round $panel-lighten-2; padding: 0 1; display: none; }
    ApiTestScreen.-sent #answer { display: block; }
    ApiTestScreen #answer-status.-ok { color: $success; text-style: bold; }
    ApiTestScreen #answer-status.-failed { color: $error; text-style: bold; }
    ApiTestScreen .heading { color: $secondary; text-style: bold; margin-top: 1; }
    ApiTestScreen #answer-curl { color: $foreground 80%; }
    """

    BINDINGS = [
        Binding("t", "send", "Send", id="apigw-test-send", tooltip="Send the request through the API"),
        Binding("ctrl+enter", "send", "Send", id="apigw-test-send-anywhere", show=False, priority=True,
                system=True, tooltip="Send the request, even from inside a text field"),
    ]

    MUTATING = frozenset({"send"})
    """A request runs the integration (a Lambda function): read-only mode refuses it."""

    def __init__(self, subject: Subject) -> None:
        super().__init__()
        self.subject = subject
        self.sending = False
        self.last: ApiTestResult | None = None

    @property
    def crumbs(self) -> list[str]:
        s = self.subject
        where = ["Console", "API Gateway", "APIs", s.api_name]
        if s.kind == "rest":
            where += [f"{s.method} {s.resource_path}"]
        return [*where, "Test"]

    def compose_content(self) -> ComposeResult:
        s = self.subject
        if s.kind == "rest":
            what = Content.from_markup("[b]Test[/] [b $primary]$m $p[/] [$muted]of $n · REST · as it is now, without "
                                       "authorizer or API key[/]",
                                       m=s.method or "", p=s.resource_path or "/", n=s.api_name)
        else:
            what = Content.from_markup("[b]Test[/] [b $primary]$n[/] [$muted]· HTTP API · sent to the stage's invoke "
                                       "URL[/]", n=s.api_name)
        methods = METHODS if s.kind == "http" or s.method in (None, "ANY") else (s.method,)
        with Vertical(id="api-test"):
            yield Static(what, id="facts")
            with Vertical(id="test-request"):
                with Horizontal(classes="row"):
                    yield Static("Method", classes="label")
                    yield Select([(m, m) for m in methods], value=s.method if s.method in methods else methods[0],
                                 allow_blank=False, id="method")
                    yield Static("Stage", classes="label")
                    yield Select([], prompt="Stage", id="stage", allow_blank=True)
                    yield Button("Send (t)", id="send", variant="primary")
                with Horizontal(classes="row"):
                    yield Static("Path", classes="label")
                    yield Input(s.resource_path or "/", placeholder="/pets/7", id="path")
                    yield Static("Query", classes="label")
                    yield Input(placeholder="a=1&b=2", id="query")
                with Horizontal(id="texts"):
                    headers = TextArea(id="headers", soft_wrap=False, show_line_numbers=False)
                    headers.border_title = "Headers (Name: value a line)"
                    yield headers
                    body = TextArea(id="request-body", soft_wrap=True, show_line_numbers=False)
                    body.border_title = "Body"
                    yield body
            yield Static("t sends the request (in a field, press esc first, or enter in a one-line field).",
                         id="test-message")
            with VerticalScroll(id="answer"):
                yield Static(id="answer-status")
                yield Static(id="answer-summary")
                yield Static("Response headers", classes="heading")
                yield Static(id="answer-headers")
                yield Static("Response body", classes="heading")
                yield Static(id="answer-body")
                yield Static("The same from a shell", classes="heading")
                yield Static(id="answer-curl")
                yield Static("Execution log", classes="heading", id="answer-log-heading")
                yield Static(id="answer-log")

    def on_mount(self) -> None:
        for area in self.query(TextArea):
            area.cursor_blink = getattr(self.app, "blink", True)
        self.focus_content()

    def focus_content(self) -> None:
        self.query_one("#send", Button).focus()

    # -- stages ------------------------------------------------------------------------------------
    def fetch(self, backend: Backend) -> list[str]:
        gateway = backend.apigateway
        assert gateway is not None
        if self.subject.kind == "rest":
            return [s.stage_name for s in gateway.get_stages(self.subject.api_id)]
        return [s.stage_name for s in gateway.get_api_stages(self.subject.api_id)]

    def show(self, data: Any) -> None:
        stages: list[str] = data
        chooser = self.query_one("#stage", Select)
        current = chooser.value if isinstance(chooser.value, str) else self.subject.stage
        options = [(name, name) for name in stages]
        if self.subject.kind == "rest":
            options.insert(0, ("(no stage)", NO_STAGE))
        chooser.set_options(options)
        wanted = [current, DEFAULT_STAGE, NO_STAGE, *(stages[:1])]
        chosen = next((w for w in wanted if w and any(v == w for _, v in options)), None)
        if chosen is not None:
            chooser.value = chosen

    # -- keys --------------------------------------------------------------------------------------
    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, (Input, TextArea, Select)):
            self.focus_content()  # out of the field first: then letters are keys again
            return
        super().action_back()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#send")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    def action_send(self) -> None:
        if self.sending:
            return
        if self.console.refuse_if_read_only(f"sending a test request through {self.subject.api_name}"):
            return
        try:
            request = self.request()
        except ValueError as exc:
            self._message(f"Headers: {exc}", error=True)
            self.query_one("#headers", TextArea).focus()
            return
        self.sending = True
        self._message(f"Sending {request['method']} {request['path']}…")
        self._send(request)

    def request(self) -> dict[str, Any]:
        """The request as the fields say; ValueError: a header line that is not one."""
        method = self.query_one("#method", Select).value
        stage = self.query_one("#stage", Select).value
        return {
            "method": method if isinstance(method, str) else "GET",
            "stage": stage if isinstance(stage, str) and stage != NO_STAGE else None,
            "path": self.query_one("#path", Input).value.strip() or "/",
            "query": self.query_one("#query", Input).value.strip().lstrip("?"),
            "headers": parse_headers(self.query_one("#headers", TextArea).text),
            "body": self.query_one("#request-body", TextArea).text,
        }

    @work(thread=True, exclusive=True, exit_on_error=False, group="api-test")
    def _send(self, request: dict[str, Any]) -> None:
        backend = self.console.backend
        try:
            assert backend is not None and backend.apigateway is not None
            result = backend.apigateway.test_invoke(
                self.subject.api_id, request["method"], request["path"], stage_name=request["stage"],
                resource_id=self.subject.resource_id, query=request["query"], headers=request["headers"],
                body=request["body"])
        except Exception as exc:  # any backend failure is shown, never raised
            self.app.call_from_thread(self._failed, describe_error(exc))
            return
        self.app.call_from_thread(self.show_result, result, request)

    def _failed(self, problem: str) -> None:
        self.sending = False
        self.add_class("-sent")
        self._message(problem, error=True)
        status = self.query_one("#answer-status", Static)
        status.update(Content(f"✗ Not sent: {problem}"))
        status.set_classes("-failed")
        for part in ("#answer-summary", "#answer-headers", "#answer-body", "#answer-curl", "#answer-log"):
            self.query_one(part, Static).update("")

    def show_result(self, result: ApiTestResult, request: dict[str, Any]) -> None:
        """Fill the answer (also used by snapshot tests with a fixed result)."""
        self.sending = False
        self.last = result
        self.add_class("-sent")
        ok = result.status < 400
        status = self.query_one("#answer-status", Static)
        status.set_classes("-ok" if ok else "-failed")
        badge = Content("")
        if result.cold_start:
            badge = Content.from_markup("  [b reverse $warning] COLD START [/]")
        elif result.cold_start is False:
            badge = Content.from_markup("  [b reverse $success] WARM [/]")
        status.update(Content(f"{'✓' if ok else '✗'} {result.status} · {result.latency_ms:.1f} ms") + badge)
        if result.report is not None:
            lambda_line = result.report.replace("\t", "  ")
        elif self.console.backend is not None and self.console.backend.name == "aws":
            lambda_line = "The REPORT line is in the function's log group: AWS does not return it here."
        else:
            lambda_line = "- (no Lambda function answered)"
        self.query_one("#answer-summary", Static).update(Content("\n").join([
            Content.styled("Request ID  ", "$muted") + Content(result.request_id or "-"),
            Content.from_markup("[b $secondary]Lambda[/]"), Content(lambda_line)]))
        self.query_one("#answer-headers", Static).update(
            Content("\n".join(f"{k}: {v}" for k, v in result.headers) or "-"))
        body = "(base64) " + result.body if result.body_base64 else pretty(result.body.encode())
        self.query_one("#answer-body", Static).update(Content(body or "(empty)"))
        self.query_one("#answer-curl", Static).update(
            Content(curl_line(request["method"], result.url, request["headers"], request["body"])))
        self.query_one("#answer-log-heading").display = result.log is not None
        log = self.query_one("#answer-log", Static)
        log.display = result.log is not None
        log.update(Content((result.log or "").rstrip()))
        self._message(f"{result.status} in {result.latency_ms:.1f} ms — t sends it again.")

    def _message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#test-message", Static)
        message.update(Content(text))
        message.set_class(error, "-error")
