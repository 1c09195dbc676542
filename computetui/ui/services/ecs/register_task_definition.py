"""Register a task definition from its JSON, as the console's "Create new task definition
with JSON" and "Create new revision" do.

The editor opens with a Fargate template, or with a family's latest revision
when a new revision is made. ``ctrl+s`` registers; whatever goes wrong (bad
JSON, a missing field, ECS's ClientException) is said above the editor and the
cursor goes to the place, the text untouched. ``ctrl+o`` types the path of a
JSON file to load instead (``aws ecs describe-task-definition`` output too).
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static, TextArea

from computetui.backends.base import Backend
from computetui.ui.format import describe_error
from computetui.ui.screens.base import ConsoleScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.services.ecs.task_definition_views import (
    DefinitionProblem,
    field_line,
    parse_definition,
    read_definition_file,
    register,
    starting_text,
)
from computetui.ui.widgets.editor import Editor

HINT = (
    "Write the task definition as ECS's JSON; ctrl+s registers it as the next revision. "
    "Read-only fields (taskDefinitionArn, revision, status…) are ignored."
)


class RegisterTaskDefinitionScreen(ConsoleScreen):
    """Dismisses with the registered ``TaskDefinition``, or None when left without registering."""

    page_id = "ecs"

    DEFAULT_CSS = """
    RegisterTaskDefinitionScreen #register { height: 1fr; }
    RegisterTaskDefinitionScreen #register-title { height: auto; padding: 0 1; }
    RegisterTaskDefinitionScreen #register-file { height: 3; margin: 1 0 0 0; }
    RegisterTaskDefinitionScreen #register-file Label { padding: 1 1 0 1; width: auto; color: $muted; }
    /* Bordered as the editor is, so the orange border says which of the two has the focus. */
    RegisterTaskDefinitionScreen #register-path { width: 1fr; border: round $panel-lighten-2; background: $surface; }
    RegisterTaskDefinitionScreen #register-path:focus { border: round $primary; }
    RegisterTaskDefinitionScreen #register-message { height: auto; padding: 0 1; margin: 0 0 1 0; color: $muted; }
    RegisterTaskDefinitionScreen #register-message.-error { color: $error; }
    RegisterTaskDefinitionScreen #register-message.-done { color: $success; }
    RegisterTaskDefinitionScreen #register-json { height: 1fr; border: round $panel-lighten-2; }
    RegisterTaskDefinitionScreen #register-json:focus { border: round $primary; }
    """

    BINDINGS = [
        Binding("ctrl+s", "register", "Register", id="td-register", tooltip="Register the JSON as a task definition"),
        Binding("ctrl+o", "open_file", "Load file", id="td-load-file", tooltip="Type the path of a JSON file to load"),
        Binding("e", "edit", "Edit", id="td-edit", tooltip="Into the editor (esc comes back out)"),
    ]

    MUTATING = frozenset({"register"})

    def __init__(self, family: str | None = None) -> None:
        super().__init__()
        self.family = family
        """The family a new revision is made for; None for a new task definition."""
        self._pristine: str | None = None
        """The editor's text as it opened, until then None: leaving with other text asks first."""
        self.registering = False

    @property
    def crumbs(self) -> list[str]:
        if self.family:
            return ["Console", "ECS", "Task definitions", self.family, "Create new revision"]
        return ["Console", "ECS", "Task definitions", "Create new task definition"]

    @property
    def title_text(self) -> Content:
        if self.family:
            return Content.from_markup(
                "[b]Create new revision of[/] [b $primary]$f[/] [$muted]with JSON[/]", f=self.family
            )
        return Content.from_markup("[b]Create new task definition[/] [$muted]with JSON[/]")

    def compose_content(self) -> ComposeResult:
        with Vertical(id="register"):
            yield Static(self.title_text, id="register-title")
            with Horizontal(id="register-file"):
                yield Label("Load from file")
                yield Input(placeholder="path/to/task-definition.json, then enter", id="register-path")
            yield Static("Loading…", id="register-message")
            editor = Editor.code_editor("", language="json", id="register-json", read_only=True)
            editor.border_title = "Task definition JSON"
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
        info = self.console.overview.info
        return starting_text(backend, self.family, info.account if info else None)

    def show(self, text: str | None) -> None:
        if text is None or self._pristine is not None:
            return
        self._pristine = text
        editor = self.editor
        editor.load_text(text)
        editor.read_only = False
        editor.move_cursor((0, 0))
        self._say(HINT)

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
            definition = parse_definition(text)
        except DefinitionProblem as problem:
            self._say(problem.message, "error")
            self._point_at(problem.line, problem.column, problem.field)
            return
        if self.console.refuse_if_read_only(f"registering task definition {definition['family']}"):
            return
        self.registering = True
        self._say(f"Registering {definition['family']}…")
        self._register(definition)

    @work(thread=True, exclusive=True, exit_on_error=False, group="register-task-definition")
    def _register(self, definition: dict[str, Any]) -> None:
        backend = self.console.backend
        try:
            if backend is None:
                raise RuntimeError("The backend is not open yet.")
            registered = register(backend, definition)
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

    @work(thread=True, exclusive=True, exit_on_error=False, group="register-task-definition-file")
    def _load_file(self, path: str) -> None:
        try:
            text = read_definition_file(path)
        except DefinitionProblem as problem:
            self.app.call_from_thread(self._say, problem.message, "error")
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
