"""The form framework itself (widgets/form.py), through two tiny forms: one of declared
fields, one that composes its own body. Keys are pressed; the assertions are on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.app import ComposeResult
from textual.color import Color
from textual.geometry import Region
from textual.widgets import Input, Label, Select, Static

from computetui.app import ComputeApp
from computetui.backends.base import Backend
from computetui.backends.errors import InvalidParameter, NotFound
from computetui.ui.widgets.form import Field, Form, FormError
from tests.ui.helpers import SIZE, make_app, settle, type_text

pytestmark = pytest.mark.asyncio

LONG = ("InvalidParameterException: the replica count is more than this account may run in the region at once, "
        "so ask for fewer replicas or raise the quota first")


class ReplicasForm(Form[int | None]):
    """Declared fields; the call answers with the replica count, or raises ``failure``."""

    title_text = "Scale the demo"
    verb = "Scale"
    hint = "How many replicas to run."

    def __init__(self, failure: Exception | None = None, unreadable: Exception | None = None) -> None:
        super().__init__()
        self.failure = failure
        self.unreadable = unreadable
        self.calls: list[int | None] = []

    def fields(self, backend: Backend) -> list[Field]:
        if self.unreadable is not None:
            raise self.unreadable
        return [Field("name", "Name", default="web"), Field("replicas", "Replicas", "number", "2"),
                Field("spread", "Spread", "check", True, text="across zones")]

    def prepare(self) -> Callable[[Backend], int | None]:
        replicas = self.number("replicas", low=1, high=5)

        def call(b: Backend) -> int | None:
            self.calls.append(replicas)
            if self.failure is not None:
                raise self.failure
            return replicas

        return call


class NoteForm(Form[bool]):
    """A body of its own in the boxed look; answers True once done, False when cancelled."""

    title_text = "Write a note"
    hint = "A note of a few words."
    cancel_result = False
    compact = False

    def compose_body(self) -> ComposeResult:
        with self.field_grid():
            yield Label("Note")
            yield Input(id="note")

    def prepare(self) -> Callable[[Backend], bool]:
        if not self.value("note"):
            raise FormError("Note", "is required", "note")
        return lambda b: True


async def open_form(app: ComputeApp, pilot: Any, form: Form[Any]) -> list[Any]:
    """Show ``form`` over the home page; the list gets what it answers."""
    answers: list[Any] = []
    await settle(pilot)
    app.push_screen(form, answers.append)
    await settle(pilot)
    assert app.screen is form
    return answers


def message(form: Form[Any]) -> Static:
    return form.query_one(".form-message", Static)


def shown(widget: Static) -> list[str]:
    """The message line as drawn, a string per screen line."""
    region = Region(0, 0, widget.size.width, widget.size.height)
    return [strip.text.rstrip() for strip in widget.render_lines(region)]


async def test_a_bad_value_is_said_naming_the_field_the_cursor_goes_there_and_the_typing_stays() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = ReplicasForm()
        answers = await open_form(app, pilot, form)
        form.query_one("#f-replicas", Input).focus()
        await pilot.press("end", "backspace")
        await type_text(pilot, "9")
        form.query_one("#f-name", Input).focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and answers == [] and form.calls == []
        assert str(message(form).render()) == "Replicas: must be 5 or less (got 9)"
        assert message(form).has_class("-error")
        assert form.query_one("#f-replicas", Input).value == "9"
        assert app.focused is form.query_one("#f-replicas")


async def test_a_backend_error_shows_its_aws_code_and_the_form_stays_as_typed() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = ReplicasForm(failure=InvalidParameter("Replicas are capped at 3 here", code="LimitExceededException"))
        answers = await open_form(app, pilot, form)
        form.query_one("#f-replicas", Input).value = "4"
        form.query_one("#f-name", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert form.calls == [4] and answers == [] and app.screen is form
        assert str(message(form).render()) == "LimitExceededException: Replicas are capped at 3 here"
        assert message(form).has_class("-error")
        assert form.value("replicas") == "4" and form.value("name") == "web" and form.value("spread") is True


async def test_submitting_answers_with_what_the_call_returned() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = ReplicasForm()
        answers = await open_form(app, pilot, form)
        form.query_one("#f-spread").focus()  # ctrl+s works from a field that is not an input
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert answers == [2] and app.screen is not form


async def test_esc_and_the_cancel_button_answer_the_forms_cancel_result() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = ReplicasForm()
        answers = await open_form(app, pilot, form)
        await pilot.press("escape")
        await settle(pilot)
        assert answers == [None] and form.calls == []
        note = NoteForm()
        answers = await open_form(app, pilot, note)
        await pilot.click("#cancel")
        await settle(pilot)
        assert answers == [False]
    assert {b.id for b in Form.BINDINGS} == {"form-cancel", "form-submit"}


async def test_a_long_error_wraps_whole_words_in_red_in_either_look() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for form in (ReplicasForm(), NoteForm()):
            await open_form(app, pilot, form)
            form.say(LONG, error=True)
            await settle(pilot)
            lines = shown(message(form))
            assert len(lines) > 1 and all(lines)
            assert " ".join(lines) == LONG  # no word is cut between two lines
            error = Color.parse(app.get_css_variables()["error"])
            assert message(form).styles.color.rgb == error.rgb
            form.say("All fine.")
            await settle(pilot)
            assert message(form).styles.color.rgb != error.rgb
            await pilot.press("escape")
            await settle(pilot)


async def test_a_body_of_its_own_gets_the_same_checks_and_cursor() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        note = NoteForm()
        answers = await open_form(app, pilot, note)
        note.query_one("#submit").focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(message(note).render()) == "Note: is required"
        assert app.focused is note.query_one("#note")
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await settle(pilot)
        assert answers == [True]


async def test_fields_that_cannot_be_read_still_open_the_form_and_say_why() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = ReplicasForm(unreadable=NotFound("demo is gone", code="ClusterNotFoundException"))
        await open_form(app, pilot, form)
        assert str(message(form).render()) == "ClusterNotFoundException: demo is gone"
        assert message(form).has_class("-error")


async def test_read_only_mode_refuses_before_any_call() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        form = ReplicasForm()
        answers = await open_form(app, pilot, form)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.calls == [] and answers == [] and app.screen is form
        assert any("scale the demo is refused" in n.message for n in app._notifications)


async def test_the_cursor_does_not_blink_when_the_app_says_so() -> None:
    app = make_app()  # blink=False, as in every UI test
    async with app.run_test(size=SIZE) as pilot:
        form = ReplicasForm()
        await open_form(app, pilot, form)
        assert [i.cursor_blink for i in form.query(Input)] == [False, False]


class SizeForm(ReplicasForm):
    """A select with nothing chosen yet (no default)."""

    def fields(self, backend: Backend) -> list[Field]:
        return [Field("size", "Size", "select", None, [("small", "s"), ("large", "l")])]


async def test_a_select_without_a_default_opens_blank_and_reads_as_none() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = SizeForm()
        await open_form(app, pilot, form)
        assert form.value("size") is None
        form.query_one("#f-size", Select).value = "l"
        assert form.value("size") == "l"


async def test_a_check_field_shows_on_and_off_by_its_mark_not_only_by_colour() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = ReplicasForm()
        await open_form(app, pilot, form)
        check = form.query_one("#f-spread")
        on = str(check.render()).rstrip()
        check.focus()
        await pilot.press("space")
        await settle(pilot)
        off = str(check.render()).rstrip()
        assert form.value("spread") is False
        assert on != off and on.endswith("across zones") and off.endswith("across zones")
