"""ComputeApp: the Textual app. Thin: it opens the backend, keeps the overview,
and routes navigation; screens and widgets live in :mod:`computetui.ui`."""

from __future__ import annotations

import asyncio
import difflib
import gc
import os
import signal
from typing import Any, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from computetui.backends.base import Backend, SampleWorkload
from computetui.clock import Clock, SystemClock
from computetui.settings import Settings
from computetui.ui.commands import ConsoleCommands
from computetui.ui.format import describe_error
from computetui.ui.overview import Overview
from computetui.ui.pages.home import HomeScreen
from computetui.ui.registry import BY_ID, SERVICES, find_service
from computetui.ui.screens.base import ConsoleScreen
from computetui.ui.themes import DEFAULT_THEME, load_themes, with_console_variables
from computetui.ui.views import ResourceView, Row, ServiceSpec, Summary

# Screens other than the home page are imported when first opened: the first
# frame is painted sooner without them.

COMMANDS_HELP: tuple[tuple[str, str], ...] = (
    (":home", "the console home"),
    *((spec.command, spec.title) for spec in SERVICES),
    (":theme NAME", "switch theme (aws-dark, aws-light, high-contrast ...)"),
    (":region NAME", "switch region (aws backend): reopens it in eu-west-1, say"),
    (":profile NAME", "switch AWS profile (aws backend), as in ~/.aws/config; :profile - for none"),
    (":help", "this list"),
    (":quit", "leave the console"),
)


class ComputeApp(App[int]):
    """The console. Give it ``backend`` to use an open one (tests); otherwise it opens
    ``settings.backend`` itself, in a thread, after the first frame is painted."""

    CSS_PATH = "ui/app.tcss"
    TITLE = "computetui"
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Leave the console"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            id="command-palette",
            priority=True,
            show=False,
            tooltip="Jump to any service or resource by name, or switch theme",
        ),
        Binding("question_mark", "help", "Help", id="help", tooltip="List every key"),
        Binding(
            "D",
            "seed_demo",
            "Sample workload",
            id="seed-demo",
            show=False,
            tooltip="Load the sample workload (local backend)",
        ),
    ]

    overview: reactive[Overview] = reactive(Overview, always_update=True)

    def __init__(
        self,
        settings: Settings,
        backend: Backend | None = None,
        *,
        polling: bool = True,
        blink: bool = True,
        clock: Clock | None = None,
    ) -> None:
        # Pages of thousands of rows make tens of thousands of objects at once, and with the
        # default thresholds Python walks the whole heap many times while a page loads (it was
        # over half of a 10,000-task page's time). Collect less often; memory stays bounded.
        gc.set_threshold(10_000, 20, 100)
        self.settings = settings
        self.services = SERVICES
        """Every service the console shows (the pages read it from here, not from the registry)."""
        self.cards_unfolded = False
        """Whether service pages show their concept card whole: ``i`` unfolds it, and the next page too."""
        self.clock = clock or SystemClock()
        """The console's own sense of time (charts' "last hour"); fixed in snapshot tests."""
        self.backend: Backend | None = backend
        self._owns_backend = backend is None
        self.polling = polling
        self.blink = blink
        """Whether text cursors blink (snapshot tests turn it off)."""
        super().__init__()
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Tabs switch at once, as in the AWS console: Textual's 0.3 s underline slide redraws
            # the screen ~20 times while the new tab's rows are being fetched, and slows them.
            self.animation_level = "none"
        loaded = load_themes()
        self._theme_problems = loaded.problems
        self._console_themes = [t.name for t in loaded.themes]
        for theme in loaded.themes:
            self.register_theme(theme)
        self.theme = settings.theme if settings.theme in self.available_themes else DEFAULT_THEME
        if settings.keymap:
            self.set_keymap(settings.keymap)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Snapshot tests turn blinking off everywhere, Textual's own palette input included.
        if not self.blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    # -- theme -------------------------------------------------------------
    def get_css_variables(self) -> dict[str, str]:
        return with_console_variables(super().get_css_variables())

    def console_theme_names(self) -> list[str]:
        return list(self._console_themes)

    # -- start and stop ----------------------------------------------------
    def get_default_screen(self) -> Screen:
        return HomeScreen()

    def on_mount(self) -> None:
        # SIGTERM (and a closed terminal) end the console the normal way, so the
        # backend is closed and no execution environment outlives it.
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(signum, self.exit)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (tests), or no such signal here

    def on_ready(self) -> None:
        # Ready comes once the first frame is on screen: the backend's imports
        # and state opening do not hold up the first paint.
        for problem in self._theme_problems:
            self.notify(problem, title="Theme skipped", severity="warning", timeout=10, markup=False)
        if self.backend is None:
            self.overview = Overview(state="connecting", backend_name=self.settings.backend)
            self._open_backend()
        else:
            self.overview = Overview(state="ready", backend_name=self.backend.name,
                                     capabilities=self.backend.capabilities)
            self._backend_ready()

    def on_unmount(self) -> None:
        if self._owns_backend and self.backend is not None:
            self.backend.close()

    @work(thread=True, exclusive=True, exit_on_error=False, group="backend")
    def _open_backend(self) -> None:
        from computetui.backends import open_backend

        settings = self.settings
        try:
            backend = open_backend(settings.backend, **settings.backend_options())
        except Exception as exc:
            self.call_from_thread(self._backend_failed, describe_error(exc))
            return
        seeded: SampleWorkload | None = None
        seed_error: str | None = None
        wants_demo = settings.demo or (backend.freshly_created and backend.capabilities.sample_workload)
        if wants_demo and not settings.read_only:
            try:
                seeded = backend.seed_demo()
            except Exception as exc:
                seed_error = describe_error(exc)
        self.call_from_thread(self._backend_opened, backend, seeded, seed_error)

    def _backend_failed(self, problem: str) -> None:
        self.overview = Overview(state="failed", backend_name=self.settings.backend, problem=problem)
        self.notify(problem, title="Backend unavailable", severity="error", timeout=15, markup=False)

    def _backend_opened(self, backend: Backend, seeded: SampleWorkload | None, seed_error: str | None) -> None:
        self.backend = backend
        self.overview = Overview(state="ready", backend_name=backend.name, capabilities=backend.capabilities)
        if seed_error:
            self.notify(seed_error, title="Sample workload not loaded", severity="error", timeout=10, markup=False)
        elif seeded is not None:
            self._say_seeded(seeded)
        elif self.settings.demo and self.settings.read_only:
            self.notify("Read-only mode: the sample workload was not loaded.", severity="warning")
        self._backend_ready()

    def _say_seeded(self, seeded: SampleWorkload) -> None:
        """What was made, then which image its containers run and why; a warning when that image
        needs a registry (the line says how to do without)."""
        text = "\n".join(f"• {line}" for line in seeded.made) if seeded.made else "The sample workload is already in place."
        if seeded.image:
            text += f"\n\n{seeded.image}"
        title = "Sample workload loaded" if seeded.made else "Sample workload"
        if seeded.image_needs_registry:
            self.notify(text, title=title, severity="warning", timeout=30, markup=False)
        else:
            self.notify(text, title=title, timeout=12 if seeded.made else 6, markup=False)

    def _backend_ready(self) -> None:
        screen = self.screen
        if isinstance(screen, ConsoleScreen):
            screen.reload()
        else:
            self.refresh_overview()

    # -- the overview (header, navigation, home cards) -----------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="overview")
    def refresh_overview(self) -> None:
        backend = self.backend
        if backend is None:
            return
        try:
            info = backend.info()
        except Exception as exc:
            self.call_from_thread(
                self._publish_overview,
                backend,
                Overview(state="failed", backend_name=backend.name, capabilities=backend.capabilities,
                         problem=describe_error(exc)),
            )
            return
        usage = None
        if backend.lambda_ is not None:
            try:
                usage = backend.lambda_.usage_this_month()
            except Exception:  # the cost meter is a nicety; the rest of the overview still counts
                usage = None
        summaries: dict[str, Summary] = {}
        for spec in SERVICES:
            if spec.facet_of(backend) is None:
                continue
            try:
                summaries[spec.id] = spec.summarize(backend)
            except Exception as exc:
                summaries[spec.id] = Summary(count=None, problem=describe_error(exc))
        self.call_from_thread(
            self._publish_overview,
            backend,
            Overview(state="ready", backend_name=backend.name, capabilities=backend.capabilities, info=info,
                     summaries=summaries, usage=usage),
        )

    def _publish_overview(self, backend: Backend, overview: Overview) -> None:
        if self.backend is backend:  # not a backend switched away from meanwhile
            self.overview = overview

    def resource_index(self) -> list[tuple[ServiceSpec, ResourceView, Row]]:
        """Every resource with the view that lists it, for the palette. Runs in a thread."""
        backend = self.backend
        found = []
        if backend is None:
            return found
        for spec in SERVICES:
            if spec.facet_of(backend) is None:
                continue
            for view in spec.views:
                if view.read_only_reason and view.delete is None and view.id == "bundles":
                    continue  # a price list, not the user's resources
                try:
                    rows = view.fetch(backend)
                except Exception:
                    continue
                found.extend((spec, view, row) for row in rows)
        return found

    # -- navigation ----------------------------------------------------------
    def open_page(self, page: str, view: str | None = None, focus_key: str | None = None) -> None:
        """Go to a service page (or home); an open copy of it further down is reused. With
        ``focus_key`` the cursor goes to that row, and a filter that was on the list is cleared."""
        from computetui.ui.pages.service import ServiceScreen

        stack = self.screen_stack
        for depth in range(len(stack) - 1, -1, -1):
            screen = stack[depth]
            same = (page == "home" and isinstance(screen, HomeScreen)) or (
                isinstance(screen, ServiceScreen) and screen.spec.id == page
            )
            if same:
                while self.screen is not screen:
                    self.pop_screen()
                if isinstance(screen, ServiceScreen):
                    if view:
                        screen.switch_view(view)
                    if focus_key:
                        screen.show_row(focus_key)
                return
        if page == "home":
            return
        spec = BY_ID[page]
        self.push_screen(ServiceScreen(spec, view=view, focus_key=focus_key))

    def open_found(self, page: str, view: str, row: Row) -> None:
        """A resource picked in the palette: its list, unfiltered, with the cursor on its row (so
        going back shows it), and on top the resource itself, as enter on that row opens it."""
        from computetui.ui.pages.service import ServiceScreen

        self.open_page(page, view, row.key)
        screen = self.screen
        if isinstance(screen, ServiceScreen) and isinstance(screen.view, ResourceView) and screen.view.id == view:
            screen.open_row(screen.view, row)

    def open_resource(self, page_id: str, crumbs: list[str], view: ResourceView, row: Row,
                      opens: str | None = None) -> None:
        """Enter on a row: the resource's own page (``view.opens``), or its JSON; ``opens`` names
        another page of the row instead (``l``: ``view.logs``)."""
        from computetui.ui.pages.openers import RESOURCE_PAGES

        make = RESOURCE_PAGES.get(opens or view.opens)
        if make is None:
            self.open_json(page_id, crumbs, view, row)
        else:
            self.push_screen(make(self, page_id, crumbs, view, row))

    def open_json(self, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> None:
        from computetui.ui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(page_id, crumbs, view, row))

    def open_function(self, name: str, tab: str = "code") -> None:
        from computetui.ui.services.lambda_.function import FunctionScreen

        self.push_screen(FunctionScreen(name, tab))

    def open_create(self, kind: str, context: dict[str, Any] | None = None) -> None:
        """``c``: the form that creates a ``kind`` (``function``, ``ecs-service``...)."""
        from computetui.ui.pages.openers import CREATE_FORMS

        opener = CREATE_FORMS.get(kind)
        if opener is None:
            self.notify(f"Creating a {kind} from the console is not offered yet.", severity="warning")
            return
        opener(self, dict(context or {}))

    def go_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    # -- commands ------------------------------------------------------------
    def command_names(self) -> list[str]:
        names = ["home", "help", "quit", "theme", "region", "profile"]
        for spec in SERVICES:
            names.append(spec.id)
            names.extend(spec.aliases)
        return names

    def run_command(self, text: str) -> str | None:
        """Run a ``:`` command. Returns an error to show inline, or None."""
        words = text.lstrip(":").split()
        if not words:
            return None
        verb, args = words[0].lower(), words[1:]
        if verb == "home":
            self.open_page("home")
        elif verb in ("q", "quit", "exit"):
            self.exit(0)
        elif verb in ("help", "h"):
            self.call_later(self.action_help)
        elif verb == "theme":
            if not args:
                return "Usage: :theme NAME (" + ", ".join(self.console_theme_names()) + ")"
            if args[0] not in self.available_themes:
                return f"Unknown theme '{args[0]}' (try " + ", ".join(self.console_theme_names()) + ")"
            self.theme = args[0]
        elif verb in ("region", "profile"):
            return self.switch_account(**{verb: args[0]} if args else {}) if args else \
                f"Usage: :{verb} NAME" + (" (e.g. :region eu-west-1)" if verb == "region" else "")
        elif (spec := find_service(verb)) is not None:
            self.open_page(spec.id)
        else:
            close = difflib.get_close_matches(verb, self.command_names(), n=1, cutoff=0.6)
            hint = f"did you mean :{close[0]}?" if close else "? lists every command"
            return f"Unknown command ':{verb}' — {hint}"
        return None

    def switch_account(self, region: str | None = None, profile: str | None = None) -> str | None:
        """Reopen the aws backend in another region or with another profile. Returns an error
        to show, or None once the switch has begun (the header says when it is done)."""
        import dataclasses
        import re

        backend_class = self.backend_class()
        if backend_class is None or not backend_class.capabilities.switches_account:
            return "Region and profile switch the aws backend; the local emulator has one region (start with --backend aws)"
        if region is not None and not re.fullmatch(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", region):
            return f"'{region}' is not a region name (like us-east-1 or eu-west-1)"
        if profile is not None and profile != "-":
            known = backend_class.profiles()
            if profile not in known:
                have = f"have: {', '.join(sorted(known))}" if known else "it has none"
                return f"No profile '{profile}' in your AWS config ({have}); :profile - uses no profile"
        changes: dict[str, Any] = {}
        if region is not None:
            changes["region"] = region
        if profile is not None:
            changes["profile"] = None if profile == "-" else profile  # "-": the environment's credentials
        self.settings = dataclasses.replace(self.settings, **changes)
        old = self.backend if self._owns_backend else None
        self.backend = None
        self._owns_backend = True
        if old is not None:
            old.close()
        self.open_page("home")
        self.overview = Overview(state="connecting", backend_name=self.settings.backend)
        self.notify(f"Switching to {profile or self.settings.profile or 'the default profile'} in "
                    f"{region or self.settings.effective_region}…", timeout=4, markup=False)
        self._open_backend()
        return None

    def refuse_if_read_only(self, what: str) -> bool:
        """In read-only mode, say no to ``what`` and return True."""
        if self.settings.read_only:
            self.notify(
                f"Read-only mode: {what} is refused (started with --read-only).", title="Read-only", severity="warning",
                markup=False,
            )
            return True
        return False

    # -- actions -------------------------------------------------------------
    def action_help(self) -> None:
        """``?``: the keys that apply where the user is (the page's own, as its footer shows them), then
        every command."""
        from computetui.ui.screens.help import HelpScreen, collect
        from computetui.ui.screens.tabs import TabbedScreen
        from computetui.ui.widgets.command_line import CommandLine
        from computetui.ui.widgets.editor import Editor
        from computetui.ui.widgets.resource_table import ResourceTable
        from computetui.ui.widgets.row_grid import RowGrid

        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        page: list[Any] = []
        shell: list[Any] = list(ConsoleScreen.BINDINGS)
        if isinstance(screen, ConsoleScreen):  # the page's own keys, its base pages' too, not the shell's
            for cls in type(screen).__mro__:
                if cls is ConsoleScreen:
                    break
                page.extend(cls.__dict__.get("BINDINGS", []))
            page = [b for b in page if not isinstance(b, Binding) or screen.lists(b)]
            shell = [b for b in shell if not isinstance(b, Binding) or screen.lists(b)]
            if screen.query(Editor):  # the editors' keys Textual's TextArea has and no footer shows
                page.extend(Editor.BINDINGS)
        everywhere = [b for b in self.BINDINGS if not isinstance(b, Binding) or b.action != "seed_demo"
                      or (self.offers_demo and not self.settings.read_only)]
        on_a_table = isinstance(screen, TabbedScreen) and isinstance(screen.view, ResourceView)
        table_keys = [*ResourceTable.BINDINGS, *(b for b in RowGrid.BINDINGS
                                                if isinstance(b, Binding) and b.id in ("table-left", "table-right"))]
        sections = collect(
            ("Everywhere", [*everywhere, *shell]),
            ("This page", page),
            ("Tables", table_keys if on_a_table else []),
            ("Command line", CommandLine.BINDINGS),
        )
        self.push_screen(HelpScreen(sections, COMMANDS_HELP, dict(self.settings.keymap)))

    @property
    def offers_demo(self) -> bool:
        """Whether the backend has a sample workload to load (the local one; not AWS)."""
        backend = self.backend
        return backend is None or backend.capabilities.sample_workload

    def backend_class(self) -> type[Backend] | None:
        """The class of the backend in use, or of the one being opened (to ask what it can do)."""
        if self.backend is not None:
            return type(self.backend)
        from computetui.backends import backend_class

        try:
            return backend_class(self.settings.backend)
        except Exception:
            return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "seed_demo":
            return self.offers_demo
        return super().check_action(action, parameters)

    def action_seed_demo(self) -> None:
        if self.backend is None:
            self.notify("The backend is not open yet.", severity="warning")
            return
        if self.refuse_if_read_only("loading the sample workload"):
            return
        self._seed_demo(self.backend)

    @work(thread=True, exclusive=True, exit_on_error=False, group="action")
    def _seed_demo(self, backend: Backend) -> None:
        try:
            seeded = backend.seed_demo()
        except Exception as exc:
            self.call_from_thread(
                self.notify, describe_error(exc), title="Sample workload not loaded", severity="error", timeout=10,
                markup=False,
            )
            return
        self.call_from_thread(self._say_seeded, seeded)
        self.call_from_thread(self._backend_ready)
