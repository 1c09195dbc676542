"""Stand-ins that make UI tests deterministic."""

from __future__ import annotations

from computetui.backends.local.engine import Engine
from computetui.models.common import EngineState, EngineStatus

READY = EngineStatus(state=EngineState.READY, host="unix:///var/run/docker.sock", version="27.5.1")


class StaticEngine(Engine):
    """An engine whose status never changes and which runs nothing (snapshot tests)."""

    def __init__(self, status: EngineStatus = READY) -> None:
        super().__init__(status.host, owner="test")
        self._fixed = status

    def status(self, refresh: bool = False) -> EngineStatus:
        return self._fixed

    def containers(self, kind=None, arn=None):  # noqa: ANN001, ANN201
        return []
