"""AWS Batch in the local emulator: compute environments, job queues and job definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.batch.facet import LocalBatch

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    emulator.batch = emulator.add_part(LocalBatch(emulator))
