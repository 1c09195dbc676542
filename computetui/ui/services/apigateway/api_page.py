"""What an HTTP API's page and a REST API's page share: the breadcrumbs, the header (the API's
kind and name, then its facts once read, or a banner when it is gone), the empty tabs' hints (what
is missing, then the key that makes it unless read-only), Deployments newest first, and a row that
opens its JSON."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.content import Content

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError
from computetui.ui.screens.tabs import Facts, TabbedScreen
from computetui.ui.views import ResourceView, Row


class ApiPage(TabbedScreen):
    page_id = "apigw"

    KIND: ClassVar[str] = "API"
    """How the header and the banner name the API: ``HTTP API``, ``REST API``."""
    HINTS: ClassVar[dict[str, tuple[str, str]]] = {}
    """Tab id -> (what an empty tab lacks, the key that makes it)."""

    def __init__(self, api_id: str, name: str, views: list[Any], view: str | None = None) -> None:
        self.api_id = api_id
        self.api_name = name
        super().__init__(views, view)

    def on_mount(self) -> None:
        super().on_mount()
        for newest_first in self.query("#view-deployments"):
            newest_first.sort_reverse = True  # type: ignore[attr-defined]

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "API Gateway", "APIs", self.api_name, self.view.title]

    def empty_hint(self, view: ResourceView) -> str:
        if view.id not in self.HINTS:
            return super().empty_hint(view)
        said, how = self.HINTS[view.id]
        return said + ("" if self.console.settings.read_only else f"\n{how}")

    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]$k[/] [b $primary]$n[/]", k=self.KIND, n=self.api_name), id="facts")

    def fetch_header(self, backend: Backend) -> Any:
        try:
            return self.read_api(backend)
        except ComputeError:
            return None

    def show_header(self, api: Any) -> None:
        if api is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"{self.KIND} {self.api_name} ({self.api_id}) is gone. Press esc to go back.")
            return
        self.query_one("#facts", Facts).update(self.facts(api))

    def read_api(self, backend: Backend) -> Any:
        """The API as the backend has it now (a worker thread); None when it is gone."""
        raise NotImplementedError

    def facts(self, api: Any) -> Content:
        """The header's lines for the API read."""
        raise NotImplementedError

    def open_row(self, view: ResourceView, row: Row) -> None:
        self.console.open_json(self.page_id, [*self.crumbs, row.name], view, row)
