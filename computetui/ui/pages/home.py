"""The console home: a card per service with its counts and states."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.content import Content
from textual.widgets import Static

from computetui.ui.overview import Overview
from computetui.ui.registry import SERVICES, not_offered
from computetui.ui.screens.base import ConsoleScreen
from computetui.ui.widgets.service_card import ServiceCard

COLUMNS = 3


class HomeScreen(ConsoleScreen):
    page_id = "home"
    UNLISTED_APP_KEYS = frozenset()  # the first page lists how to leave

    BINDINGS = [
        Binding("enter", "open_card", "Open", id="open", tooltip="Open the service under the cursor"),
        Binding("right,l", "move(1)", "Next", show=False, id="card-next"),
        Binding("left,h", "move(-1)", "Previous", show=False, id="card-previous"),
        Binding("down,j", f"move({COLUMNS})", "Down", show=False, id="card-down"),
        Binding("up,k", f"move(-{COLUMNS})", "Up", show=False, id="card-up"),
    ]

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "Home"]

    def compose_content(self) -> ComposeResult:
        yield Static(id="welcome")
        with Grid(id="cards"):
            for spec in SERVICES:
                yield ServiceCard(spec)

    def on_mount(self) -> None:
        self.watch(self.app, "overview", self._show_overview, init=True)
        self.query_one(ServiceCard).focus()

    def focus_content(self) -> None:
        cards = list(self.query(ServiceCard))
        if not any(c.has_focus for c in cards):
            cards[0].focus()

    def _show_overview(self, overview: Overview) -> None:
        welcome = self.query_one("#welcome", Static)
        backend = overview.backend_name or self.console.settings.backend
        if overview.state == "connecting":
            welcome.update(Content.from_markup("[$muted]Connecting to the $b backend…[/]", b=backend))
        elif overview.state == "failed":
            welcome.update(
                Content.from_markup(
                    "[b $error]The $b backend could not be opened:[/] $p",
                    b=backend,
                    p=overview.problem or "unknown error",
                )
            )
        else:
            welcome.update(self._welcome_text(overview))
        for card in self.query(ServiceCard):
            if overview.state == "failed":
                card.show(None, problem="Backend unavailable")
            elif overview.state == "ready" and card.spec.id not in overview.summaries and self.console.backend:
                card.show(None, problem=not_offered(card.spec, self.console.backend).split(".")[0] + ".")
            else:
                card.show(overview.summaries.get(card.spec.id))

    def _welcome_text(self, overview: Overview) -> Content:
        info = overview.info
        total = sum(s.count or 0 for s in overview.summaries.values())
        emulated = overview.capabilities is not None and overview.capabilities.emulated
        if emulated:
            where = "the local emulator: AWS compute on your own Docker engine, no account, no cost"
        else:
            where = f"AWS account {info.account if info else '?'} in {info.region if info else '?'}"
        lines = [Content.from_markup("[b]Welcome to computetui[/] — $where.", where=where)]
        if total == 0 and overview.capabilities is not None and overview.capabilities.sample_workload:
            lines.append(
                Content.from_markup(
                    "Nothing here yet. Press [b $primary]D[/] to load the sample workload, "
                    "or open a service with [b $primary]:lambda[/], [b $primary]:ecs[/] …"
                )
            )
        else:
            lines.append(
                Content.from_markup(
                    "Move between cards with the arrows, [b $primary]enter[/] opens one, "
                    "[b $primary]:[/] runs a command, [b $primary]?[/] lists every key."
                )
            )
        return Content("\n").join(lines)

    def action_move(self, step: int) -> None:
        cards = list(self.query(ServiceCard))
        current = next((i for i, c in enumerate(cards) if c.has_focus), 0)
        target = current + step
        if 0 <= target < len(cards):
            cards[target].focus()

    def action_open_card(self) -> None:
        card = next((c for c in self.query(ServiceCard) if c.has_focus), None)
        if card is not None:
            self.console.open_page(card.spec.id)

    @on(ServiceCard.Open)
    def _open(self, message: ServiceCard.Open) -> None:
        message.stop()
        self.console.open_page(message.service)
