"""The Test page of an API, on a local backend that leads its state dir (so its gateway listens):
``t`` sends the request through the sample's hello-api and shows the status, the Lambda REPORT line
with its cold-start badge, the body and the curl line; a header line that is not one is named and
nothing is sent; in a field ``t`` types, esc leaves the field; read-only mode refuses to send."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, Static, TextArea

from computetui.app import ComputeApp
from computetui.backends.local import LocalBackend
from computetui.clock import FixedClock
from computetui.settings import Settings
from computetui.ui.services.apigateway.test_panel import ApiTestScreen, Subject, curl_line, parse_headers
from tests.local.apigateway.conftest import call
from tests.support.fakes import StaticEngine
from tests.ui.helpers import SIZE, settle, type_text

pytestmark = pytest.mark.asyncio


@pytest.fixture
def leading(tmp_path: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(tmp_path / "state", lambda_sandbox="process", engine=StaticEngine(), apigateway_port=0,
                           seed=11)
    backend.seed_demo()
    yield backend
    backend.close()


def console(backend: LocalBackend, read_only: bool = False) -> ComputeApp:
    backend.read_only = read_only
    return ComputeApp(Settings(refresh=0, read_only=read_only), backend, polling=False, blink=False,
                      clock=FixedClock("2026-01-15T09:30:00+00:00"))


def hello_api(backend: LocalBackend) -> Any:
    assert backend.apigateway is not None
    return next(a for a in backend.apigateway.get_apis() if a.name == "hello-api")


def text_of(screen: ApiTestScreen, part: str) -> str:
    return str(screen.query_one(part, Static).render())


async def open_test(pilot: Any, backend: LocalBackend) -> ApiTestScreen:
    api = hello_api(backend)
    await pilot.app.push_screen(ApiTestScreen(Subject("http", api.api_id, api.name)))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ApiTestScreen)
    return screen


async def test_t_sends_through_hello_api_and_shows_the_report_line_and_cold_start(leading) -> None:  # noqa: ANN001
    app = console(leading)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_test(pilot, leading)
        assert screen.query_one("#stage", Select).value == "$default"
        screen.query_one("#method", Select).value = "POST"
        screen.query_one("#path", Input).value = "/greet"
        screen.query_one("#query", Input).value = "name=ada"
        screen.query_one("#headers", TextArea).load_text("X-Team: web\n")
        screen.query_one("#request-body", TextArea).load_text('{"n": 1}')
        await pilot.press("t")
        await settle(pilot)
        first = screen.last
        assert first is not None and first.status == 200, text_of(screen, "#test-message")
        assert text_of(screen, "#answer-status").startswith("✓ 200 · ")
        assert "REPORT RequestId: " in text_of(screen, "#answer-summary")
        assert "COLD START" in text_of(screen, "#answer-status")
        assert json.loads(text_of(screen, "#answer-body")) == json.loads(first.body)
        curl = text_of(screen, "#answer-curl")
        words = shlex.split(curl)
        assert words[:4] == ["curl", "-i", "-X", "POST"] and words[4] == f"{hello_api(leading).api_endpoint}/greet?name=ada"
        assert words[5:] == ["-H", "X-Team: web", "--data-raw", '{"n": 1}']
        assert call(words[4], method="POST", body=b'{"n": 1}').status == 200  # the curl line's URL answers
        await pilot.press("t")
        await settle(pilot)
        assert screen.last is not first and "WARM" in text_of(screen, "#answer-status")
        assert not screen.query_one("#answer-log", Static).display  # an HTTP API has no execution log


async def test_a_header_line_that_is_not_one_is_named_and_nothing_is_sent(leading) -> None:  # noqa: ANN001
    app = console(leading)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_test(pilot, leading)
        screen.query_one("#headers", TextArea).load_text("X-Team: web\nnot a header\n")
        await pilot.press("t")
        await settle(pilot)
        assert screen.last is None
        assert "Headers: line 2: 'not a header' is not Name: value" in text_of(screen, "#test-message")
        assert screen.focused is screen.query_one("#headers", TextArea)
        assert screen.query_one("#headers", TextArea).text == "X-Team: web\nnot a header\n"  # nothing lost


async def test_in_a_field_t_types_and_esc_leaves_the_field(leading) -> None:  # noqa: ANN001
    app = console(leading)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_test(pilot, leading)
        path = screen.query_one("#path", Input)
        path.value = ""
        path.focus()
        await pilot.pause()
        await type_text(pilot, "/tea")
        assert path.value == "/tea" and screen.last is None
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ApiTestScreen) and screen.focused is not path
        await pilot.press("t")
        await settle(pilot)
        assert screen.last is not None and screen.last.url and screen.last.url.endswith("/tea")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ApiTestScreen)  # a second esc goes back


async def test_read_only_mode_refuses_to_send(leading) -> None:  # noqa: ANN001
    app = console(leading, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_test(pilot, leading)
        await pilot.press("t")
        await settle(pilot)
        assert screen.last is None and not screen.has_class("-sent")


async def test_parse_headers_and_the_curl_line() -> None:
    assert parse_headers("A: 1\n\n B : two words \n") == {"A": "1", "B": "two words"}
    with pytest.raises(ValueError, match="line 1"):
        parse_headers("X Y: 1")
    assert curl_line("GET", "http://h/p?a=1", {}, "") == "curl -i 'http://h/p?a=1'"
    assert curl_line("HEAD", "http://h/", {}, "") == "curl -i --head http://h/"
    assert curl_line("DELETE", "http://h/x", {"A": "it's"}, "") == "curl -i -X DELETE http://h/x -H 'A: it'\"'\"'s'"
    assert curl_line("GET", None, {}, "").startswith("# Deploy the API")


async def test_t_on_a_rest_method_row_tests_it_as_it_is_now_without_a_deployment(leading) -> None:  # noqa: ANN001
    from tests.ui.apigateway.test_rest_api_ui import key_on, mock, open_rest

    app = console(leading)
    async with app.run_test(size=SIZE) as pilot:
        gw = leading.apigateway
        assert gw is not None
        api = next(a for a in gw.get_rest_apis() if a.name == "pets-api")
        [root] = gw.get_resources(api.id)
        health = gw.create_resource(api.id, root.id, "health")
        mock(app, api.id, health.id, body='{"up": true}')
        page = await open_rest(pilot, "resources")
        assert await key_on(pilot, page, "/health", "t") is page  # a resource's row: not a method
        assert any("Put the cursor on a method" in str(n.message) for n in app._notifications)
        screen = await key_on(pilot, page, "GET /health", "t")
        assert isinstance(screen, ApiTestScreen) and screen.crumbs[-2:] == ["GET /health", "Test"]
        assert screen.query_one("#path", Input).value == "/health"
        assert screen.query_one("#stage", Select).value == "-"  # no stage: nothing deployed yet
        await pilot.press("t")
        await settle(pilot)
        assert screen.last is not None and (screen.last.status, json.loads(screen.last.body)) == (200, {"up": True})
        assert "Method completed with status: 200" in text_of(screen, "#answer-log")
        assert text_of(screen, "#answer-curl").startswith("# Deploy the API to a stage")
        assert "no Lambda function answered" in text_of(screen, "#answer-summary")


async def test_t_on_an_http_api_s_page_opens_its_test_page_from_the_route_or_stage_under_the_cursor(leading) -> None:  # noqa: ANN001
    from tests.ui.apigateway.test_http_api_ui import open_api

    gw = leading.apigateway
    assert gw is not None
    api = hello_api(leading)
    integration = gw.get_integrations(api.api_id)[0].integration_id
    gw.create_route(api.api_id, "POST /pets/{id}", target=f"integrations/{integration}")
    app = console(leading)
    async with app.run_test(size=SIZE) as pilot:
        page = await open_api(pilot, "routes")
        assert page.table.move_to(next(r.key for r in page.table.rows if r.name == "POST /pets/{id}"))
        await pilot.press("t")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ApiTestScreen)
        assert (screen.query_one("#method", Select).value, screen.query_one("#path", Input).value) == (
            "POST", "/pets/{id}")
        await pilot.press("escape")
        await settle(pilot)
        page.switch_view("stages")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ApiTestScreen) and screen.query_one("#stage", Select).value == "$default"
        await pilot.press("t")
        await settle(pilot)
        assert screen.last is not None and screen.last.status == 200
