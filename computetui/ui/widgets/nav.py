"""The left navigation: the console home and every service, with resource counts."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from computetui.ui.overview import Overview
from computetui.ui.views import ServiceSpec

WIDTH = 24


class ServiceNav(OptionList):
    DEFAULT_CSS = """
    ServiceNav {
        dock: left;
        width: 24;
        height: 1fr;
        border: none;
        border-right: tall $panel;
        background: $nav-background;
        padding: 1 0 0 0;
    }
    ServiceNav:focus { border-right: tall $primary; }
    ServiceNav > .option-list--option { padding: 0 1; }
    """

    class Open(Message):
        def __init__(self, page: str) -> None:
            super().__init__()
            self.page = page

    def __init__(self, services: Sequence[ServiceSpec], current: str) -> None:
        self.services = tuple(services)
        self.current = current
        super().__init__(*self._build_options(current, None), id="nav")

    def on_mount(self) -> None:
        self.watch(self.app, "overview", self._update, init=True)

    @staticmethod
    def _label(current: str, page: str, label: str, count: int | None) -> Content:
        marker = "▌" if page == current else " "
        text = f"{label:<{WIDTH - 8}}"
        figure = "" if count is None else f"{count:>3}"
        body = Content(marker + text)
        if page == current:
            body = body.stylize("b $primary")
        return body + Content.styled(figure, "$muted")

    def _build_options(self, current: str, overview: Overview | None) -> list[Option]:
        options = [Option(self._label(current, "home", "Console home", None), id="home")]
        for spec in self.services:
            summary = overview.summaries.get(spec.id) if overview else None
            count = summary.count if summary else None
            options.append(Option(self._label(current, spec.id, spec.nav_label, count), id=spec.id))
        return options

    def _update(self, overview: Overview) -> None:
        for option in self._build_options(self.current, overview):
            assert option.id is not None
            self.replace_option_prompt(option.id, option.prompt)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Open(event.option.id))
