"""Which page a row opens and which form ``c`` opens, by name.

A ``ResourceView`` names what enter on its rows opens (``opens``) and what
``c`` creates (``creates``); the names map here to the screens, imported only
when first used so the first frame stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.services import ResourceView, Row

if TYPE_CHECKING:
    from computetui.app import ComputeApp

PageMaker = Callable[["ComputeApp", str, list[str], ResourceView, Row], Screen[Any]]
FormOpener = Callable[["ComputeApp", dict[str, Any]], None]


def _function(app: ComputeApp, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.screens.function import FunctionScreen

    return FunctionScreen(row.name)


def _create_function(app: ComputeApp, context: dict[str, Any]) -> None:
    from computetui.ui.screens.create_function import CreateFunctionScreen

    def created(name: str | None) -> None:
        if name:
            app.notify(f"Created function {name}.")
            app.open_function(name)

    app.push_screen(CreateFunctionScreen(), created)


RESOURCE_PAGES: dict[str, PageMaker] = {
    "function": _function,
}
"""``ResourceView.opens`` -> the screen for one row; ``json`` (the default) is not here."""

CREATE_FORMS: dict[str, FormOpener] = {
    "function": _create_function,
}
"""``ResourceView.creates`` -> opens the form (a modal whose result is handled here)."""
