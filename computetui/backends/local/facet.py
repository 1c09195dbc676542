"""What every local facet shares: the store, the ids, the clock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from computetui.backends.local.ids import Ids
    from computetui.backends.local.state import StateStore
    from computetui.clock import Clock


class Basics(Protocol):
    """The least a local facet needs of the emulator: where records live, how ids are made, what
    time it is. (:class:`~computetui.backends.local.emulator.Emulator` is the whole of it.)"""

    region: str
    read_only: bool
    clock: Clock
    store: StateStore
    ids: Ids


class LocalFacetMixin:
    """Gives a local facet short names for the emulator's basics."""

    backend: Basics

    @property
    def store(self) -> StateStore:
        return self.backend.store

    @property
    def ids(self) -> Ids:
        return self.backend.ids

    @property
    def now(self) -> datetime:
        return self.backend.clock.now()

    @property
    def now_ms(self) -> int:
        return int(self.backend.clock.time() * 1000)
