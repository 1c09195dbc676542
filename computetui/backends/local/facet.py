"""What every local facet shares: the store, the ids, the clock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from computetui.backends.local import LocalBackend


class LocalFacetMixin:
    """Gives a local facet short names for the backend's parts."""

    backend: LocalBackend

    @property
    def store(self):  # noqa: ANN201 - StateStore, kept untyped to avoid an import cycle
        return self.backend.store

    @property
    def ids(self):  # noqa: ANN201
        return self.backend.ids

    @property
    def now(self) -> datetime:
        return self.backend.clock.now()

    @property
    def now_ms(self) -> int:
        return int(self.backend.clock.time() * 1000)
