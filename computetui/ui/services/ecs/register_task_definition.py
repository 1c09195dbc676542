"""Register a task definition from its JSON, as the console's "Create new task definition
with JSON" and "Create new revision" do.

The editor (``ui/screens/register_json.py``, shared with Batch's job definitions) opens with
a Fargate template, or with a family's latest revision when a new revision is made.
``ctrl+s`` registers; whatever goes wrong (bad JSON, a missing field, ECS's ClientException)
is said above the editor and the cursor goes to the place, the text untouched. ``ctrl+o``
types the path of a JSON file to load instead (``aws ecs describe-task-definition`` output too).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import Backend
from computetui.ui.screens.register_json import RegisterJsonScreen
from computetui.ui.services.ecs.task_definition_views import (
    parse_definition,
    read_definition_file,
    register,
    starting_text,
)

HINT = (
    "Write the task definition as ECS's JSON; ctrl+s registers it as the next revision. "
    "Read-only fields (taskDefinitionArn, revision, status…) are ignored."
)


class RegisterTaskDefinitionScreen(RegisterJsonScreen):
    """Dismisses with the registered ``TaskDefinition``, or None when left without registering."""

    page_id = "ecs"

    BINDINGS = [
        Binding("ctrl+s", "register", "Register", id="td-register", tooltip="Register the JSON as a task definition"),
        Binding("ctrl+o", "open_file", "Load file", id="td-load-file", tooltip="Type the path of a JSON file to load"),
        Binding("e", "edit", "Edit", id="td-edit", tooltip="Into the editor (esc comes back out)"),
    ]

    hint = HINT
    editor_title = "Task definition JSON"
    path_placeholder = "path/to/task-definition.json, then enter"
    noun = "task definition"

    def __init__(self, family: str | None = None) -> None:
        super().__init__()
        self.family = family
        """The family a new revision is made for; None for a new task definition."""

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

    def starting_text(self, backend: Backend) -> str:
        info = self.console.overview.info
        return starting_text(backend, self.family, info.account if info else None)

    def parse(self, text: str) -> dict[str, Any]:
        return parse_definition(text)

    def name_of(self, request: dict[str, Any]) -> str:
        return str(request["family"])

    def register(self, backend: Backend, request: dict[str, Any]) -> Any:
        return register(backend, request)

    def read_file(self, path: str) -> str:
        return read_definition_file(path)
