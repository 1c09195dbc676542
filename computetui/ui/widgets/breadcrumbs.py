"""``Console › Lambda › Functions › hello-world``."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static


class Breadcrumbs(Static):
    DEFAULT_CSS = """
    Breadcrumbs { height: 1; padding: 0 1; color: $muted; }
    """

    def __init__(self, crumbs: Sequence[str]) -> None:
        super().__init__(self._render_crumbs(crumbs))

    @staticmethod
    def _render_crumbs(crumbs: Sequence[str]) -> Content:
        parts = [
            Content(c) if i < len(crumbs) - 1 else Content.styled(c, "bold $foreground") for i, c in enumerate(crumbs)
        ]
        return Content(" › ").join(parts)

    def set_crumbs(self, crumbs: Sequence[str]) -> None:
        self.update(self._render_crumbs(crumbs))
