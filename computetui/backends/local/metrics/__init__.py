"""CloudWatch metrics in the local emulator: each service with metrics adds a source for its
namespaces (``LocalMetrics.add_source``) when it installs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.metrics.facet import LocalMetrics

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    emulator.metrics = emulator.add_part(LocalMetrics(emulator))
