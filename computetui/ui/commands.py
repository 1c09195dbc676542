"""The command palette (ctrl+p): jump to a service or open a resource by name, switch theme, and on
the aws backend switch region or profile."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from computetui.ui.registry import SERVICES

if TYPE_CHECKING:
    from computetui.ui.console import Console


REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "me-south-1", "af-south-1",
)
"""Regions the palette offers to switch to; ``:region`` takes any name."""


@dataclass(frozen=True)
class Entry:
    text: str
    help: str
    run: Callable[[], None]


class ConsoleCommands(Provider):
    """Services and themes at once; resources are read from the backend when the palette opens."""

    async def startup(self) -> None:
        app: Console = self.app  # type: ignore[assignment]
        self._resources: list[Entry] = []
        self._profiles: list[str] = []
        backend_class = await asyncio.to_thread(app.backend_class)
        self._switches = backend_class is not None and backend_class.capabilities.switches_account
        if self._switches and backend_class is not None:
            self._profiles = await asyncio.to_thread(backend_class.profiles)
        if app.backend is not None:
            try:
                index = await asyncio.to_thread(app.resource_index)
            except Exception:  # the palette still offers services and themes
                index = []
            self._resources = [
                Entry(row.name, f"{spec.nav_label} {view.noun}", partial(app.open_found, spec.id, view.id, row))
                for spec, view, row in index
            ]

    def _entries(self) -> list[Entry]:
        app: Console = self.app  # type: ignore[assignment]
        entries = [Entry("Go to console home", "The home page with every service", partial(app.open_page, "home"))]
        for spec in SERVICES:
            entries.append(
                Entry(f"Go to {spec.nav_label}", f"{spec.title} ({spec.command})", partial(app.open_page, spec.id))
            )
        if getattr(self, "_switches", False):
            for region in REGIONS:
                entries.append(Entry(f"Switch region: {region}", "Reopen the aws backend in this region",
                                     partial(app.switch_account, region=region)))
            for profile in getattr(self, "_profiles", []):
                entries.append(Entry(f"Switch profile: {profile}", "Reopen the aws backend with this profile",
                                     partial(app.switch_account, profile=profile)))
        for name in app.console_theme_names():
            entries.append(
                Entry(f"Switch theme: {name}", "Change the console's colours", partial(setattr, app, "theme", name))
            )
        return entries

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.text, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in [*self._entries(), *getattr(self, "_resources", [])]:
            score = matcher.match(entry.text)
            if score > 0:
                yield Hit(score, _highlight(matcher, entry.text), entry.run, text=entry.text, help=entry.help)


def _highlight(matcher: Matcher, text: str) -> Content:
    """The matched letters of ``text`` picked out, as ``Matcher.highlight`` does, but on plain text:
    that one reads the text as markup, and a resource's name is not markup."""
    content = Content(text)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
