"""A page of tabs, each a table of resources or a panel: the shape of most console pages.

A service page (Lambda's Functions), an ECS cluster (Services | Tasks |
Container instances | Metrics) and an ECS service (Details, Deployments,
Events...) are all this screen with different tabs. Only the visible tab is
fetched; ``[`` and ``]`` move between tabs; enter opens the row, ``d`` shows its
JSON, ``c`` creates, ctrl+d deletes (or stops, or deregisters: the view names the
verb), each destructive action confirmed first; ``l`` opens the row's logs, or
the page's Logs tab. The footer and ``?`` list only what the tab offers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static, Tab, Tabs

from computetui.backends.base import Backend
from computetui.ui.format import describe_error
from computetui.ui.screens.base import ConsoleScreen
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.views import ResourceView, Row, RowAction, RowsSoFar
from computetui.ui.widgets.command_line import CommandLine
from computetui.ui.widgets.resource_table import ResourceTable


class PanelWidget(Protocol):
    """A tab that is not a table: it fetches in a worker thread and shows on the UI thread."""

    def fetch(self, backend: Backend) -> Any: ...

    def show(self, data: Any) -> None: ...


@dataclass(frozen=True)
class PanelView:
    """A tab holding a widget of its own (metrics, logs, a form)."""

    id: str
    title: str
    make: Any
    """Called with no arguments: returns the widget (a ``PanelWidget``)."""


View = ResourceView | PanelView


def row_action_bindings(actions: Iterable[RowAction]) -> list[Binding]:
    """A key binding per row action (one per id), for a screen whose views have these actions:
    each shows, in the footer and in ``?``, only on the views that have it."""
    bindings: dict[str, Binding] = {}
    for action in actions:
        bindings.setdefault(action.id, Binding(action.key, f"row_action('{action.id}')", action.label,
                                               id=action.id, tooltip=action.tooltip))
    return list(bindings.values())


class TabbedScreen(ConsoleScreen):
    """Tabs of resource tables and panels, one visible at a time."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="open", tooltip="Open the resource under the cursor"),
        Binding("d", "describe", "Describe", id="describe", tooltip="Show the resource's AWS JSON"),
        Binding("l", "logs", "Logs", id="logs", tooltip="Open the logs of the resource under the cursor, or of this page"),
        Binding("c", "create", "Create", id="create", tooltip="Create a resource of this view"),
        Binding("ctrl+d", "delete", "Delete", id="delete", tooltip="Delete the resource (asks first)"),
        # ctrl+d named by the verb of the tab's rows, as the console's button is (asks first too).
        Binding("ctrl+d", "delete_as('Deregister')", "Deregister", id="deregister",
                tooltip="Deregister the resource: it stays listed as INACTIVE (asks first)"),
        Binding("right_square_bracket", "view(1)", "Next tab", id="view-next", show=False),
        Binding("left_square_bracket", "view(-1)", "Previous tab", id="view-previous", show=False),
    ]

    MUTATING = frozenset({"create", "delete", "delete_as"})

    def __init__(
        self,
        views: Sequence[View],
        view: str | None = None,
        focus_key: str | None = None,
    ) -> None:
        super().__init__()
        self.views: list[View] = list(views)
        self.view: View = next((v for v in self.views if v.id == view), self.views[0])
        self._focus_key = focus_key
        self._tables: dict[str, ResourceTable] = {}
        """Each table tab's table, by view id: the fetch worker reads it without querying the DOM."""

    # -- composition -------------------------------------------------------
    @property
    def crumbs(self) -> list[str]:
        return ["Console", self.view.title]

    def compose_content(self) -> ComposeResult:
        with Vertical(id="service"):
            yield from self.compose_header()
            if len(self.views) > 1:
                yield Tabs(*(Tab(v.title, id=f"tab-{v.id}") for v in self.views), active=f"tab-{self.view.id}",
                           id="views")
            with ContentSwitcher(initial=f"view-{self.view.id}", id="switcher"):
                for view in self.views:
                    if isinstance(view, PanelView):
                        widget = view.make()
                        widget.id = f"view-{view.id}"
                        yield widget
                    else:
                        table = self._tables[view.id] = ResourceTable(
                            view.columns,
                            title=view.title,
                            empty_hint=self.empty_hint(view),
                            sort=view.sort,
                            id=f"view-{view.id}",
                        )
                        yield table
            yield from self.compose_footer()

    def compose_header(self) -> ComposeResult:
        """Above the tabs: facts about the thing whose tabs these are."""
        yield from ()

    def compose_footer(self) -> ComposeResult:
        yield from ()

    def empty_hint(self, view: ResourceView) -> str:
        hint = f"No {view.title.lower()} yet."
        if view.creates and not self.console.settings.read_only:
            hint += "\nPress c to create one."
        return hint + "\n: opens the command line, ? lists every key."

    def on_mount(self) -> None:
        self.focus_content()

    @property
    def table(self) -> ResourceTable:
        return self.query_one(f"#view-{self.view.id}", ResourceTable)

    @property
    def panel(self) -> Widget:
        return self.query_one(f"#view-{self.view.id}")

    def register_table(self, view_id: str, table: ResourceTable) -> None:
        """Say which table now shows a tab (after one took another's place)."""
        self._tables[view_id] = table

    def table_of(self, view_id: str) -> ResourceTable:
        return self.query_one(f"#view-{view_id}", ResourceTable)

    def show_row(self, key: str) -> None:
        """Put the cursor on the current tab's row ``key``, now or once it is fetched, clearing a
        filter that could hide it."""
        if isinstance(self.view, ResourceView):
            table = self.table
            table.filter_text = ""
            if not table.move_to(key):
                self._focus_key = key

    def focus_content(self) -> None:
        if isinstance(self.view, ResourceView):
            self.table.focus()
        elif len(self.views) > 1:
            self.query_one("#views", Tabs).focus()
        else:
            self.panel.focus()

    # -- data --------------------------------------------------------------
    def fetch(self, backend: Backend) -> dict[str, Any] | Iterator[dict[str, Any]]:
        view = self.view
        header = self.fetch_header(backend)
        if isinstance(view, PanelView):
            return {"view": view.id, "header": header, "panel": self.panel.fetch(backend)}  # type: ignore[attr-defined]
        rows = view.fetch(backend)
        if isinstance(rows, Iterator):
            return self._so_far(view, header, rows)
        return self._table_data(view, header, rows)

    def _so_far(self, view: ResourceView, header: Any, batches: Iterator[RowsSoFar | list[Row]]) -> Iterator[dict[str, Any]]:
        """A listing read in steps: each step's rows shown as they come."""
        for batch in batches:
            if isinstance(batch, RowsSoFar):
                yield self._table_data(view, header, batch.rows, expected=batch.expected)
            else:
                yield self._table_data(view, header, batch)

    def _table_data(self, view: ResourceView, header: Any, rows: Any, expected: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"view": view.id, "header": header, "rows": rows, "expected": expected}
        table = self._tables.get(view.id)
        if table is not None and not isinstance(rows, str):
            # Thousands of rows are made ready here in the worker, not on the UI thread.
            data["prepared"] = (table, table.prepare(rows))
        return data

    def fetch_header(self, backend: Backend) -> Any:
        """In the worker, with the tab's data: what ``show_header`` shows."""
        return None

    def show_header(self, header: Any) -> None:
        pass

    def show(self, data: dict[str, Any]) -> None:
        self.show_header(data["header"])
        view = next((v for v in self.views if v.id == data["view"]), None)
        if view is None:
            return
        if isinstance(view, PanelView):
            self.query_one(f"#view-{view.id}").show(data["panel"])  # type: ignore[attr-defined]
            return
        table = self.table_of(view.id)
        rows = data["rows"]
        if isinstance(rows, str):
            table.show_problem(rows)
            return
        table_then, prepared = data.get("prepared") or (None, None)
        table.set_rows(prepared if table_then is table else rows, expected=data.get("expected"))
        if self._focus_key and table.move_to(self._focus_key):
            self._focus_key = None

    # -- tabs --------------------------------------------------------------
    def switch_view(self, view_id: str) -> None:
        view = next((v for v in self.views if v.id == view_id), None)
        if view is None or view is self.view:
            return
        self.view = view
        self.query_one("#switcher", ContentSwitcher).current = f"view-{view.id}"
        if len(self.views) > 1:
            self.query_one("#views", Tabs).active = f"tab-{view.id}"
        self.query_one("Breadcrumbs").set_crumbs(self.crumbs)  # type: ignore[attr-defined]
        self.refresh_bindings()
        if isinstance(view, ResourceView) or not self.focused or not isinstance(self.focused, Tabs):
            self.focus_content()
        self.reload()

    def replace_view(self, view: ResourceView) -> None:
        """Swap a tab's view for another with the same id (another filter of the same rows)."""
        self.views = [view if v.id == view.id else v for v in self.views]
        if self.view.id == view.id:
            self.view = view
        table = self.table_of(view.id)
        table.title = view.title
        table.empty_hint = self.empty_hint(view)
        table.border_title = view.title
        tab = self.query(f"#tab-{view.id}")
        if tab:
            tab.first(Tab).label = view.title  # type: ignore[assignment]
        self.query_one("Breadcrumbs").set_crumbs(self.crumbs)  # type: ignore[attr-defined]
        self.reload()

    def action_view(self, step: int) -> None:
        index = self.views.index(self.view)
        self.switch_view(self.views[(index + step) % len(self.views)].id)

    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        if event.tabs.id != "views":
            return
        event.stop()
        if event.tab.id:
            self.switch_view(event.tab.id.removeprefix("tab-"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that act on rows apply only on table tabs, and only those the tab's view offers."""
        view = self.view
        if action in ("open", "describe", "delete", "create", "filter"):
            if not isinstance(view, ResourceView):
                return False
            if action == "create":
                return view.creates is not None
            if action == "delete":
                return view.delete is not None and view.delete_verb == "Delete"  # else under its own verb
            return True
        if action == "row_action":
            return self._row_action(str(parameters[0])) is not None
        if action == "delete_as":
            return isinstance(view, ResourceView) and view.delete is not None and view.delete_verb == parameters[0]
        if action == "logs":
            return (isinstance(view, ResourceView) and view.logs is not None) or self._logs_tab() is not None
        return super().check_action(action, parameters)

    def refused(self, action: str, parameters: tuple[object, ...]) -> bool:
        if action == "row_action":
            found = self._row_action(str(parameters[0]))
            return self.console.settings.read_only and found is not None and found.mutating
        return super().refused(action, parameters)

    # -- filter ------------------------------------------------------------
    async def action_filter(self) -> None:
        if isinstance(self.view, ResourceView):
            await self.open_command_line("/", self.table.filter_text)

    def action_back(self) -> None:
        if isinstance(self.view, ResourceView) and self.table.filter_text:
            self.table.filter_text = ""
        else:
            super().action_back()

    @on(CommandLine.FilterChanged)
    def _filter(self, message: CommandLine.FilterChanged) -> None:
        message.stop()
        if isinstance(self.view, ResourceView):
            self.table.filter_text = message.value

    @on(CommandLine.Closed)
    def _closed(self, message: CommandLine.Closed) -> None:
        if message.mode == "/" and message.cancelled and isinstance(self.view, ResourceView):
            self.table.filter_text = ""

    # -- rows --------------------------------------------------------------
    def selected(self) -> Row | None:
        if not isinstance(self.view, ResourceView):
            return None
        return self.table.cursor_row

    def action_open(self) -> None:
        row = self.selected()
        if row is not None and isinstance(self.view, ResourceView):
            self.open_row(self.view, row)

    def action_describe(self) -> None:
        row = self.selected()
        if row is not None and isinstance(self.view, ResourceView):
            self.console.open_json(self.page_id, [*self.crumbs, row.name], self.view, row)

    @on(ResourceTable.Chosen)
    def _chosen(self, message: ResourceTable.Chosen) -> None:
        message.stop()
        if isinstance(self.view, ResourceView):
            self.open_row(self.view, message.row)

    def open_row(self, view: ResourceView, row: Row) -> None:
        """Enter on a row: its own page when it has one, else its JSON."""
        self.console.open_resource(self.page_id, [*self.crumbs, row.name], view, row)

    def action_logs(self) -> None:
        """``l``: the logs of the row under the cursor where its view has them, else this page's Logs tab."""
        view = self.view
        if isinstance(view, ResourceView) and view.logs is not None:
            row = self.selected()
            if row is None:
                self.notify(f"No {view.noun} is selected.", severity="warning")
                return
            self.console.open_resource(self.page_id, [*self.crumbs, row.name], view, row, opens=view.logs)
            return
        tab = self._logs_tab()
        if tab is not None:
            self.switch_view(tab.id)

    def _logs_tab(self) -> PanelView | None:
        """This page's own Logs tab, when it has one and is not on it."""
        return next((v for v in self.views if isinstance(v, PanelView) and v.id == "logs" and v is not self.view),
                    None)

    def action_create(self) -> None:
        view = self.view
        if not isinstance(view, ResourceView):
            return
        if view.creates is None:
            self.notify(f"Creating {view.title.lower()} from the console is not offered yet.", severity="warning")
            return
        if self.console.refuse_if_read_only(f"creating a {view.noun}"):
            return
        self.console.open_create(view.creates, self.create_context(view))

    def create_context(self, view: ResourceView) -> dict[str, Any]:
        """What a create form needs to know about where it was opened (the cluster...)."""
        return dict(view.context)

    def action_delete_as(self, verb: str) -> None:
        self.action_delete()

    def action_delete(self) -> None:
        view = self.view
        if not isinstance(view, ResourceView):
            return
        row = self.table.cursor_row
        if row is None:
            self.notify(f"No {view.noun} is selected.", severity="warning")
            return
        if view.delete is None:
            self.notify(f"Cannot {view.delete_verb.lower()} here: {view.read_only_reason}.", severity="warning")
            return
        if self.console.refuse_if_read_only(f"{view.delete_verb.lower()} {view.noun} {row.name}"):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(view, row)

        self.app.push_screen(
            ConfirmScreen(
                Content.from_markup("$verb $noun [b]$name[/b]?", verb=view.delete_verb, noun=view.noun, name=row.name),
                view.delete_warning,
                view.delete_verb,
            ),
            confirmed,
        )

    @work(thread=True, exit_on_error=False, group="action")
    def _delete(self, view: ResourceView, row: Row) -> None:
        backend = self.console.backend
        if backend is None or view.delete is None:
            return
        try:
            view.delete(backend, row)
        except Exception as exc:
            self.app.call_from_thread(
                self.notify, describe_error(exc), title=f"{view.delete_verb} failed", severity="error", timeout=8,
                markup=False,
            )
        else:
            past = {"Stop": "Stopping", "Deregister": "Deregistered", "Delete": "Deleted"}.get(
                view.delete_verb, view.delete_verb)
            self.app.call_from_thread(self.notify, f"{past} {view.noun} {row.name}.", markup=False)
            self.app.call_from_thread(self.reload)

    def _row_action(self, action_id: str) -> RowAction | None:
        view = self.view
        if not isinstance(view, ResourceView):
            return None
        return next((a for a in view.actions if a.id == action_id), None)

    def action_row_action(self, action_id: str) -> None:
        """A view's own key for a row (``e`` on a Batch queue): asked first when it says so,
        refused in read-only mode when it changes something, run in a worker."""
        action = self._row_action(action_id)
        if action is None:
            return
        row = self.table.cursor_row
        if row is None:
            self.notify(f"No {self.view.noun} is selected.", severity="warning")  # type: ignore[union-attr]
            return
        what = action.what(row)
        if action.mutating and self.console.refuse_if_read_only(what):
            return

        def run() -> None:
            self.run_action(f"Could not {what}", lambda b: action.run(b, row))

        if action.confirm is None:
            run()
            return
        self.app.push_screen(
            ConfirmScreen(Content(f"{what[:1].upper()}{what[1:]}?"), action.confirm(row), action.label),
            lambda yes: run() if yes else None,
        )

    def run_action(self, title: str, call: Any, done: str | None = None) -> None:
        """Run a backend call in a worker; say how it went (``done``, or what the call returned); refresh."""
        self._run_action(title, call, done)

    @work(thread=True, exit_on_error=False, group="action")
    def _run_action(self, title: str, call: Any, done: str | None) -> None:
        backend = self.console.backend
        if backend is None:
            return
        try:
            said = call(backend)
        except Exception as exc:
            self.app.call_from_thread(self.notify, describe_error(exc), title=title, severity="error", timeout=8,
                                      markup=False)
        else:
            done = done or (said if isinstance(said, str) else None)
            if done:
                self.app.call_from_thread(self.notify, done, markup=False)
            self.app.call_from_thread(self.reload)


class Facts(Static):
    """The line of key facts over a page's tabs."""

    DEFAULT_CSS = """
    Facts { height: auto; padding: 0 1 1 1; }
    """
