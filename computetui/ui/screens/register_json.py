"""Register a resource from its AWS CLI JSON, as the console's "with JSON" pages do: an ECS
task definition, a Batch job definition.

The editor opens with a starting text (a template, or the latest revision to make the next
one from). ``ctrl+s`` registers; whatever goes wrong (bad JSON, a missing field, the
service's ClientException) is said above the editor and the cursor goes to the place, the
text untouched. ``ctrl+o`` types the path of a JSON file to load instead (what ``aws …
describe-…`` printed too). esc with edits asks before leaving them.

A service's screen is a subclass: its bindings (with ids of its own), its words, and the
hooks that read, check and register its JSON.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static, TextArea

from computetui.backends.base import Backend
from computetui.ui.format import describe_error
from computetui.ui.screens.base import ConsoleScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.widgets.editor import Editor


class JsonProblem(ValueError):
    """Why the editor's text is not a request yet, and where, when that is known."""

    def __init__(
        self, message: str, *, line: int | None = None, column: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        """1-based, as JSON errors count."""
        self.column = column
        self.field = field


def loads(text: str) -> Any:
    """The editor's JSON, or a ``JsonProblem`` at the line and column where it breaks."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonProblem(
            f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).", line=exc.lineno, column=exc.colno
        ) from None


def field_line(text: str, field: str) -> int | None:
    """The 0-based line where ``"field":`` first appears in the editor's text, to put the cursor on.
    A dotted field (``containerProperties.image``, as a service names it) is found by its last part."""
    name = field.rsplit(".", 1)[-1]
    pattern = re.compile(r'"' + re.escape(name) + r'"\s*:')
    for number, line in enumerate(text.splitlines()):
        if pattern.search(line):
            return number
    return None


def read_json_file(path: str, *, what: str, max_bytes: int, limit: str) -> Any:
    """A JSON file's content, or a ``JsonProblem`` saying in a sentence why not (``what`` names the
    resource, ``limit`` the service's own size limit)."""
    file = Path(path).expanduser()
    try:
        if file.is_dir():
            raise JsonProblem(f"{path} is a directory, not a JSON file.")
        if file.stat().st_size > max_bytes:
            raise JsonProblem(f"{path} is over {max_bytes // (1024 * 1024)} MB: too big for a {what} ({limit}).")
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise JsonProblem(f"No such file: {path}") from None
    except PermissionError:
        raise JsonProblem(f"Not allowed to read {path}.") from None
    except UnicodeDecodeError:
        raise JsonProblem(f"{path} is not a text file (UTF-8).") from None
    except OSError as exc:
        raise JsonProblem(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise JsonProblem(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None


class RegisterJsonScreen(ConsoleScreen):
    """An editor of one resource's JSON. Dismisses with what ``register`` returned, or None when
    left without registering. Subclasses bind ``register``, ``open_file`` and ``edit`` (ctrl+s,
    ctrl+o, e) under ids of their own, and fill in the hooks below."""

    DEFAULT_CSS = """
    RegisterJsonScreen #register { height: 1fr; }
    RegisterJsonScreen #register-title { height: auto; padding: 0 1; }
    RegisterJsonScreen #register-file { height: 3; margin: 1 0 0 0; }
    RegisterJsonScreen #register-file Label { padding: 1 1 0 1; width: auto; color: $muted; }
    /* Bordered as the editor is, so the orange border says which of the two has the focus. */
    RegisterJsonScreen #register-path { width: 1fr; border: round $panel-lighten-2; background: $surface; }
    RegisterJsonScreen #register-path:focus { border: round $primary; }
    RegisterJsonScreen #register-message { height: auto; padding: 0 1; margin: 0 0 1 0; color: $muted; }
    RegisterJsonScreen #register-message.-error { color: $error; }
    RegisterJsonScreen #register-message.-done { color: $success; }
    RegisterJsonScreen #register-json { height: 1fr; border: round $panel-lighten-2; }
    RegisterJsonScreen #register-json:focus { border: round $primary; }
    """

    MUTATING = frozenset({"register"})

    hint = "Write the JSON; ctrl+s registers it."
    """What the line above the editor says once the starting text is in."""
    editor_title = "JSON"
    path_placeholder = "path/to/file.json, then enter"
    noun = "resource"
    """What is registered, as read-only mode's refusal says it: ``task definition``."""

    def __init__(self) -> None:
        super().__init__()
        self._pristine: str | None = None
        """The editor's text as it opened, until then None: leaving with other text asks first."""
        self.registering = False

    # -- the hooks a service fills in ----------------------------------------------------
    @property
    def title_text(self) -> Content:
        return Content("Register with JSON")

    def starting_text(self, backend: Backend) -> str:
        """In the worker: what the editor opens with."""
        raise NotImplementedError

    def parse(self, text: str) -> dict[str, Any]:
        """The editor's text as the request, or a ``JsonProblem`` saying where it goes wrong."""
        raise NotImplementedError

    def name_of(self, request: dict[str, Any]) -> str:
        """The name of what is being registered (a family), for the messages."""
        raise NotImplementedError

    def register(self, backend: Backend, request: dict[str, Any]) -> Any:
        """In the worker: the call; its answer is what the screen dismisses with."""
        raise NotImplementedError

    def read_file(self, path: str) -> str:
        """In the worker: a file's JSON as editor text, or a ``JsonProblem``."""
        raise NotImplementedError

    # -- composition -----------------------------------------------------------------
    def compose_content(self) -> ComposeResult:
        with Vertical(id="register"):
            yield Static(self.title_text, id="register-title")
            with Horizontal(id="register-file"):
                yield Label("Load from file")
                yield Input(placeholder=self.path_placeholder, id="register-path")
            yield Static("Loading…", id="register-message")
            editor = Editor.code_editor("", language="json", id="register-json", read_only=True)
            editor.border_title = self.editor_title
            yield editor

    @property
    def editor(self) -> TextArea:
        return self.query_one("#register-json", TextArea)

    def on_mount(self) -> None:
        blink = getattr(self.app, "blink", True)
        self.editor.cursor_blink = blink
        self.query_one("#register-path", Input).cursor_blink = blink
        self.editor.theme = "vscode_dark" if self.app.current_theme.dark else "github_light"
        self.editor.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing here to filter, and a refresh would only fetch the starting text again.
        if action in ("filter", "refresh"):
            return False
        return super().check_action(action, parameters)

    def focus_content(self) -> None:
        # Out of the editor and the path: letters are keys again, and esc leaves the page.
        self.set_focus(None)

    # -- the starting text -------------------------------------------------------------
    def fetch(self, backend: Backend) -> str | None:
        if self._pristine is not None:
            return None  # filled once; a refresh never overwrites what the user typed
        return self.starting_text(backend)

    def show(self, text: str | None) -> None:
        if text is None or self._pristine is not None:
            return
        self._pristine = text
        editor = self.editor
        editor.load_text(text)
        editor.read_only = False
        editor.move_cursor((0, 0))
        self._say(self.hint)

    # -- messages ----------------------------------------------------------------------
    def _say(self, text: str, tone: str | None = None) -> None:
        message = self.query_one("#register-message", Static)
        message.update(Content(text))
        message.set_class(tone == "error", "-error")
        message.set_class(tone == "done", "-done")

    @property
    def message(self) -> str:
        """What the line above the editor says now (tests read it)."""
        return str(self.query_one("#register-message", Static).render())

    def _point_at(self, line: int | None, column: int | None = None, field: str | None = None) -> int | None:
        """Put the cursor on the trouble (a 1-based JSON position, or a field's line); the 1-based line, if found."""
        editor = self.editor
        if line is None and field:
            found = field_line(editor.text, field)
            line = None if found is None else found + 1
        if line is None:
            return None
        editor.move_cursor((line - 1, max((column or 1) - 1, 0)), center=True)
        editor.focus()
        return line

    # -- keys --------------------------------------------------------------------------
    def action_edit(self) -> None:
        self.editor.focus()

    def action_open_file(self) -> None:
        self.query_one("#register-path", Input).focus()

    def action_back(self) -> None:
        if self.focused is self.query_one("#register-path", Input):
            self.editor.focus()
            return
        if self._pristine is None or self.editor.text == self._pristine:
            super().action_back()
            return

        def answer(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                Content("Leave without registering?"),
                "The JSON in the editor is lost: nothing was registered.",
                "Leave",
            ),
            answer,
        )

    def action_register(self) -> None:
        if self._pristine is None or self.registering:
            return
        text = self.editor.text
        try:
            request = self.parse(text)
        except ValueError as problem:  # a JsonProblem, or a service's own kind with the same parts
            self._say(getattr(problem, "message", str(problem)), "error")
            self._point_at(getattr(problem, "line", None), getattr(problem, "column", None),
                           getattr(problem, "field", None))
            return
        name = self.name_of(request)
        if self.console.refuse_if_read_only(f"registering {self.noun} {name}"):
            return
        self.registering = True
        self._say(f"Registering {name}…")
        self._register(request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="register-json")
    def _register(self, request: dict[str, Any]) -> None:
        backend = self.console.backend
        try:
            if backend is None:
                raise RuntimeError("The backend is not open yet.")
            registered = self.register(backend, request)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self.dismiss, registered)

    def _failed(self, exc: Exception) -> None:
        self.registering = False
        text = describe_error(exc)
        field = getattr(exc, "field", None)
        if field:
            line = self._point_at(None, field=field)
            text += f"\nField: {field}" + (f" (line {line})" if line else "")
        self._say(text, "error")

    # -- loading a file ----------------------------------------------------------------
    @on(Input.Submitted, "#register-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = event.value.strip()
        if not path:
            self._say("Type the path of a JSON file first.", "error")
            return
        self._say(f"Loading {path}…")
        self._load_file(path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="register-json-file")
    def _load_file(self, path: str) -> None:
        try:
            text = self.read_file(path)
        except ValueError as problem:
            self.app.call_from_thread(self._say, getattr(problem, "message", str(problem)), "error")
        else:
            self.app.call_from_thread(self._loaded, path, text)

    def _loaded(self, path: str, text: str) -> None:
        editor = self.editor
        if self._pristine is None:
            self._pristine = ""  # the starting text never arrived; the file's text is the user's now
        editor.read_only = False
        # An edit, not load_text: ctrl+z in the editor brings the previous text back.
        editor.replace(text, (0, 0), editor.document.end)
        editor.move_cursor((0, 0))
        editor.focus()
        self._say(f"Loaded {path}. ctrl+s registers it; ctrl+z in the editor brings back the text before.", "done")
