"""Create a function from a blueprint: name, runtime, architecture, memory, timeout."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from computetui.backends.base import Backend
from computetui.blueprints import BLUEPRINTS, blueprint
from computetui.models.lambda_ import MEMORY_DEFAULT, TIMEOUT_DEFAULT
from computetui.ui.widgets.form import Form, FormError


class CreateFunctionScreen(Form[str | None]):
    """Returns the new function's name, or None when cancelled."""

    # No height cap: on a short terminal the screen scrolls down to the buttons instead of cutting them off.
    DEFAULT_CSS = """
    CreateFunctionScreen > Vertical { width: 76; max-height: initial; }
    """

    title_text = "Create function — from a blueprint"
    verb = "Create function"
    submit_id = "create"
    message_id = "create-message"
    hint = "Lambda makes the function with the blueprint's code; edit it in the Code tab."
    compact = False

    def compose_body(self) -> ComposeResult:
        with self.field_grid():
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

    def what_it_does(self) -> str:
        return f"creating function {self.value('name') or '(unnamed)'}"

    def working_message(self) -> str:
        return "Creating…"

    def prepare(self) -> Callable[[Backend], str]:
        numbers = {}
        for key, label in (("memory", "Memory"), ("timeout", "Timeout")):
            text = self.value(key)
            if not text.isdigit():
                # Worded as the Configuration tab words the same mistake.
                raise FormError(None, f"{label} must be a whole number (got {text!r})")
            numbers[key] = int(text)
        name = self.value("name")
        chosen = blueprint(str(self.value("blueprint")))
        architecture = str(self.value("architecture"))
        memory, timeout = numbers["memory"], numbers["timeout"]

        def call(b: Backend) -> str:
            assert b.lambda_ is not None
            b.lambda_.create_function(
                function_name=name,
                runtime=chosen.runtime,
                handler=chosen.handler,
                code={"ZipFile": chosen.zip()},
                description=f"{chosen.title} blueprint",
                memory_size=memory,
                timeout=timeout,
                architectures=[architecture],
            )
            return name

        return call
