"""CloudWatch Logs in the local emulator: groups, streams and events in the state store, and
the awslogs log driver that writes containers' output into them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from computetui.backends.local.awslogs import ContainerLogs
from computetui.backends.local.logs.facet import LocalLogs

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator, Options


def install(emulator: Emulator, options: Options) -> None:
    facet = emulator.add_part(LocalLogs(emulator))
    emulator.logs = facet
    emulator.awslogs = ContainerLogs(emulator.engine, facet, emulator.clock)
    emulator.on_close(emulator.awslogs.close)
