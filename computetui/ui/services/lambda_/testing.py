"""The Test tab: write or pick an event, run it, read the response, the logs and the bill.

Saved events (up to 10 per function) live in the backend; templates start new
ones. The JSON is checked before anything runs, naming the line and column of
the first mistake.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Select, Static, TextArea

from computetui.models.lambda_ import InvokeResult
from computetui.pricing import lambda_invocation_cost, usd
from computetui.test_events import TEMPLATES, json_problem, template_text
from computetui.ui.format import describe_error, pretty
from computetui.ui.widgets.editor import Editor

NEW = "template:"


def log_tail(text: str | None) -> str:
    """The log tail a line at a time. A runtime writing to a pipe ends the lines inside one
    log event (a traceback) with ``\\r``, so that the event stays one; the console shows each."""
    return "\n".join(line.expandtabs(2) for line in (text or "").rstrip().splitlines())


def sandbox_line(sandbox: str, note: str | None) -> str:
    """The sandbox by the name the ``lambda_sandbox`` setting gives it (``container``, ``process``),
    and why it is not a container when one was asked for."""
    return f"{sandbox} — {note}" if note else sandbox


class TestPanel(Vertical):
    """Event editor above, result below."""

    __test__ = False  # a widget, not a pytest test class

    DEFAULT_CSS = """
    TestPanel { height: 1fr; }
    TestPanel #test-controls { height: 3; }
    TestPanel #events { width: 34; }
    /* Wider than the select, so that the longest entry ("template: " and a 25-letter template,
       or "saved: " and a 25-letter name) is one line; the chosen one is cut to the select's width. */
    TestPanel #events > SelectOverlay { width: 44; }
    TestPanel #events > SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    TestPanel #event-name { width: 24; }
    TestPanel Button { min-width: 10; margin-left: 1; }
    TestPanel #event { height: 9; border: round $panel-lighten-2; }
    TestPanel #event:focus { border: round $primary; }
    TestPanel #test-message { height: auto; padding: 0 1; color: $muted; }
    TestPanel #test-message.-error { color: $error; }
    TestPanel #result { height: 1fr; border: round $panel-lighten-2; padding: 0 1; display: none; }
    TestPanel.-ran #result { display: block; }
    TestPanel #result-status.-ok { color: $success; text-style: bold; }
    TestPanel #result-status.-failed { color: $error; text-style: bold; }
    TestPanel .heading { color: $secondary; text-style: bold; margin-top: 1; }
    TestPanel #result-logs { color: $foreground 80%; }
    TestPanel #result-summary { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    class Ran(Message):
        """An invocation finished (the Monitor and Logs tabs have news)."""

    def __init__(self, function_name: str, architecture: str = "x86_64") -> None:
        super().__init__(id="test")
        self.function_name = function_name
        self.architecture = architecture
        self.saved: dict[str, str] = {}
        self.running = False
        self.last: InvokeResult | None = None
        self._unedited = template_text("hello-world")
        """The event as last loaded or saved: the editor holding anything else has unsaved edits."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="test-controls"):
            yield Select([], prompt="Saved events and templates", id="events", allow_blank=True)
            yield Input(placeholder="event name", id="event-name", max_length=25)
            yield Button("Save", id="save-event")
            yield Button("Test (t)", id="run-test", variant="primary")
            yield Button("Delete", id="delete-event", variant="error")
        yield Editor.code_editor(self._unedited, language="json", id="event")
        yield Static("t runs the event (in the editor, press esc first).", id="test-message")
        with VerticalScroll(id="result"):
            yield Static(id="result-status")
            yield Static(id="result-summary")
            yield Static("Response", classes="heading")
            yield Static(id="result-response")
            yield Static("Function logs", classes="heading")
            yield Static(id="result-logs")

    def on_mount(self) -> None:
        editor = self.query_one("#event", TextArea)
        editor.cursor_blink = getattr(self.app, "blink", True)
        editor.theme = "vscode_dark" if self.app.current_theme.dark else "github_light"
        self.query_one("#event-name", Input).value = "hello"
        self.load_saved()

    @property
    def dirty(self) -> bool:
        """Whether the event in the editor has edits that are not saved."""
        return self.query_one("#event", TextArea).text != self._unedited

    def _load_event(self, text: str) -> None:
        self._unedited = text
        self.query_one("#event", TextArea).load_text(text)

    # -- saved events --------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="test-events")
    def load_saved(self, select: str | None = None) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            events = backend.lambda_.list_test_events(self.function_name)
        except Exception as exc:
            self.app.call_from_thread(self._message, describe_error(exc), error=True)
            return
        self.app.call_from_thread(self._show_saved, {e.name: e.event for e in events}, select)

    def _show_saved(self, saved: dict[str, str], select: str | None) -> None:
        self.saved = saved
        options = [(f"saved: {name}", name) for name in saved]
        options += [(f"template: {template}", NEW + template) for template in TEMPLATES]
        chooser = self.query_one("#events", Select)
        chooser.set_options(options)
        if select is not None:
            chooser.value = select
        elif saved:
            chooser.value = next(iter(saved))

    @on(Select.Changed, "#events")
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value
        if not isinstance(value, str):
            return
        name = self.query_one("#event-name", Input)
        if value.startswith(NEW):
            template = value[len(NEW) :]
            self._load_event(template_text(template))
            name.value = template.replace("apigateway-", "apigw-")[:25]
        else:
            self._load_event(self.saved.get(value, "{}"))
            name.value = value

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"save-event": self.save, "run-test": self.run_test, "delete-event": self.delete}
        if event.button.id in actions:
            actions[event.button.id]()

    def _checked_event(self) -> str | None:
        text = self.query_one("#event", TextArea).text
        problem = json_problem(text)
        if problem:
            self._message(problem, error=True)
            return None
        return text

    def save(self) -> None:
        text = self._checked_event()
        if text is None:
            return
        name = self.query_one("#event-name", Input).value.strip()
        if self.app.refuse_if_read_only(f"saving test event {name}"):  # type: ignore[attr-defined]
            return
        self._save(name, text)

    @work(thread=True, exit_on_error=False, group="test-save")
    def _save(self, name: str, text: str) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            backend.lambda_.save_test_event(self.function_name, name, text)
        except Exception as exc:
            self.app.call_from_thread(self._message, describe_error(exc), error=True)
            return
        self.app.call_from_thread(self._saved, name, text)
        self.load_saved(select=name)

    def _saved(self, name: str, text: str) -> None:
        self._unedited = text  # what was typed since the save is still unsaved
        self._message(f"Saved test event {name}.")

    def delete(self) -> None:
        chooser = self.query_one("#events", Select)
        name = chooser.value if isinstance(chooser.value, str) and chooser.value in self.saved else None
        if name is None:
            self._message("Pick a saved event to delete.", error=True)
            return
        if self.app.refuse_if_read_only(f"deleting test event {name}"):  # type: ignore[attr-defined]
            return
        self._delete(name)

    @work(thread=True, exit_on_error=False, group="test-save")
    def _delete(self, name: str) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            backend.lambda_.delete_test_event(self.function_name, name)
        except Exception as exc:
            self.app.call_from_thread(self._message, describe_error(exc), error=True)
            return
        self.app.call_from_thread(self._message, f"Deleted test event {name}.")
        self.load_saved()

    def _message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#test-message", Static)
        message.update(Content(text))
        message.set_class(error, "-error")

    # -- running -------------------------------------------------------------
    def run_test(self) -> None:
        if self.running:
            return
        text = self._checked_event()
        if text is None:
            return
        if self.app.refuse_if_read_only(f"invoking {self.function_name}"):  # type: ignore[attr-defined]
            return
        self.running = True
        self._message(f"Running {self.function_name}…")
        self._invoke(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="test-run")
    def _invoke(self, text: str) -> None:
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            result = backend.lambda_.invoke(self.function_name, text, log_type="Tail")
        except Exception as exc:
            self.app.call_from_thread(self._show_error, describe_error(exc))
            return
        self.app.call_from_thread(self.show_result, result)

    def _show_error(self, problem: str) -> None:
        self.running = False
        self.add_class("-ran")
        self._message(problem, error=True)
        status = self.query_one("#result-status", Static)
        status.update(Content(f"✗ Not run: {problem}"))
        status.set_classes("-failed")
        for part in ("#result-summary", "#result-response", "#result-logs"):
            self.query_one(part, Static).update("")

    def show_result(self, result: InvokeResult) -> None:
        """Fill the result panel (also used by snapshot tests with a fixed result)."""
        self.running = False
        self.last = result
        self.add_class("-ran")
        ok = result.function_error is None
        status = self.query_one("#result-status", Static)
        status.update(Content("✓ Succeeded" if ok else f"✗ Failed ({result.function_error})"))
        status.set_classes("-ok" if ok else "-failed")
        cost = lambda_invocation_cost(result.billed_duration_ms or 0, result.memory_size_mb or 128, self.architecture)
        cold = result.init_duration_ms is not None
        summary = [
            ("Request ID", result.request_id),
            ("Duration", f"{result.duration_ms:.2f} ms" if result.duration_ms is not None else "-"),
            ("Billed duration", f"{result.billed_duration_ms} ms" if result.billed_duration_ms is not None else "-"),
            ("Memory size", f"{result.memory_size_mb} MB" if result.memory_size_mb is not None else "-"),
            ("Max memory used", f"{result.max_memory_used_mb} MB" if result.max_memory_used_mb is not None else "-"),
            ("Init duration", f"{result.init_duration_ms:.2f} ms" if cold else "- (warm start)"),
            ("Cost of this invocation", f"{usd(cost)} (before the free tier)"),
        ]
        if result.sandbox is not None:  # the local emulator says where it ran it
            summary.append(("Sandbox", sandbox_line(result.sandbox, result.sandbox_note)))
        lines = [Content.from_markup("[$muted]$k[/]$v", k=f"{key + ':':<26}", v=value) for key, value in summary]
        if cold:
            lines[5] = lines[5] + Content.from_markup("  [b reverse $warning] COLD START [/]")
        self.query_one("#result-summary", Static).update(Content("\n").join(lines))
        self.query_one("#result-response", Static).update(Content(pretty(result.payload)))
        self.query_one("#result-logs", Static).update(Content(log_tail(result.log_result)))
        took = f" in {result.duration_ms:.2f} ms" if result.duration_ms is not None else ""
        self._message(f"{'Succeeded' if ok else 'Failed'}{took} — t runs it again.")
        self.post_message(self.Ran())
