"""How a row's page and a create form are opened: the types each service's ``pages.py``
fills in, and putting the cursor on what a form made."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.views import ResourceView, Row

if TYPE_CHECKING:
    from computetui.ui.console import Console

PageMaker = Callable[["Console", str, list[str], ResourceView, Row], Screen[Any]]
"""Makes the screen enter opens on a row: (console, page id, breadcrumbs, view, row)."""
FormOpener = Callable[["Console", dict[str, Any]], None]
"""Opens a create form, given where it was opened (``{"cluster": "demo"}``)."""


def want(screen: Any, name: str | None) -> None:
    """After a create, the cursor goes to the new resource once the page shows it."""
    table = getattr(screen, "table", None)
    if name and table is not None and hasattr(table, "want"):
        table.want(name)
