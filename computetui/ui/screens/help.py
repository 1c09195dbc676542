"""``?``: every key, as currently mapped, and every ``:`` command."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


def _bindings(source: Iterable[BindingType]) -> list[Binding]:
    return [b for b in source if isinstance(b, Binding)]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 96; height: 90%;
        border: round $primary; border-title-color: $primary; border-title-style: bold;
        background: $surface; padding: 0 2;
    }
    HelpScreen .section { color: $secondary; text-style: bold; margin-top: 1; }
    """

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help-close")]

    def __init__(
        self,
        sections: Sequence[tuple[str, Sequence[Binding]]],
        commands: Sequence[tuple[str, str]],
        keymap: dict[str, str],
    ) -> None:
        super().__init__()
        self.sections = sections
        self.commands = commands
        self.keymap = keymap

    def _keys(self, binding: Binding) -> str:
        keys = self.keymap.get(binding.id or "", binding.key) if binding.id else binding.key
        return " / ".join(self.app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))

    @staticmethod
    def _line(keys: str, text: str, binding_id: str) -> Content:
        """Three aligned columns: the keys, what they do, the binding id to remap."""
        return (
            Content.styled(f"{keys:<16}", "b $primary") + Content(f"{text:<56} ") + Content.styled(binding_id, "$muted")
        )

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            for title, bindings in self.sections:
                yield Static(title, classes="section")
                for binding in bindings:
                    yield Static(
                        self._line(self._keys(binding), binding.tooltip or binding.description, binding.id or "")
                    )
            yield Static("Commands (type : first)", classes="section")
            for command, text in self.commands:
                yield Static(self._line(command, text, ""))
            # Styled, not markup: "[keymap]" would be read as a style and vanish.
            yield Static(
                Content.styled(
                    "\nRemap any key by its id in the config file's [keymap] table, e.g. filter = \"slash,f\".",
                    "$muted",
                )
            )

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Keys"
        self.query_one("#help").border_subtitle = "esc closes"

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def collect(*groups: tuple[str, Iterable[BindingType]]) -> list[tuple[str, list[Binding]]]:
    """Help sections from BINDINGS lists, each binding listed once. A ``system`` binding is left
    out, as Textual's key panel leaves it out: an extra key that many terminals never send."""
    seen: set[str] = set()
    sections = []
    for title, source in groups:
        unique = []
        for binding in _bindings(source):
            if binding.system:
                continue
            marker = binding.id or f"{binding.key}:{binding.action}"
            if marker not in seen:
                seen.add(marker)
                unique.append(binding)
        if unique:
            sections.append((title, unique))
    return sections
