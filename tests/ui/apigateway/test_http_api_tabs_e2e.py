"""End to end: what is set on an HTTP API's tabs in the console is what the local gateway then does
to real HTTP requests on 127.0.0.1 — a route given a JWT or Lambda authorizer keeps out a request
without a token (401) or one its function refuses (403); a stage throttled to rate 1, burst 1
answers a burst with 429; a stage given access logs shows the request's line on the Logs tab, and
the Metrics tab counts it.

The backend here leads its own state dir, so its gateway listens (on a port the system picks), and
runs Lambda functions in the process sandbox."""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Log, Select, Sparkline

from computetui.app import ComputeApp
from computetui.backends.local import LocalBackend
from computetui.blueprints import zip_files
from computetui.settings import Settings
from computetui.ui.services.apigateway.http_forms import (
    AccessLogForm,
    CreateAuthorizerForm,
    RouteAuthorizationForm,
    ThrottlingForm,
)
from computetui.ui.services.apigateway.http_panels import AccessLogsPanel, HttpMetricsPanel
from tests.support.fakes import StaticEngine
from tests.support.waits import remove_owned_by_state
from tests.ui.apigateway.test_http_api_ui import open_api
from tests.ui.helpers import SIZE, settle

pytestmark = pytest.mark.asyncio

HELLO = '''
def handler(event, context):
    return {"statusCode": 200, "body": "hello"}
'''
REFUSES = '''
def handler(event, context):
    return {"isAuthorized": False}
'''


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LocalBackend]:
    """A backend whose gateway answers, with a function ``hello`` and ``hello-api`` quick-created
    in front of it."""
    state = tmp_path / "state"
    backend = LocalBackend(state, lambda_sandbox="process", engine=StaticEngine(), apigateway_port=0, seed=11)
    try:
        arn = make_function(backend, "hello", HELLO)
        backend.apigateway.create_api(name="hello-api", target=arn)
        yield backend
    finally:
        backend.close()
        remove_owned_by_state(state)


def make_function(backend: LocalBackend, name: str, source: str) -> str:
    made = backend.lambda_.create_function(function_name=name, runtime="python3.12", handler="app.handler",
                                           code={"ZipFile": zip_files({"app.py": source})})
    return made.function_arn


def console(backend: LocalBackend) -> ComputeApp:
    return ComputeApp(Settings(refresh=0), backend, polling=False, blink=False)


def call(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """GET ``url`` (the gateway, on 127.0.0.1): status, headers (lower-cased), the JSON or text body."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    try:
        conn.request("GET", parts.path or "/", headers=headers or {})
        answer = conn.getresponse()
        body = answer.read()
        found = {k.lower(): v for k, v in answer.getheaders()}
    finally:
        conn.close()
    try:
        return answer.status, found, json.loads(body)
    except ValueError:
        return answer.status, found, body.decode()


async def requested(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """``call`` in a thread, so the console goes on drawing while the gateway answers."""
    return await asyncio.to_thread(call, url, headers)


async def until(pilot: Pilot, check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    """Refresh the page until ``check`` holds (the gateway writes its figures every half second)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        pilot.app.screen.reload()  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.pause(0.2)


async def form_of(pilot: Pilot, key: str, kind: type) -> Any:
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, kind), pilot.app.screen
    return pilot.app.screen


async def saved(pilot: Pilot, page: Any) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)
    screen = pilot.app.screen
    if screen is not page:
        raise AssertionError(f"the form stayed open: {screen.query_one('.form-message').render()}")


async def test_an_authorizer_set_on_a_route_from_the_console_keeps_out_requests_it_does_not_let_in(
        live: LocalBackend) -> None:
    make_function(live, "refuses", REFUSES)
    api = next(a for a in live.apigateway.get_apis() if a.name == "hello-api")
    url = api.api_endpoint + "/"
    app = console(live)
    async with app.run_test(size=SIZE) as pilot:
        assert (await requested(url))[0] == 200  # open before

        page = await open_api(pilot, "authorizers")
        form = await form_of(pilot, "c", CreateAuthorizerForm)
        form.query_one("#f-name", Input).value = "users"
        form.query_one("#f-type", Select).value = "JWT"
        form.query_one("#f-issuer", Input).value = "https://issuer.example"
        form.query_one("#f-audience", Input).value = "app"
        await saved(pilot, page)
        page.switch_view("routes")
        await settle(pilot)
        form = await form_of(pilot, "a", RouteAuthorizationForm)
        form.query_one("#f-authorizer", Select).value = live.apigateway.get_authorizers(api.api_id)[0].authorizer_id
        await saved(pilot, page)
        status, _, body = await requested(url)
        assert (status, body) == (401, {"message": "Unauthorized"})

        page.switch_view("authorizers")
        await settle(pilot)
        form = await form_of(pilot, "c", CreateAuthorizerForm)
        form.query_one("#f-name", Input).value = "who"
        form.query_one("#f-function", Select).value = next(
            f.function_arn for f in live.lambda_.list_functions() if f.function_name == "refuses")
        form.query_one("#f-ttl", Input).value = "0"
        await saved(pilot, page)
        page.switch_view("routes")
        await settle(pilot)
        form = await form_of(pilot, "a", RouteAuthorizationForm)
        form.query_one("#f-authorizer", Select).value = next(
            a.authorizer_id for a in live.apigateway.get_authorizers(api.api_id) if a.name == "who")
        await saved(pilot, page)
        assert page.table.rows[0].cells["authorization"] == "CUSTOM who"
        status, _, body = await requested(url)
        assert (status, body) == (401, {"message": "Unauthorized"})  # no identity source: the function is not asked
        status, _, body = await requested(url, {"Authorization": "let me in"})
        assert (status, body) == (403, {"message": "Forbidden"})  # the function said no


async def test_a_stage_throttled_from_the_console_to_rate_1_burst_1_answers_a_burst_with_429(
        live: LocalBackend) -> None:
    api = next(a for a in live.apigateway.get_apis() if a.name == "hello-api")
    url = api.api_endpoint + "/"
    app = console(live)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "throttling")
        form = await form_of(pilot, "e", ThrottlingForm)
        form.query_one("#f-rate", Input).value = "1"
        form.query_one("#f-burst", Input).value = "1"
        await saved(pilot, page)

        def burst() -> list[tuple[int, Any]]:
            with ThreadPoolExecutor(6) as pool:
                return [(status, body) for status, _, body in pool.map(lambda _: call(url), range(6))]

        answers = await asyncio.to_thread(burst)
        statuses = sorted(status for status, _ in answers)
        assert statuses.count(429) >= 4 and statuses.count(200) >= 1, statuses
        assert {json.dumps(body) for status, body in answers if status == 429} == {
            '{"message": "Too Many Requests"}'}


async def test_access_logs_set_from_the_console_show_the_request_s_line_and_metrics_count_it(
        live: LocalBackend) -> None:
    api = next(a for a in live.apigateway.get_apis() if a.name == "hello-api")
    app = console(live)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "logs")
        await form_of(pilot, "e", AccessLogForm)  # the console's JSON format and a log group of the API's
        await saved(pilot, page)
        status, headers, _ = await requested(api.api_endpoint + "/")
        assert status == 200
        request_id = headers["apigw-requestid"]

        log = page.query_one(AccessLogsPanel).query_one(Log)
        [line] = await until(pilot, lambda: [x for x in log.lines if request_id in x], "the access log's line")
        fields = json.loads(line.split("  ", 1)[1])
        assert (fields["requestId"], fields["httpMethod"], fields["routeKey"], fields["status"]) == (
            request_id, "GET", "$default", "200")

        page.switch_view("metrics")
        await settle(pilot)
        chart = page.query_one(HttpMetricsPanel).query_one("#chart-count", Sparkline)
        assert await until(pilot, lambda: sum(chart.data or []) >= 1, "Count of at least 1")
