"""What Lambda's rows open (a function's page; ``l``, its Logs tab) and what ``c`` opens (the create-function form)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.screens.opening import FormOpener, PageMaker
from computetui.ui.views import ResourceView, Row

if TYPE_CHECKING:
    from computetui.ui.console import Console


def _function(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.lambda_.function import FunctionScreen

    return FunctionScreen(row.name)


def _function_logs(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.lambda_.function import FunctionScreen

    return FunctionScreen(row.name, "logs")


def _create_function(app: Console, context: dict[str, Any]) -> None:
    from computetui.ui.services.lambda_.create_function import CreateFunctionScreen

    def created(name: str | None) -> None:
        if name:
            app.notify(f"Created function {name}.", markup=False)
            app.open_function(name)

    app.push_screen(CreateFunctionScreen(), created)


PAGES: dict[str, PageMaker] = {
    "function": _function,
    "function-logs": _function_logs,
}

FORMS: dict[str, FormOpener] = {
    "function": _create_function,
}
