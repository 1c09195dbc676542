"""ECR's forms: create a repository, push a local image to one.

Both check nothing themselves: the backend applies ECR's rules (a repository's
name, a tag, an immutable tag already taken) and its error shows in the form.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from computetui.models.ecr import ImageDetail
from computetui.ui.screens.base import describe_error
from computetui.ui.services.ecr.views import LocalChoice, local_choices, megabytes

FORM_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: {width}; height: auto; max-height: 100%; padding: 1 2; border: thick $primary; background: $surface;
}}
{name} .form-title {{ text-style: bold; margin-bottom: 1; }}
{name} Grid {{ grid-size: 2; grid-columns: 20 1fr; grid-rows: 3; height: auto; }}
{name} Label {{ padding: 1 0 0 0; }}
{name} .hint {{ height: auto; color: $muted; }}
{name} .form-message {{ height: auto; color: $muted; margin: 1 0; }}
{name} .form-message.-error {{ color: $error; }}
{name} Horizontal {{ height: auto; align-horizontal: right; }}
{name} Button {{ margin-left: 2; }}
"""


class _Form(ModalScreen[object]):
    """What both forms share: esc cancels, a message line that can turn red, no blinking in tests."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form-cancel")]

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "blink", True)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one(".form-message", Static)
        message.update(Content(text))
        message.set_class(error, "-error")


class CreateRepositoryScreen(_Form):
    """Returns the new repository's name, or None when cancelled."""

    DEFAULT_CSS = FORM_CSS.format(name="CreateRepositoryScreen", width=80)

    def __init__(self, registry: str | None = None) -> None:
        super().__init__()
        self.registry = registry
        """``<account>.dkr.ecr.<region>.amazonaws.com``, for the URI preview; None when not known yet."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Create repository — private", classes="form-title")
            with Grid():
                yield Label("Repository name")
                yield Input(placeholder="team/web", id="name")
                yield Label("Tag immutability")
                yield Select(
                    [
                        ("Mutable: a push may move a tag to another image", "MUTABLE"),
                        ("Immutable: a tag always names the same image", "IMMUTABLE"),
                    ],
                    value="MUTABLE",
                    allow_blank=False,
                    id="mutability",
                )
                yield Label("Image scanning")
                yield Checkbox("Scan on push", id="scan")
            yield Static(self._preview(""), id="uri-preview", classes="hint")
            yield Static(
                "2 to 256 characters: lowercase letters and digits, joined by . _ or -; / separates namespaces.",
                classes="form-message",
            )
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Create repository", id="create", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#name", Input).focus()

    def _preview(self, name: str) -> Content:
        if self.registry is None:
            return Content("")
        return Content.from_markup("URI  $registry/[b]$name[/]", registry=self.registry, name=name or "…")

    @on(Input.Changed, "#name")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#uri-preview", Static).update(self._preview(event.value.strip()))

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

    def create(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if self.app.refuse_if_read_only(f"creating repository {name or '(unnamed)'}"):  # type: ignore[attr-defined]
            return
        mutability = str(self.query_one("#mutability", Select).value)
        scan = self.query_one("#scan", Checkbox).value
        self.say("Creating…")
        self._create(name, mutability, scan)

    @work(thread=True, exclusive=True, exit_on_error=False, group="create-repository")
    def _create(self, name: str, mutability: str, scan: bool) -> None:
        try:
            self.app.backend.ecr.create_repository(  # type: ignore[attr-defined]
                repository_name=name,
                image_tag_mutability=mutability,
                image_scanning_configuration={"scanOnPush": scan},
            )
        except Exception as exc:
            self.app.call_from_thread(self.say, describe_error(exc), True)
            return
        self.app.call_from_thread(self.dismiss, name)


# The push form's list of local images, as columns.
NAME_WIDTH, SIZE_WIDTH = 44, 10


def _choice_line(choice: LocalChoice) -> Content:
    name = choice.reference
    if cell_len(name) > NAME_WIDTH:  # keep the end: the repository and tag tell long names apart
        name = "…" + name[-(NAME_WIDTH - 1) :]
    size = f"{megabytes(choice.size)} MB".rjust(SIZE_WIDTH)
    return Content.from_markup(
        "$name  $size  $created", name=set_cell_size(name, NAME_WIDTH), size=size, created=choice.created
    )


class PushImageScreen(_Form):
    """Push a local engine image to ``repository_name`` under a tag.

    Returns ``(tag, ImageDetail)`` once pushed, or None when cancelled.
    """

    DEFAULT_CSS = (
        FORM_CSS.format(name="PushImageScreen", width=92)
        + """
    PushImageScreen #images { height: auto; max-height: 10; border: round $panel-lighten-2; }
    PushImageScreen #images:focus { border: round $primary; }
    PushImageScreen #images-heading { color: $muted; padding: 0 2; }
    PushImageScreen Grid { margin-top: 1; }
    """
    )

    def __init__(self, repository_name: str) -> None:
        super().__init__()
        self.repository_name = repository_name
        self.choices: list[LocalChoice] = []
        self._default_tag = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Content.from_markup("Push an image to [b $primary]$n[/]", n=self.repository_name),
                classes="form-title",
            )
            yield Static(
                f"{'Local image (your Docker engine)'.ljust(NAME_WIDTH)}  {'Size'.rjust(SIZE_WIDTH)}  Created",
                id="images-heading",
            )
            yield OptionList(id="images")
            with Grid():
                yield Label("Image tag")
                yield Input(placeholder="latest", id="tag")
            yield Static("Looking for local images…", classes="form-message")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Push", id="push", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#images", OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="local-images")
    def _load(self) -> None:
        try:
            images = self.app.backend.ecr.list_local_images()  # type: ignore[attr-defined]
        except Exception as exc:
            self.app.call_from_thread(self.say, describe_error(exc), True)
            return
        self.app.call_from_thread(self._show_images, local_choices(images))

    def _show_images(self, choices: list[LocalChoice]) -> None:
        self.choices = choices
        images = self.query_one("#images", OptionList)
        images.clear_options()
        images.add_options([Option(_choice_line(c), id=c.reference) for c in choices])
        if not choices:
            self.say("Your Docker engine has no named images: build or pull one first (docker build -t web:v1 .).")
            return
        images.highlighted = 0
        self.say("↑↓ picks the image, tab moves to the tag; enter pushes.")

    @property
    def chosen(self) -> LocalChoice | None:
        index = self.query_one("#images", OptionList).highlighted
        return self.choices[index] if index is not None and index < len(self.choices) else None

    @on(OptionList.OptionHighlighted, "#images")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        choice = self.chosen
        if choice is None:
            return
        tag = self.query_one("#tag", Input)
        if tag.value in ("", self._default_tag):  # the user's own tag stays
            tag.value = choice.tag
        self._default_tag = choice.tag

    @on(OptionList.OptionSelected, "#images")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#tag", Input).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.push()

    @on(Input.Submitted, "#tag")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.push()

    def push(self) -> None:
        choice = self.chosen
        if choice is None:
            self.say("Pick a local image to push.", True)
            return
        tag = self.query_one("#tag", Input).value.strip()
        if self.app.refuse_if_read_only(  # type: ignore[attr-defined]
            f"pushing {choice.reference} to {self.repository_name}"
        ):
            return
        self.say(f"Pushing {choice.reference} as {self.repository_name}:{tag}…")
        self._push(choice.reference, tag)

    @work(thread=True, exclusive=True, exit_on_error=False, group="push-image")
    def _push(self, source: str, tag: str) -> None:
        try:
            image: ImageDetail = self.app.backend.ecr.put_image(  # type: ignore[attr-defined]
                repository_name=self.repository_name, source_image=source, image_tag=tag
            )
        except Exception as exc:
            self.app.call_from_thread(self.say, describe_error(exc), True)
            return
        self.app.call_from_thread(self.dismiss, (tag, image))
