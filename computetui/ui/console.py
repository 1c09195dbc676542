"""What the pages ask of the console app: the one interface between ``computetui.app`` and
``computetui.ui``.

The screens, the palette and the page openers are typed against :class:`Console`
rather than the app class, so no module of the UI imports ``computetui.app``
(which imports them); :class:`~computetui.app.ComputeApp` is what implements it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.screen import Screen

    from computetui.backends.base import Backend
    from computetui.clock import Clock
    from computetui.settings import Settings
    from computetui.ui.overview import Overview
    from computetui.ui.views import ResourceView, Row, ServiceSpec


class Console(Protocol):
    """The console app, as its pages see it."""

    settings: Settings
    backend: Backend | None
    """The open backend; None while it opens or after it failed to."""
    overview: Overview
    clock: Clock
    polling: bool
    """Whether visible pages refresh themselves (snapshot tests turn it off)."""
    blink: bool
    theme: str
    services: tuple[ServiceSpec, ...]
    """Every service the console shows, in the navigation's order (the registry's)."""
    cards_unfolded: bool
    """Whether service pages show their concept card whole (``i``) rather than one line, for the session."""

    @property
    def offers_demo(self) -> bool: ...

    @property
    def screen(self) -> Screen[Any]: ...

    # -- navigation ----------------------------------------------------------------
    def open_page(self, page: str, view: str | None = None, focus_key: str | None = None) -> None: ...

    def open_found(self, page: str, view: str, row: Row) -> None: ...

    def open_resource(self, page_id: str, crumbs: list[str], view: ResourceView, row: Row,
                      opens: str | None = None) -> None: ...

    def open_json(self, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> None: ...

    def open_function(self, name: str, tab: str = "code") -> None: ...

    def open_create(self, kind: str, context: dict[str, Any] | None = None) -> None: ...

    def go_back(self) -> None: ...

    # -- commands and the backend ----------------------------------------------------
    def run_command(self, text: str) -> str | None: ...

    def command_names(self) -> list[str]: ...

    def console_theme_names(self) -> list[str]: ...

    def refuse_if_read_only(self, what: str) -> bool: ...

    def refresh_overview(self) -> Any: ...

    def resource_index(self) -> list[tuple[ServiceSpec, ResourceView, Row]]: ...

    def switch_account(self, region: str | None = None, profile: str | None = None) -> str | None: ...

    def backend_class(self) -> type[Backend] | None: ...

    # -- Textual's App, as far as the pages use it ---------------------------------------
    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True) -> None: ...

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> Any: ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...
