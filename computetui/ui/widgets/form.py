"""The console's one form framework: a modal of fields with a message line.

A form shows a title, its body, a message line and Cancel / submit buttons.
The body is either a grid of declared ``Field``s or widgets the form composes
itself (a list to pick from, a live preview). Submitting first reads and
checks the values on the UI thread (``prepare``), then makes the backend call
in a thread worker. A ``FormError`` names the field and puts the cursor on
it; a backend error shows with AWS's code. Either way the message line turns
red and the form stays open with everything typed in it. Esc cancels, ctrl+s
submits from any field, enter submits from an input; the form's footer shows
both keys, ctrl+s in the submit button's words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from computetui.backends.base import Backend
from computetui.backends.errors import InvalidParameter
from computetui.ui.format import describe_error
from computetui.ui.widgets.footer import ConsoleFooter

ResultT = TypeVar("ResultT")


def submit_binding(verb: str) -> Binding:
    """ctrl+s, labelled with the submit button's words (``^s Run``) in the form's footer."""
    return Binding("ctrl+s", "submit", verb, id="form-submit", tooltip=f"{verb} (the form's submit button)")


class FormError(Exception):
    """A value the form will not send: names the field, and knows its id to put the cursor there.

    ``label`` goes before the problem ("Number of tasks: must be 10 or less"); without one
    the problem is the whole sentence.
    """

    def __init__(self, label: str | None, problem: str, field_id: str | None = None) -> None:
        super().__init__(f"{label}: {problem}" if label else problem)
        self.field_id = field_id


@dataclass
class Field:
    """One declared field of a form: a label and the widget that holds its value."""

    id: str
    label: str
    kind: str = "input"
    """``input``, ``number``, ``select`` or ``check``."""
    default: Any = ""
    options: list[tuple[str, Any]] = field(default_factory=list)
    placeholder: str = ""
    text: str = ""
    """A checkbox's own words."""


class CheckField(Checkbox):
    """A form's checkbox: a tick when on and an empty box when off, so its state shows in any
    theme (Textual's own draws an X either way and tells them apart by colour only)."""

    DEFAULT_CSS = """
    CheckField > .toggle--button { color: $foreground; background: $panel-lighten-1; }
    CheckField.-on > .toggle--button { color: $success; background: $panel-lighten-1; text-style: bold; }
    """

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual reads the mark by this name
        return "✓" if self.value else " "


class CompactFields(Grid):
    """Labels and values a line each, the inputs without borders: fits a long form on one screen."""

    DEFAULT_CSS = """
    CompactFields { grid-size: 2; grid-columns: 24 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto; }
    CompactFields Label { color: $text-muted; }
    CompactFields Input { border: none; height: 1; padding: 0 1; background: $boost; }
    CompactFields Input:focus { border: none; background: $primary 25%; }
    CompactFields Select { height: 1; }
    CompactFields Select > SelectCurrent { border: none; height: 1; padding: 0 1; background: $boost; }
    CompactFields Select:focus > SelectCurrent { border: none; background: $primary 25%; }
    CompactFields Select > SelectOverlay { max-height: 12; }
    CompactFields Checkbox { border: none; height: 1; padding: 0; background: $surface; }
    CompactFields Checkbox:focus { border: none; background: $primary 25%; }
    """


class BoxedFields(Grid):
    """Labels and values in rows of three lines, the inputs in Textual's own borders: for a few fields."""

    DEFAULT_CSS = """
    BoxedFields { grid-size: 2; grid-columns: 20 1fr; grid-rows: 3; height: auto; }
    BoxedFields Label { padding: 1 0 0 0; }
    """


class Form(ModalScreen[ResultT]):
    """A modal form. Subclasses declare ``fields`` (or compose their own ``compose_body``)
    and ``prepare`` the call; the form answers with what the call returned, or
    ``cancel_result`` when cancelled."""

    DEFAULT_CSS = """
    Form { align: center middle; }
    Form > Vertical {
        width: 88; height: auto; max-height: 95%; padding: 1 2; border: thick $primary; background: $surface;
    }
    Form .form-title { text-style: bold; margin-bottom: 1; }
    Form .form-message { height: auto; color: $text-muted; margin: 1 0; }
    Form.-boxed .form-message { color: $muted; }
    /* More specific than either look's colour, so an error is red whatever the order of the rules. */
    Form Vertical .form-message.-error { color: $error; }
    Form .hint { height: auto; color: $muted; }
    Form Horizontal { height: auto; align-horizontal: right; }
    Form Button { margin-left: 2; }
    """

    title_text: str | Content = "Form"
    verb = "Create"
    """The submit button's words."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        submit_binding(verb),
    ]

    hint = ""
    """What the message line says until there is something else to say."""
    submit_id = "submit"
    """The submit button's id (Cancel's is ``cancel``)."""
    message_id: str | None = None
    """An id for the message line, for whatever finds it by id rather than by its class."""
    cancel_result: Any = None
    """What the form answers when esc or Cancel closes it."""
    compact: ClassVar[bool] = True
    """Declared fields a line each (``CompactFields``); False lays them out in ``BoxedFields``
    and gives the message line the theme's own muted colour."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A form with words of its own for submitting has its ctrl+s say them in the footer;
        # Textual merges the class's BINDINGS as the class is made, so they go in first.
        if "verb" in cls.__dict__:
            cls.BINDINGS = [*cls.__dict__.get("BINDINGS", []), submit_binding(cls.verb)]
        super().__init_subclass__(**kwargs)

    def __init__(self) -> None:
        super().__init__(classes="" if self.compact else "-boxed")
        self._fields: list[Field] = []
        self._problem: str | None = None

    # -- composition -------------------------------------------------------------
    def fields(self, backend: Backend) -> list[Field]:
        """The fields to show; may read the backend (a failure is said in the form)."""
        return []

    def field_grid(self) -> Grid:
        """The grid that lays out labels and values in this form's look."""
        return CompactFields() if self.compact else BoxedFields()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="form-title")
            yield from self.compose_body()
            message = Static(Content(self._problem) if self._problem else self.hint, id=self.message_id,
                             classes="form-message")
            if self._problem:
                message.add_class("-error")
            yield message
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.verb, id=self.submit_id, variant="primary")
        yield ConsoleFooter()

    def compose_body(self) -> ComposeResult:
        """Everything between the title and the message line: by default a grid of ``fields``."""
        backend = self.app.backend  # type: ignore[attr-defined]
        try:
            self._fields = self.fields(backend)
        except Exception as exc:  # the form still opens, and says what it could not read
            self._fields = []
            self._problem = describe_error(exc)
        with self.field_grid():
            for f in self._fields:
                yield Label(f.label)
                if f.kind == "select":
                    yield Select(f.options, value=f.default if f.default is not None else Select.NULL,
                                 allow_blank=f.default is None, id=f"f-{f.id}")
                elif f.kind == "check":
                    yield CheckField(f.text or "yes", value=bool(f.default), id=f"f-{f.id}")
                else:
                    yield Input(str(f.default), placeholder=f.placeholder, id=f"f-{f.id}")

    def on_mount(self) -> None:
        for widget in self.query(Input):
            widget.cursor_blink = getattr(self.app, "blink", True)
        self.focus_first()

    def focus_first(self) -> None:
        """Where the cursor starts: the first field."""
        first = self.query("Input, Select, Checkbox")
        if first:
            first.first().focus()

    # -- values ------------------------------------------------------------------
    def field_widget(self, field_id: str) -> Widget:
        """A declared field's widget (``#f-<id>``), or else the body's own widget with that id."""
        declared = self.query(f"#f-{field_id}")
        return declared.first() if declared else self.query_one(f"#{field_id}")

    def value(self, field_id: str) -> Any:
        """What a field holds: an input's text stripped, a select's value (None when blank), a checkbox's bool."""
        widget = self.field_widget(field_id)
        if isinstance(widget, Input):
            return widget.value.strip()
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        return bool(widget.value)  # type: ignore[attr-defined]

    def number(self, field_id: str, *, low: int | None = None, high: int | None = None,
               optional: bool = False) -> int | None:
        """A declared field's whole number within ``low``..``high``; a FormError names the field otherwise."""
        label = next(f.label for f in self._fields if f.id == field_id)
        text = self.value(field_id)
        if text == "" and optional:
            return None
        try:
            number = int(text)
        except ValueError:
            raise FormError(label, f"must be a whole number (got {text!r})", field_id) from None
        if low is not None and number < low:
            raise FormError(label, f"must be {low} or more (got {number})", field_id)
        if high is not None and number > high:
            raise FormError(label, f"must be {high} or less (got {number})", field_id)
        return number

    def say(self, text: str, error: bool = False) -> None:
        """Put ``text`` on the message line (plain text, never markup); red when it is an error."""
        message = self.query_one(".form-message", Static)
        message.update(Content(text))
        message.set_class(error, "-error")

    # -- submitting --------------------------------------------------------------
    def prepare(self) -> Callable[[Backend], Any]:
        """Read and check the values; return the call to make (raise FormError to refuse)."""
        raise NotImplementedError

    def what_it_does(self) -> str:
        """The form's errand, as read-only mode's refusal names it."""
        return str(self.title_text).lower()

    def working_message(self) -> str:
        """What the message line says while the call runs."""
        return "Working…"

    def finished(self, outcome: Any) -> None:
        """On the UI thread once the call succeeded: the form answers with what it returned."""
        self.dismiss(outcome)

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_result)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(self.cancel_result)
        else:
            self.action_submit()

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        try:
            call = self.prepare()
        except FormError as exc:
            self.say(str(exc), error=True)
            if exc.field_id:
                self.field_widget(exc.field_id).focus()
            return
        if self.app.refuse_if_read_only(self.what_it_does()):  # type: ignore[attr-defined]
            return
        self.say(self.working_message())
        self._submit(call)

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-submit")
    def _submit(self, call: Callable[[Backend], Any]) -> None:
        try:
            outcome = call(self.app.backend)  # type: ignore[attr-defined]
        except Exception as exc:  # shown in the form with its AWS code; nothing typed is lost
            self.app.call_from_thread(self.say, describe_error(exc), True)
            return
        self.app.call_from_thread(self.finished, outcome)


class FieldForm(Form[bool]):
    """A form whose call returns what it did in a sentence (a notification), and which maps a field
    the backend refuses (``InvalidParameter.field``, in AWS's or boto3's spelling, lower-cased
    without ``_``: ``backend_fields`` maps it, or its start, to the form's field id) to the form's
    field: the message line names it and the cursor goes to it."""

    cancel_result = False
    backend_fields: dict[str, str] = {}
    """A backend field (lower case, without ``_``), or its start -> the form's field id."""

    def __init__(self) -> None:
        super().__init__()
        self._refused: str | None = None
        self.created: str | None = None

    def finished(self, outcome: Any) -> None:
        self.app.notify(outcome, timeout=6, markup=False)
        self.dismiss(True)

    def guarded(self, call: Callable[[Backend], str]) -> Callable[[Backend], str]:
        """The call, noting which field the backend refused (read back on the UI thread by ``say``)."""

        def run(b: Backend) -> str:
            self._refused = None
            try:
                return call(b)
            except InvalidParameter as exc:
                self._refused = self.form_field(exc.field)
                raise

        return run

    def form_field(self, backend_field: str | None) -> str | None:
        if not backend_field:
            return None
        key = backend_field.replace("_", "").lower()
        for prefix in sorted(self.backend_fields, key=len, reverse=True):
            if key.startswith(prefix):
                return self.backend_fields[prefix]
        return None

    def say(self, text: str, error: bool = False) -> None:
        refused, self._refused = self._refused, None
        if error and refused and any(f.id == refused for f in self._fields):
            label = next(f.label for f in self._fields if f.id == refused)
            super().say(f"{label}: {text}", error)
            self.field_widget(refused).focus()
            return
        super().say(text, error)
