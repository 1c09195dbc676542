"""The console shell every page shares, and how a page refreshes.

A page (a screen) composes the header, the navigation, breadcrumbs, its own
content, the command line and the footer. Only the visible page polls: a
timer runs while the screen is shown and is paused when another covers it.
Each refresh runs ``fetch`` in an exclusive thread worker; the result comes
back as a message and ``show`` applies it. A backend error becomes a banner
with the AWS error code; it never ends the app.

The footer and ``?`` list the keys that apply where the user is: a key whose
action ``check_action`` turns down is left out, and so, in read-only mode, is
one that would change something (``MUTATING``). Such a key still answers, to
say that read-only mode refuses it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.actions import parse
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from computetui.backends.base import Backend
from computetui.ui.format import describe_error
from computetui.ui.widgets.breadcrumbs import Breadcrumbs
from computetui.ui.widgets.command_line import CommandLine
from computetui.ui.widgets.footer import ConsoleFooter
from computetui.ui.widgets.header import ConsoleHeader
from computetui.ui.widgets.nav import ServiceNav

if TYPE_CHECKING:
    from computetui.ui.console import Console


class Banner(Static):
    """An inline error under the breadcrumbs; hidden while there is none."""

    DEFAULT_CSS = """
    Banner { display: none; height: auto; padding: 0 1; margin: 0 1; background: $error 20%; color: $text; }
    Banner.-shown { display: block; }
    """

    def show_error(self, text: str | None) -> None:
        if text:
            self.update(Content.from_markup("[b $error]✖[/] $text", text=text))
        self.set_class(bool(text), "-shown")


class ConsoleScreen(Screen[None]):
    """The shell around a page; subclasses give ``compose_content``, ``fetch`` and ``show``."""

    page_id = "home"

    BINDINGS = [
        Binding("colon", "command_line", "Command", id="command-line", tooltip="Type a command, like :lambda"),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter the table as you type"),
        Binding("escape", "back", "Back", id="back", tooltip="Clear the filter, or go back"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Refresh this page now"),
    ]

    UNLISTED_APP_KEYS: ClassVar[frozenset[str]] = frozenset({"quit"})
    """The console's own keys the footer leaves out here, to make room for the page's: ``ctrl+q``
    shows on the home page only (``?`` lists it everywhere)."""

    MUTATING: ClassVar[frozenset[str]] = frozenset()
    """The page's actions that change something: read-only mode refuses them, and the footer and
    ``?`` do not list them there."""

    class Loaded(Message):
        """A fetch finished: ``data`` or ``error``."""

        def __init__(self, generation: int, data: Any = None, error: str | None = None) -> None:
            super().__init__()
            self.generation = generation
            self.data = data
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._generation = 0

    @property
    def console(self) -> Console:
        return self.app  # type: ignore[return-value]

    @property
    def crumbs(self) -> list[str]:
        return ["Console"]

    # -- composition -------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        with Horizontal(id="body"):
            yield ServiceNav(self.console.services, self.page_id)
            with Vertical(id="main"):
                yield Breadcrumbs(self.crumbs)
                yield Banner(id="banner")
                yield from self.compose_content()
        yield ConsoleFooter()

    def compose_content(self) -> ComposeResult:
        yield from ()

    @property
    def command_line(self) -> CommandLine:
        return self.query_one(CommandLine)

    async def open_command_line(self, mode: str, value: str = "") -> CommandLine:
        """Show the command line, mounting it the first time (it is not needed for the first frame)."""
        found = self.query(CommandLine)
        if found:
            line = found.first()
        else:
            line = CommandLine(self.console.command_names())
            await self.mount(line, before=self.query_one(Footer))
        line.open(mode, value)
        return line

    # -- refresh -----------------------------------------------------------
    def on_screen_resume(self) -> None:
        self.reload()
        interval = self.console.settings.refresh_seconds
        if self.console.polling and interval > 0:
            if self._timer is None:
                self._timer = self.set_interval(interval, self.reload, name="page-refresh")
            else:
                self._timer.resume()

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def reload(self) -> None:
        """Fetch this page's data now (and the overview for header and navigation)."""
        self.console.refresh_overview()
        backend = self.console.backend
        if backend is None:
            return
        self._generation += 1
        self._load(backend, self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="page")
    def _load(self, backend: Backend, generation: int) -> None:
        try:
            data = self.fetch(backend)
            if isinstance(data, Iterator):  # shown as it comes: each item is all the page has so far
                worker = get_current_worker()
                for so_far in data:
                    if worker.is_cancelled:  # a newer fetch has started
                        return
                    self.post_message(self.Loaded(generation, data=so_far))
                return
        except Exception as exc:  # any backend failure is shown, never raised
            self.post_message(self.Loaded(generation, error=describe_error(exc)))
        else:
            self.post_message(self.Loaded(generation, data=data))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # an older fetch finished after a newer one started
        self.query_one(Banner).show_error(message.error)
        if message.error is None:
            self.show(message.data)

    def fetch(self, backend: Backend) -> Any:
        """Runs in a thread worker: read what the page shows from the backend. An iterator is
        shown item by item, as each comes (a first screenful, then everything)."""
        return None

    def show(self, data: Any) -> None:
        """Runs on the UI thread with what ``fetch`` returned."""

    # -- keys --------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "filter":
            return False  # a page with a table says otherwise
        if action == "back":
            return len(self.app.screen_stack) > 1  # the first page has nowhere to go back to
        return True

    def refused(self, action: str, parameters: tuple[object, ...]) -> bool:
        """Whether read-only mode refuses this action here."""
        return self.console.settings.read_only and action in self.MUTATING

    def lists(self, binding: Binding) -> bool:
        """Whether the footer and ``?`` list this key of the page: it applies here, and read-only mode
        does not refuse it."""
        _, action, parameters = parse(binding.action)
        return self.check_action(action, parameters) is not False and not self.refused(action, parameters)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, with the page's refused ones (read-only mode) and
        ``UNLISTED_APP_KEYS`` hidden from the footer: they stay bound (a refused key says why it
        does nothing)."""
        active = super().active_bindings
        read_only = self.console.settings.read_only
        for key, found in active.items():
            if not found.binding.show:
                continue
            _, action, parameters = parse(found.binding.action)
            if (found.node is self.app and action in self.UNLISTED_APP_KEYS) or (
                    read_only and found.node is self and self.refused(action, parameters)):
                active[key] = found._replace(binding=dataclasses.replace(found.binding, show=False))
        return active

    def action_refresh(self) -> None:
        self.reload()
        self.notify("Refreshing…", timeout=1)

    async def action_command_line(self) -> None:
        await self.open_command_line(":")

    def action_filter(self) -> None:
        self.app.bell()

    def action_back(self) -> None:
        self.console.go_back()

    @on(CommandLine.Submitted)
    def _command(self, message: CommandLine.Submitted) -> None:
        message.stop()
        if message.mode == ":":
            error = self.console.run_command(message.value)
            if error:
                self.command_line.show_error(error)
            else:
                self.command_line.close(cancelled=False)
        else:
            self.command_line.close(cancelled=False)

    @on(CommandLine.Closed)
    def _command_closed(self, message: CommandLine.Closed) -> None:
        message.stop()
        self.focus_content()

    def focus_content(self) -> None:
        """Give focus back to the page's main widget."""

    @on(ServiceNav.Open)
    def _nav_open(self, message: ServiceNav.Open) -> None:
        message.stop()
        self.console.open_page(message.page)
