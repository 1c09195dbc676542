"""ECR's forms: create a repository, push a local image to one.

Both check nothing themselves: the backend applies ECR's rules (a repository's
name, a tag, an immutable tag already taken) and its error shows in the form.
Each composes its own body on the ``Form`` framework (widgets/form.py): the
create form shows the URI as the name is typed, the push form a list of the
engine's images.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from computetui.backends.base import Backend
from computetui.models.ecr import ImageDetail
from computetui.ui.format import describe_error
from computetui.ui.services.ecr.views import LocalChoice, local_choices, megabytes
from computetui.ui.widgets.form import CheckField, Form, FormError


class CreateRepositoryScreen(Form[str | None]):
    """Returns the new repository's name, or None when cancelled."""

    DEFAULT_CSS = """
    CreateRepositoryScreen > Vertical { width: 80; max-height: 100%; }
    """

    title_text = "Create repository — private"
    verb = "Create repository"
    submit_id = "create"
    hint = "2 to 256 characters: lowercase letters and digits, joined by . _ or -; / separates namespaces."
    compact = False

    def __init__(self, registry: str | None = None) -> None:
        super().__init__()
        self.registry = registry
        """``<account>.dkr.ecr.<region>.amazonaws.com``, for the URI preview; None when not known yet."""

    def compose_body(self) -> ComposeResult:
        with self.field_grid():
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
            yield CheckField("Scan on push", id="scan")
        yield Static(self._preview(""), id="uri-preview", classes="hint")

    def _preview(self, name: str) -> Content:
        if self.registry is None:
            return Content("")
        return Content.from_markup("URI  $registry/[b]$name[/]", registry=self.registry, name=name or "…")

    @on(Input.Changed, "#name")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#uri-preview", Static).update(self._preview(event.value.strip()))

    def what_it_does(self) -> str:
        return f"creating repository {self.value('name') or '(unnamed)'}"

    def working_message(self) -> str:
        return "Creating…"

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        mutability = str(self.value("mutability"))
        scan = self.value("scan")

        def call(b: Backend) -> str:
            assert b.ecr is not None
            b.ecr.create_repository(
                repository_name=name,
                image_tag_mutability=mutability,
                image_scanning_configuration={"scanOnPush": scan},
            )
            return name

        return call


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


class PushImageScreen(Form[tuple[str, ImageDetail] | None]):
    """Push a local engine image to ``repository_name`` under a tag.

    Returns ``(tag, ImageDetail)`` once pushed, or None when cancelled.
    """

    DEFAULT_CSS = """
    PushImageScreen > Vertical { width: 92; max-height: 100%; }
    PushImageScreen #images { height: auto; max-height: 10; border: round $panel-lighten-2; }
    PushImageScreen #images:focus { border: round $primary; }
    PushImageScreen #images-heading { color: $muted; padding: 0 2; }
    PushImageScreen Grid { margin-top: 1; }
    """

    verb = "Push"
    submit_id = "push"
    hint = "Looking for local images…"
    compact = False

    def __init__(self, repository_name: str) -> None:
        super().__init__()
        self.repository_name = repository_name
        self.title_text = Content.from_markup("Push an image to [b $primary]$n[/]", n=repository_name)
        self.choices: list[LocalChoice] = []
        self._default_tag = ""

    def compose_body(self) -> ComposeResult:
        yield Static(
            f"{'Local image (your Docker engine)'.ljust(NAME_WIDTH)}  {'Size'.rjust(SIZE_WIDTH)}  Created",
            id="images-heading",
        )
        yield OptionList(id="images")
        with self.field_grid():
            yield Label("Image tag")
            yield Input(placeholder="latest", id="tag")

    def on_mount(self) -> None:
        # Form's own on_mount runs as well (Textual calls each class's handler): no blinking, focus_first.
        self._load()

    def focus_first(self) -> None:
        self.query_one("#images", OptionList).focus()

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

    def _source(self) -> str:
        choice = self.chosen
        return choice.reference if choice is not None else ""

    def what_it_does(self) -> str:
        return f"pushing {self._source()} to {self.repository_name}"

    def working_message(self) -> str:
        return f"Pushing {self._source()} as {self.repository_name}:{self.value('tag')}…"

    def prepare(self) -> Callable[[Backend], tuple[str, ImageDetail]]:
        if self.chosen is None:
            raise FormError(None, "Pick a local image to push.")
        source, tag, repository = self._source(), self.value("tag"), self.repository_name

        def call(b: Backend) -> tuple[str, ImageDetail]:
            assert b.ecr is not None
            return tag, b.ecr.put_image(repository_name=repository, source_image=source, image_tag=tag)

        return call
