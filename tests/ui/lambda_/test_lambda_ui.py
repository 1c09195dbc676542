"""The Lambda function screen: code editor, test runner, monitor, configuration, logs."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from computetui.backends.local.lambda_.records import LambdaRecords
from computetui.blueprints import zip_files
from computetui.models.lambda_ import InvokeResult
from computetui.ui.services.lambda_.code import CodeEditor
from computetui.ui.services.lambda_.configuration import ConfigurationPanel
from computetui.ui.services.lambda_.function import FunctionScreen
from computetui.ui.services.lambda_.testing import TestPanel
from tests.ui.helpers import SIZE, make_app, settle, type_text

SOURCE = "def handler(event, context):\n    return WORD\nWORD = 'old'\n"


def app_with_function(source: str = SOURCE, **settings):  # noqa: ANN003, ANN201
    """The console with one Python function, ``words``, whose code is ``source``."""
    app = make_app()
    app.backend.lambda_.create_function(
        function_name="words",
        runtime="python3.12",
        handler="lambda_function.handler",
        code={"ZipFile": zip_files({"lambda_function.py": source})},
        **settings,
    )
    return app


async def open_function(pilot: Pilot, name: str = "words", tab: str = "code") -> FunctionScreen:
    await settle(pilot)
    pilot.app.open_function(name, tab)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FunctionScreen)
    return screen


@pytest.mark.asyncio
async def test_edit_deploy_with_ctrl_s_then_test_shows_the_new_output() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot)
        code = screen.query_one(CodeEditor)
        assert [f.name for f in code.files] == ["lambda_function.py"]
        await pilot.press("e")  # into the editor
        await pilot.press("down", "down", "end")
        await type_text(pilot, " + '-edited'")
        await settle(pilot)
        assert code.dirty
        assert "Unsaved changes" in str(code.query_one("#code-status").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not code.dirty
        assert "Deployed" in str(code.query_one("#code-status").render())
        await pilot.press("escape")  # out of the editor
        await pilot.press("t")  # to the Test tab, and run
        await pilot.pause(0.5)
        await settle(pilot)
        panel = screen.query_one(TestPanel)
        assert panel.last is not None and panel.last.payload == b'"old-edited"'
        assert panel.last.init_duration_ms is not None  # new code: a new environment
        assert "COLD START" in str(panel.query_one("#result-summary").render())
        await pilot.press("t")
        await pilot.pause(0.3)
        await settle(pilot)
        assert panel.last.init_duration_ms is None
        assert "warm start" in str(panel.query_one("#result-summary").render())
    app.backend.close()


@pytest.mark.asyncio
async def test_invalid_json_names_the_line_and_column_and_runs_nothing() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        panel = screen.query_one(TestPanel)
        panel.query_one("#event").load_text('{\n  "a": 1\n  "b": 2\n}')
        await pilot.press("t")
        await settle(pilot)
        message = str(panel.query_one("#test-message").render())
        assert message.startswith("Invalid JSON at line 3, column 3")
        assert panel.last is None
    app.backend.close()


@pytest.mark.asyncio
async def test_test_events_are_saved_and_come_back() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        panel = screen.query_one(TestPanel)
        panel.query_one("#event").load_text('{"order": 7}')
        panel.query_one("#event-name").value = "order-7"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [e.name for e in app.backend.lambda_.list_test_events("words")] == ["order-7"]
        assert panel.saved == {"order-7": '{"order": 7}'}
    app.backend.close()


@pytest.mark.asyncio
async def test_configuration_is_validated_and_saved() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        panel = screen.query_one(ConfigurationPanel)
        panel.query_one("#cfg-memory").value = "64"
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(panel.query_one("#config-message").render())
        assert "ValidationException" in message and "memorySize" in message
        assert "greater than or equal to 128" in message
        panel.query_one("#cfg-memory").value = "lots"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Memory must be a whole number" in str(panel.query_one("#config-message").render())
        panel.query_one("#cfg-memory").value = "512"
        panel.query_one("#cfg-concurrency").value = "5"
        panel.query_one("#environment").load_text("MODE=fast\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        config = app.backend.lambda_.get_function_configuration("words")
        assert config.memory_size == 512 and config.environment.variables == {"MODE": "fast"}
        assert app.backend.lambda_.get_function_concurrency("words") == 5
    app.backend.close()


@pytest.mark.asyncio
async def test_create_a_function_from_a_blueprint() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, ":lambda")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "bad name")
        await pilot.press("enter")
        await settle(pilot)
        assert "ValidationException" in str(app.screen.query_one("#create-message").render())
        app.screen.query_one("#name").value = "greeter"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FunctionScreen) and app.screen.function_name == "greeter"
        assert app.backend.lambda_.get_function_configuration("greeter").runtime.value == "python3.12"
    app.backend.close()


@pytest.mark.asyncio
async def test_leaving_with_unsaved_code_asks_first() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot)
        await pilot.press("e")
        await type_text(pilot, "# note\n")
        await pilot.press("escape")  # leaves the editor
        await pilot.press("escape")  # tries to leave the page
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
    app.backend.close()


# -- pictures ------------------------------------------------------------------
FIXED_OK = InvokeResult(
    status_code=200,
    payload=b'{"statusCode": 200, "body": "\\"Hello from Lambda!\\""}',
    log_result="START RequestId: 6f1b2c3d-0000-4000-8000-000000000001 Version: $LATEST\nkey1 = value1\n"
    "key2 = value2\nkey3 = value3\nEND RequestId: 6f1b2c3d-0000-4000-8000-000000000001\n"
    "REPORT RequestId: 6f1b2c3d-0000-4000-8000-000000000001\tDuration: 1.52 ms\tBilled Duration: 83 ms\t"
    "Memory Size: 128 MB\tMax Memory Used: 15 MB\tInit Duration: 81.04 ms\n",
    executed_version="$LATEST",
    request_id="6f1b2c3d-0000-4000-8000-000000000001",
    duration_ms=1.52,
    billed_duration_ms=83,
    init_duration_ms=81.04,
    memory_size_mb=128,
    max_memory_used_mb=15,
    sandbox="process",
    sandbox_note="public.ecr.aws/lambda/python:3.12 cannot be pulled",
)
FIXED_FAILED = InvokeResult(
    status_code=200,
    function_error="Unhandled",
    payload=b'{"errorMessage": "bad input", "errorType": "ValueError", "requestId": "6f1b2c3d-0000-4000-8000-'
    b'000000000002", "stackTrace": ["  File \\"/var/task/lambda_function.py\\", line 2, in handler\\n"]}',
    log_result="START RequestId: 6f1b2c3d-0000-4000-8000-000000000002 Version: $LATEST\n[ERROR] ValueError: bad input\n"
    "END RequestId: 6f1b2c3d-0000-4000-8000-000000000002\nREPORT RequestId: 6f1b2c3d-0000-4000-8000-"
    "000000000002\tDuration: 0.71 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 15 MB\n",
    executed_version="$LATEST",
    request_id="6f1b2c3d-0000-4000-8000-000000000002",
    duration_ms=0.71,
    billed_duration_ms=1,
    memory_size_mb=128,
    max_memory_used_mb=15,
    sandbox="container",
)


def seeded_history(app) -> None:  # noqa: ANN001
    """Invocations and log lines at fixed times, so Monitor and Logs have something to show."""
    from computetui.backends.local.lambda_.records import InvocationRecord
    from computetui.backends.local.lambda_.sandbox import EnvironmentSpec

    base = int(app.clock.time() * 1000)
    spec = EnvironmentSpec(
        "hello-world",
        "arn",
        "$LATEST",
        "python3.12",
        "h",
        128,
        3,
        None,
        {},  # type: ignore[arg-type]
        "/aws/lambda/hello-world",
        "2026/01/15/[$LATEST]0123456789abcdef0123456789abcdef",
        "us-east-1",
    )
    for i in range(12):
        started = base - (55 - i * 5) * 60_000
        error = "ValueError" if i in (4, 9) else None
        request_id = f"6f1b2c3d-0000-4000-8000-{i:012d}"
        lines = [
            (started, f"START RequestId: {request_id} Version: $LATEST"),
            (started + 1, f"key1 = value{i}"),
            (started + 2, f"END RequestId: {request_id}"),
            (
                started + 2,
                f"REPORT RequestId: {request_id}\tDuration: {1.5 + i:.2f} ms\tBilled Duration: "
                f"{2 + i} ms\tMemory Size: 128 MB\tMax Memory Used: 15 MB",
            ),
        ]
        app.backend.part(LambdaRecords).write(
            InvocationRecord(
                "hello-world", "$LATEST", request_id, started, 1.5 + i, 2 + i, None, 128, 15, "x86_64", error
            ),
            spec,
            lines,
        )


@pytest.mark.parametrize("tab", ["code", "monitor", "configuration", "logs"])
def test_function_tab_snapshots(snap_compare, tab: str) -> None:  # noqa: ANN001
    app = make_app()
    seeded_history(app)

    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        app.open_function("hello-world", tab)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


@pytest.mark.parametrize("outcome", ["succeeded", "failed"])
def test_test_tab_snapshots(snap_compare, outcome: str) -> None:  # noqa: ANN001
    app = make_app()

    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        app.open_function("hello-world", "test")
        await settle(pilot)
        app.screen.query_one(TestPanel).show_result(FIXED_OK if outcome == "succeeded" else FIXED_FAILED)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


def test_create_dialog_snapshot(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":lambda")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=go)


@pytest.mark.asyncio
async def test_a_save_over_a_configuration_changed_elsewhere_is_refused_and_keeps_theirs() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        panel = screen.query_one(ConfigurationPanel)
        app.backend.lambda_.update_function_configuration("words", description="theirs")  # another console
        panel.query_one("#cfg-memory").value = "256"
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(panel.query_one("#config-message").render())
        assert "PreconditionFailedException" in message and "Someone else changed it" in message
        config = app.backend.lambda_.get_function_configuration("words")
        assert config.description == "theirs" and config.memory_size == 128
        await pilot.press("r")  # theirs, in the form, to start again from
        await settle(pilot)
        assert panel.query_one("#cfg-description").value == "theirs"
        assert panel.query_one("#cfg-memory").value == "128"
        panel.query_one("#cfg-memory").value = "256"
        await pilot.press("ctrl+s")
        await settle(pilot)
        config = app.backend.lambda_.get_function_configuration("words")
        assert config.description == "theirs" and config.memory_size == 256
    app.backend.close()
