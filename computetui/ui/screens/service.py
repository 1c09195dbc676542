"""A service page: its resource views as tabs, each a table, and the concept card."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ContentSwitcher, Tab, Tabs

from computetui.backends.base import Backend
from computetui.concepts import card
from computetui.ui.screens.base import ConsoleScreen, describe_error
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.services import ResourceView, Row, ServiceSpec, not_offered
from computetui.ui.widgets.command_line import CommandLine
from computetui.ui.widgets.concept_card import ConceptCard
from computetui.ui.widgets.resource_table import ResourceTable


class ServiceScreen(ConsoleScreen):
    BINDINGS = [
        Binding("enter", "open", "Open", id="open", tooltip="Open the resource under the cursor"),
        Binding("d", "open", "Describe", id="describe", show=False, tooltip="Show the resource's AWS JSON"),
        Binding("c", "create", "Create", id="create", tooltip="Create a resource of this view"),
        Binding("ctrl+d", "delete", "Delete", id="delete", tooltip="Delete the resource (asks first)"),
        Binding("right_square_bracket", "view(1)", "Next view", id="view-next", show=False),
        Binding("left_square_bracket", "view(-1)", "Previous view", id="view-previous", show=False),
        Binding("i", "toggle_card", "About", id="concept-card", tooltip="Show or hide the concept card"),
    ]

    def __init__(self, spec: ServiceSpec, view: str | None = None, focus_key: str | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.page_id = spec.id
        self.view = next((v for v in spec.views if v.id == view), spec.views[0])
        self._focus_key = focus_key

    @property
    def crumbs(self) -> list[str]:
        return ["Console", self.spec.nav_label, self.view.title]

    def compose_content(self) -> ComposeResult:
        with Vertical(id="service"):
            if len(self.spec.views) > 1:
                yield Tabs(
                    *(Tab(v.title, id=f"tab-{v.id}") for v in self.spec.views), active=f"tab-{self.view.id}", id="views"
                )
            with ContentSwitcher(initial=f"view-{self.view.id}", id="switcher"):
                for view in self.spec.views:
                    yield ResourceTable(
                        view.columns,
                        title=view.title,
                        empty_hint=self._empty_hint(view),
                        sort=view.sort,
                        id=f"view-{view.id}",
                    )
            yield ConceptCard(card(self.spec.id), id="concept")

    def _empty_hint(self, view: ResourceView) -> str:
        hint = f"No {view.title.lower()} yet."
        if self.console.settings.backend == "local" and not self.console.settings.read_only:
            hint += "\nPress D to load the sample workload."
        hint += "\n: opens the command line, ? lists every key."
        return hint

    def on_mount(self) -> None:
        self.focus_content()

    @property
    def table(self) -> ResourceTable:
        return self.query_one(f"#view-{self.view.id}", ResourceTable)

    def focus_content(self) -> None:
        self.table.focus()

    # -- data --------------------------------------------------------------
    def fetch(self, backend: Backend) -> list[Row] | str:
        if self.spec.facet_of(backend) is None:
            return not_offered(self.spec, backend.name)
        return self.view.fetch(backend)

    def show(self, data: list[Row] | str) -> None:
        table = self.table
        if isinstance(data, str):
            table.show_problem(data)
            return
        table.set_rows(data)
        if self._focus_key and table.move_to(self._focus_key):
            self._focus_key = None

    # -- views -------------------------------------------------------------
    def switch_view(self, view_id: str) -> None:
        view = next((v for v in self.spec.views if v.id == view_id), None)
        if view is None or view is self.view:
            return
        self.view = view
        self.query_one(ContentSwitcher).current = f"view-{view.id}"
        if len(self.spec.views) > 1:
            self.query_one(Tabs).active = f"tab-{view.id}"
        self.query_one("Breadcrumbs").set_crumbs(self.crumbs)  # type: ignore[attr-defined]
        self.focus_content()
        self.reload()

    def action_view(self, step: int) -> None:
        views = list(self.spec.views)
        self.switch_view(views[(views.index(self.view) + step) % len(views)].id)

    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab.id:
            self.switch_view(event.tab.id.removeprefix("tab-"))

    # -- actions -----------------------------------------------------------
    async def action_filter(self) -> None:
        await self.open_command_line("/", self.table.filter_text)

    def action_back(self) -> None:
        if self.table.filter_text:
            self.table.filter_text = ""
        else:
            super().action_back()

    @on(CommandLine.FilterChanged)
    def _filter(self, message: CommandLine.FilterChanged) -> None:
        message.stop()
        self.table.filter_text = message.value

    @on(CommandLine.Closed)
    def _closed(self, message: CommandLine.Closed) -> None:
        if message.mode == "/" and message.cancelled:
            self.table.filter_text = ""

    def action_toggle_card(self) -> None:
        concept = self.query_one(ConceptCard)
        concept.display = not concept.display

    def action_open(self) -> None:
        row = self.table.cursor_row
        if row is not None:
            self.console.open_detail(self.spec, self.view, row)

    @on(ResourceTable.Chosen)
    def _chosen(self, message: ResourceTable.Chosen) -> None:
        message.stop()
        self.console.open_detail(self.spec, self.view, message.row)

    def action_create(self) -> None:
        if self.view.creates is None:
            self.notify(f"Creating {self.view.title.lower()} from the console is not offered yet.", severity="warning")
            return
        if self.console.refuse_if_read_only(f"creating a {self.view.noun}"):
            return
        self.console.open_create(self.view.creates)

    def action_delete(self) -> None:
        row = self.table.cursor_row
        if row is None:
            self.notify(f"No {self.view.noun} is selected.", severity="warning")
            return
        if self.view.delete is None:
            self.notify(f"Cannot delete here: {self.view.read_only_reason}.", severity="warning")
            return
        if self.console.refuse_if_read_only(f"deleting {self.view.noun} {row.name}"):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(row)

        self.app.push_screen(
            ConfirmScreen(
                Content.from_markup("Delete $noun [b]$name[/b]?", noun=self.view.noun, name=row.name),
                "This cannot be undone.",
                "Delete",
            ),
            confirmed,
        )

    @work(thread=True, exit_on_error=False, group="action")
    def _delete(self, row: Row) -> None:
        backend = self.console.backend
        if backend is None or self.view.delete is None:
            return
        try:
            self.view.delete(backend, row)
        except Exception as exc:
            self.app.call_from_thread(
                self.notify, describe_error(exc), title="Delete failed", severity="error", timeout=8
            )
        else:
            self.app.call_from_thread(self.notify, f"Deleted {self.view.noun} {row.name}.")
            self.app.call_from_thread(self.reload)
