"""Create a function from a blueprint: name, runtime, architecture, memory, timeout."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from computetui.blueprints import BLUEPRINTS, blueprint
from computetui.models.lambda_ import MEMORY_DEFAULT, TIMEOUT_DEFAULT
from computetui.ui.screens.base import describe_error


class CreateFunctionScreen(ModalScreen[str | None]):
    """Returns the new function's name, or None when cancelled."""

    DEFAULT_CSS = """
    CreateFunctionScreen { align: center middle; }
    CreateFunctionScreen > Vertical {
        width: 76; height: auto; padding: 1 2; border: thick $primary; background: $surface;
    }
    CreateFunctionScreen #create-title { text-style: bold; margin-bottom: 1; }
    CreateFunctionScreen Grid { grid-size: 2; grid-columns: 20 1fr; grid-rows: 3; height: auto; }
    CreateFunctionScreen Label { padding: 1 0 0 0; }
    CreateFunctionScreen #create-message { height: auto; color: $muted; margin: 1 0; }
    CreateFunctionScreen #create-message.-error { color: $error; }
    CreateFunctionScreen Horizontal { height: auto; align-horizontal: right; }
    CreateFunctionScreen Button { margin-left: 2; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="create-cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Create function — from a blueprint", id="create-title")
            with Grid():
                yield Label("Function name")
                yield Input(placeholder="my-function", id="name", max_length=64)
                yield Label("Blueprint")
                yield Select(
                    [(bp.title + f" · {bp.runtime}", bp.id) for bp in BLUEPRINTS],
                    value=BLUEPRINTS[0].id,
                    allow_blank=False,
                    id="blueprint",
                )
                yield Label("Architecture")
                yield Select(
                    [("x86_64", "x86_64"), ("arm64", "arm64")], value="x86_64", allow_blank=False, id="architecture"
                )
                yield Label("Memory (MB)")
                yield Input(str(MEMORY_DEFAULT), id="memory")
                yield Label("Timeout (seconds)")
                yield Input(str(TIMEOUT_DEFAULT), id="timeout")
            yield Static(
                "Lambda makes the function with the blueprint's code; edit it in the Code tab.", id="create-message"
            )
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Create function", id="create", variant="primary")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "blink", True)
        self.query_one("#name", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.create()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.create()

    def _message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#create-message", Static)
        message.update(Content(text))
        message.set_class(error, "-error")

    def create(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        numbers = {}
        for key, label in (("memory", "Memory"), ("timeout", "Timeout")):
            text = self.query_one(f"#{key}", Input).value.strip()
            if not text.isdigit():
                self._message(f"{label} must be a whole number (got {text!r})", error=True)
                return
            numbers[key] = int(text)
        if self.app.refuse_if_read_only(f"creating function {name or '(unnamed)'}"):  # type: ignore[attr-defined]
            return
        chosen = blueprint(str(self.query_one("#blueprint", Select).value))
        architecture = str(self.query_one("#architecture", Select).value)
        self._message("Creating…")
        self._create(name, chosen.id, architecture, numbers["memory"], numbers["timeout"])

    @work(thread=True, exclusive=True, exit_on_error=False, group="create-function")
    def _create(self, name: str, blueprint_id: str, architecture: str, memory: int, timeout: int) -> None:
        bp = blueprint(blueprint_id)
        try:
            self.app.backend.lambda_.create_function(  # type: ignore[attr-defined]
                function_name=name,
                runtime=bp.runtime,
                handler=bp.handler,
                code={"ZipFile": bp.zip()},
                description=f"{bp.title} blueprint",
                memory_size=memory,
                timeout=timeout,
                architectures=[architecture],
            )
        except Exception as exc:
            self.app.call_from_thread(self._message, describe_error(exc), True)
            return
        self.app.call_from_thread(self.dismiss, name)
