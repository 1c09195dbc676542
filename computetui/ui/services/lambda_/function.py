"""One Lambda function, with the console's tabs: Code, Test, Monitor, Configuration, Logs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static, TabbedContent, TabPane, Tabs, TextArea

from computetui.backends.base import Backend
from computetui.backends.errors import NotFound
from computetui.ui.format import describe_error
from computetui.ui.screens.base import ConsoleScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.services.lambda_.code import CodeEditor
from computetui.ui.services.lambda_.configuration import ConfigurationPanel
from computetui.ui.services.lambda_.logs import TAIL, LogsPanel
from computetui.ui.services.lambda_.monitor import MonitorPanel, metric_queries
from computetui.ui.services.lambda_.testing import TestPanel
from computetui.ui.states import TONE_VARIABLE, tone

TABS = ("code", "test", "monitor", "configuration", "logs")


def unsaved_question(function_name: str, code: bool, event: bool) -> tuple[Content, str]:
    """What esc asks before leaving edits behind: undeployed code, an unsaved test event, or both."""
    if code and event:
        what = "unsaved code changes and an unsaved test event"
        keep, where = "deploy the code and save the event", "ctrl+s on each tab"
    elif code:
        what, keep, where = "unsaved code changes", "deploy them", "ctrl+s on the Code tab"
    else:
        what, keep, where = "an unsaved test event", "save it", "ctrl+s on the Test tab"
    question = Content.from_markup("Leave [b]$n[/b] with $w?", n=function_name, w=what)
    return question, f"The edits are lost unless you {keep} first ({where})."


class FunctionScreen(ConsoleScreen):
    page_id = "lambda"

    BINDINGS = [
        Binding(
            "ctrl+s", "save", "Save/Deploy", id="save", tooltip="Deploy the code, save the event or the configuration"
        ),
        Binding("t", "run_test", "Test", id="run-test", tooltip="Run the test event"),
        # Also from inside an editor, where the terminal sends it: most do not (tmux, the usual
        # xterm modes send a plain enter), so t is the key the footer, help and the Test tab name.
        Binding(
            "ctrl+enter",
            "run_test",
            "Test",
            id="run-test-anywhere",
            show=False,
            priority=True,
            system=True,
            tooltip="Run the test event, even from inside an editor (where the terminal sends ctrl+enter)",
        ),
        Binding("e", "edit", "Edit", id="edit", tooltip="Into the tab's editor (esc comes back out)"),
        Binding("l", "logs", "Logs", id="logs", tooltip="To the function's Logs tab"),
        Binding("a", "http_api", "HTTP API", id="lambda-http-api",
                tooltip="Create an HTTP API in front of this function (quick create) and show its URL"),
        Binding("right_square_bracket", "tab(1)", "Next tab", id="tab-next", show=False),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", id="tab-previous", show=False),
    ]

    MUTATING = frozenset({"save", "run_test", "http_api"})
    """Deploying, saving, invoking and putting an API in front: read-only mode refuses them (the
    panels say so)."""

    def __init__(self, function_name: str, tab: str = "code") -> None:
        super().__init__()
        self.function_name = function_name
        self.active = tab
        self._log_since = 0

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "Lambda", "Functions", self.function_name]

    def compose_content(self) -> ComposeResult:
        with Vertical(id="function"):
            yield Static(Content.from_markup("[b]Function[/] [b $primary]$n[/]", n=self.function_name), id="facts")
            with TabbedContent(initial=f"tab-{self.active}", id="function-tabs"):
                with TabPane("Code", id="tab-code"):
                    yield CodeEditor(self.function_name)
                with TabPane("Test", id="tab-test"):
                    yield TestPanel(self.function_name)
                with TabPane("Monitor", id="tab-monitor"):
                    yield MonitorPanel(id="monitor")
                with TabPane("Configuration", id="tab-configuration"):
                    yield ConfigurationPanel(self.function_name)
                with TabPane("Logs", id="tab-logs"):
                    yield LogsPanel(self.function_name)

    def on_mount(self) -> None:
        self.focus_content()

    def focus_content(self) -> None:
        # The tab bar holds focus, so letters are commands (t, e, [ ]) until the user edits.
        self.query_one(TabbedContent).query_one(Tabs).focus()

    def action_edit(self) -> None:
        target = {
            "code": "#editor",
            "test": "#event",
            "configuration": "#cfg-memory",
            "logs": "#log",
            "monitor": None,
        }.get(self.active)
        if target:
            self.query_one(target).focus()

    def _editing(self) -> bool:
        focused = self.focused
        return focused is not None and isinstance(focused, (TextArea, Input))

    # -- data ------------------------------------------------------------------
    def fetch(self, backend: Backend) -> dict[str, Any]:
        facet = backend.lambda_
        assert facet is not None
        data: dict[str, Any] = {
            "config": facet.get_function_configuration(self.function_name),
            "reserved": facet.get_function_concurrency(self.function_name),
        }
        now = self.console.clock.now()
        if self.active == "monitor" and backend.metrics is not None:
            data["metrics"] = backend.metrics.get_metric_data(
                metric_queries(self.function_name), now - timedelta(hours=1), now + timedelta(minutes=1)
            )
            data["now"] = now
        if self.active == "logs" and backend.logs is not None:
            group = f"/aws/lambda/{self.function_name}"
            try:
                data["streams"] = backend.logs.describe_log_streams(group)
                data["events"] = backend.logs.filter_log_events(group, start_time=self._log_since, limit=TAIL)
            except NotFound:
                data["streams"], data["events"] = [], []
        return data

    def show(self, data: dict[str, Any]) -> None:
        config = data["config"]
        state = config.state.value
        colour = TONE_VARIABLE.get(tone(state), "$foreground")
        runtime = config.runtime.value if config.runtime else "container image"
        self.query_one("#facts", Static).update(
            Content.from_markup(
                f"[b]Function[/] [b $primary]$n[/]  [{colour}]● $s[/]  [$muted]$d[/]",
                n=config.function_name,
                s=state,
                d=f"{runtime} · {config.architectures[0].value} · {config.memory_size} MB · timeout {config.timeout} s · "
                f"handler {config.handler or '-'} · code {config.code_size:,} bytes",
            )
        )
        self.query_one(TestPanel).architecture = config.architectures[0].value
        self.query_one(ConfigurationPanel).show(config, data["reserved"])
        if "metrics" in data:
            self.query_one(MonitorPanel).show(data["metrics"], data["now"])
        if "events" in data:
            events = data["events"]
            self.query_one(LogsPanel).show(data["streams"], events)
            if events:
                self._log_since = max(e.timestamp for e in events)

    # -- tabs and keys -----------------------------------------------------------
    @on(TabbedContent.TabActivated)
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self.active = (event.pane.id or "tab-code").removeprefix("tab-")
        self.refresh_bindings()  # l shows on every tab but Logs
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logs":
            return self.active != "logs"
        if action == "http_api":
            backend = self.console.backend
            return backend is not None and backend.apigateway is not None
        return super().check_action(action, parameters)

    def action_logs(self) -> None:
        """``l``: the Logs tab, as ``l`` on the function's row opens it."""
        self.query_one(TabbedContent).active = "tab-logs"
        self.active = "logs"
        self.refresh_bindings()

    def action_tab(self, step: int) -> None:
        index = (TABS.index(self.active) + step) % len(TABS)
        self.query_one(TabbedContent).active = f"tab-{TABS[index]}"
        self.active = TABS[index]

    def action_save(self) -> None:
        if self.active == "code":
            self.query_one(CodeEditor).deploy()
        elif self.active == "test":
            self.query_one(TestPanel).save()
        elif self.active == "configuration":
            self.query_one(ConfigurationPanel).save()

    def action_run_test(self) -> None:
        if self.active != "test":
            self.query_one(TabbedContent).active = "tab-test"
            self.active = "test"
        self.query_one(TestPanel).run_test()

    def action_http_api(self) -> None:
        """``a``: quick create an HTTP API named ``<function>-api`` in front of the function (its
        integration, ``$default`` route and auto-deploying ``$default`` stage), and say its URL."""
        if self.console.refuse_if_read_only(f"creating an HTTP API in front of {self.function_name}"):
            return
        self._quick_create_api(self.function_name)

    @work(thread=True, exit_on_error=False, group="action")
    def _quick_create_api(self, function_name: str) -> None:
        backend = self.console.backend
        if backend is None or backend.apigateway is None or backend.lambda_ is None:
            return
        try:
            arn = backend.lambda_.get_function_configuration(function_name).function_arn
            api = backend.apigateway.create_api(name=f"{function_name}-api", target=arn)
            url = api.api_endpoint or backend.apigateway.invoke_url(api.api_id, "$default")
        except Exception as exc:
            self.app.call_from_thread(self.notify, describe_error(exc), title="Could not create the HTTP API",
                                      severity="error", timeout=8, markup=False)
            return
        self.app.call_from_thread(
            self.notify, f"Created HTTP API {api.name} ({api.api_id}) in front of {function_name}: {url}",
            title="HTTP API", timeout=15, markup=False)

    def action_back(self) -> None:
        if self._editing():
            self.focus_content()
            return
        code, event = self.query_one(CodeEditor).dirty, self.query_one(TestPanel).dirty
        if code or event:

            def answer(discard: bool | None) -> None:
                if discard:
                    self.console.go_back()

            self.app.push_screen(ConfirmScreen(*unsaved_question(self.function_name, code, event), "Discard"), answer)
            return
        super().action_back()

    @on(CodeEditor.Deployed)
    @on(TestPanel.Ran)
    def _changed(self, message: Any) -> None:
        message.stop()
        self.reload()
