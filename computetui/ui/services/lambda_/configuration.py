"""The Configuration tab: memory, timeout, storage, handler, environment, reserved concurrency."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, Static, TextArea

from computetui.models.lambda_ import FunctionConfiguration
from computetui.ui.format import describe_error
from computetui.ui.widgets.editor import Editor

FIELDS = (
    ("memory", "Memory (MB)", "128 to 10240"),
    ("timeout", "Timeout (seconds)", "1 to 900"),
    ("storage", "Ephemeral storage (MB)", "512 to 10240"),
    ("handler", "Handler", "module.function"),
    ("description", "Description", "up to 256 characters"),
    ("concurrency", "Reserved concurrency", "blank: use the account's unreserved pool"),
)


def parse_environment(text: str) -> dict[str, str]:
    """``KEY=value`` lines; blank lines and ``#`` comments are skipped."""
    variables = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"Environment variables, line {number}: write KEY=value")
        variables[key.strip()] = value.strip()
    return variables


class ConfigurationPanel(VerticalScroll):
    DEFAULT_CSS = """
    ConfigurationPanel { height: 1fr; padding: 0 1; }
    ConfigurationPanel Grid { grid-size: 3; grid-columns: 24 36 1fr; grid-rows: auto; grid-gutter: 1 0; height: auto;
                              margin: 1 0; }
    ConfigurationPanel .hint { padding: 0 0 0 2; color: $muted; }
    ConfigurationPanel #environment { height: 6; border: round $panel-lighten-2; }
    ConfigurationPanel #config-message { width: 1fr; height: auto; padding: 0 1; color: $muted; }
    ConfigurationPanel #config-message.-error { color: $error; }
    ConfigurationPanel #config-message.-done { color: $success; }
    ConfigurationPanel Horizontal { height: auto; }
    """

    def __init__(self, function_name: str) -> None:
        super().__init__(id="configuration")
        self.function_name = function_name
        self.loaded: FunctionConfiguration | None = None
        self.reserved: int | None = None

    def compose(self) -> ComposeResult:
        with Grid():
            for key, label, hint in FIELDS:
                yield Label(label)
                yield Input(id=f"cfg-{key}", compact=True)
                yield Static(hint, classes="hint")
        yield Label("Environment variables (KEY=value per line, 4 KB in all)")
        yield Editor("", id="environment")
        with Horizontal():
            yield Button("Save (ctrl+s)", id="save-config", variant="primary")
            yield Static("", id="config-message")

    def on_mount(self) -> None:
        self.query_one("#environment", TextArea).cursor_blink = getattr(self.app, "blink", True)
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "blink", True)

    @property
    def dirty(self) -> bool:
        return self.loaded is not None and self._values() != self._values_of(self.loaded, self.reserved)

    def show(self, config: FunctionConfiguration, reserved: int | None) -> None:
        """Fill the form, unless the user is in the middle of changing it."""
        if self.loaded is not None and self.dirty:
            return
        self.loaded, self.reserved = config, reserved
        for key, value in self._values_of(config, reserved).items():
            if key == "environment":
                self.query_one("#environment", TextArea).load_text(value)
            else:
                self.query_one(f"#cfg-{key}", Input).value = value

    @staticmethod
    def _values_of(config: FunctionConfiguration, reserved: int | None) -> dict[str, str]:
        variables = config.environment.variables if config.environment else {}
        return {
            "memory": str(config.memory_size),
            "timeout": str(config.timeout),
            "storage": str(config.ephemeral_storage.size),
            "handler": config.handler or "",
            "description": config.description,
            "concurrency": "" if reserved is None else str(reserved),
            "environment": "\n".join(f"{k}={v}" for k, v in variables.items()),
        }

    def _values(self) -> dict[str, str]:
        values = {key: self.query_one(f"#cfg-{key}", Input).value.strip() for key, _l, _h in FIELDS}
        values["environment"] = self.query_one("#environment", TextArea).text.strip()
        return values

    def _message(self, text: str, state: str = "") -> None:
        message = self.query_one("#config-message", Static)
        message.update(Content(text))
        message.set_classes(state)

    @on(Button.Pressed, "#save-config")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.save()

    def save(self) -> None:
        values = self._values()
        changes: dict[str, Any] = {}
        try:
            for key, name, label in (("memory", "memory_size", "Memory"), ("timeout", "timeout", "Timeout")):
                changes[name] = self._whole(values[key], label)
            changes["ephemeral_storage"] = {"Size": self._whole(values["storage"], "Ephemeral storage")}
            changes["environment"] = {"Variables": parse_environment(values["environment"])}
            reserved = (
                None if values["concurrency"] == "" else self._whole(values["concurrency"], "Reserved concurrency")
            )
        except ValueError as exc:
            self._message(str(exc), "-error")
            return
        if values["handler"]:
            changes["handler"] = values["handler"]
        changes["description"] = values["description"]
        if self.loaded is not None and self.loaded.revision_id:
            # As the AWS console does: a save made over a configuration changed since it was shown
            # (another console, a script) is refused, not written over it.
            changes["revision_id"] = self.loaded.revision_id
        if self.app.refuse_if_read_only(f"changing {self.function_name}'s configuration"):  # type: ignore[attr-defined]
            return
        self._message("Saving…")
        self._save(changes, reserved, reserved != self.reserved)

    @staticmethod
    def _whole(text: str, label: str) -> int:
        if not text.lstrip("-").isdigit():
            raise ValueError(f"{label} must be a whole number (got {text!r})")
        return int(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="config-save")
    def _save(self, changes: dict[str, Any], reserved: int | None, concurrency_changed: bool) -> None:
        facet = self.app.backend.lambda_  # type: ignore[attr-defined]
        try:
            config = facet.update_function_configuration(self.function_name, **changes)
            if concurrency_changed:
                if reserved is None:
                    facet.delete_function_concurrency(self.function_name)
                else:
                    facet.put_function_concurrency(self.function_name, reserved)
        except Exception as exc:
            text = describe_error(exc)
            if getattr(exc, "code", None) == "PreconditionFailedException":
                text += " Someone else changed it since it was shown: r shows theirs (yours go), then make yours again."
                self.app.call_from_thread(setattr, self, "loaded", None)  # the next refresh fills the form
            self.app.call_from_thread(self._message, text, "-error")
            return
        self.app.call_from_thread(self._saved, config, reserved)

    def _saved(self, config: FunctionConfiguration, reserved: int | None) -> None:
        self.loaded, self.reserved = None, None
        self.show(config, reserved)
        self._message("✓ Saved. New environments start with it; the next invoke is a cold start.", "-done")
