"""One task definition family, as the console shows it: its revisions, newest first.

``x`` shows the INACTIVE revisions too; enter opens a revision's JSON; ``c``
registers the next revision from the latest one; ctrl+d deregisters one.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import Backend
from computetui.ui.screens.tabs import Facts, TabbedScreen
from computetui.ui.services.ecs.task_definition_views import revisions_view
from computetui.ui.states import TONE_VARIABLE, tone
from computetui.ui.views import ResourceView, Row


class TaskFamilyScreen(TabbedScreen):
    """A family's page; ``family`` as ECS names it (``web``)."""

    page_id = "ecs"

    BINDINGS = [
        Binding(
            "x",
            "toggle_inactive",
            "Active/all",
            id="ecs-revisions-inactive",
            tooltip="Show the INACTIVE revisions too, or the ACTIVE ones only",
        ),
        # The page's own words for c and ctrl+d; the same ids as elsewhere, so a remapped key still applies.
        Binding(
            "c", "create", "New revision", id="create", tooltip="Register a new revision, starting from the latest"
        ),
        Binding("ctrl+d", "delete_as('Deregister')", "Deregister", id="deregister",
                tooltip="Deregister the revision (asks first)"),
    ]

    def __init__(self, family: str, *, show_inactive: bool = False, focus_key: str | None = None) -> None:
        self.family = family
        self.show_inactive = show_inactive
        super().__init__([revisions_view(family, show_inactive)], focus_key=focus_key)

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "ECS", "Task definitions", self.family]

    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Task definition family[/] [b $primary]$f[/]", f=self.family), id="facts")

    def on_mount(self) -> None:
        super().on_mount()
        self.table.sort_by("revision", reverse=True)  # newest first, as the console lists them

    def empty_hint(self, view: ResourceView) -> str:
        if self.show_inactive:
            return f"{self.family} has no revisions.\nPress c to register one."
        return f"{self.family} has no ACTIVE revision: every one is deregistered.\nPress x to show them, c to register a new one."

    # -- data ------------------------------------------------------------------------
    def fetch(self, backend: Backend) -> dict[str, Any]:
        data = super().fetch(backend)
        data["header"] = data["rows"]  # the facts are the newest ACTIVE revision's: already in hand
        return data

    def show_header(self, rows: list[Row]) -> None:
        active = sorted(
            (r for r in rows if r.state == "ACTIVE"), key=lambda r: r.cells.get("revision") or 0, reverse=True
        )
        status = "ACTIVE" if active else "INACTIVE"
        colour = TONE_VARIABLE.get(tone(status), "$foreground")
        facts = Content.from_markup(
            f"[b]Task definition family[/] [b $primary]$f[/]  [{colour}]● $s[/]  [$muted]active revisions[/] $n",
            f=self.family,
            s=status,
            n=str(len(active)),
        )
        if active:
            latest = active[0].aws_json()
            shape = [
                ", ".join(latest.get("requiresCompatibilities") or latest.get("compatibilities") or []),
                latest.get("networkMode"),
                f"{latest['cpu']} CPU" if latest.get("cpu") else None,
                f"{latest['memory']} MiB" if latest.get("memory") else None,
            ]
            facts += Content.from_markup(
                "\n[$muted]latest[/] [b]$l[/]  [$muted]$d[/]", l=active[0].name, d=" · ".join(p for p in shape if p)
            )
        self.query_one(Facts).update(facts)

    def focus_revision(self, key: str) -> None:
        """Put the cursor on this revision once it is listed (a new one comes with the next refresh)."""
        if not self.table.move_to(key):
            self._focus_key = key

    # -- keys ------------------------------------------------------------------------
    def action_toggle_inactive(self) -> None:
        self.show_inactive = not self.show_inactive
        self.replace_view(revisions_view(self.family, self.show_inactive))

    def action_delete(self) -> None:
        row = self.selected()
        if row is not None and row.state == "INACTIVE":
            self.notify(f"{row.name} is INACTIVE already.", severity="warning", markup=False)
            return
        super().action_delete()
