"""Models shared by every backend: what a backend says about itself."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class EngineState(StrEnum):
    """Where the Docker engine connection stands."""

    CHECKING = "checking"
    READY = "ready"
    SOCKET_MISSING = "socket-missing"
    PERMISSION_DENIED = "permission-denied"
    STOPPED = "stopped"
    ERROR = "error"


class EngineStatus(BaseModel):
    """The Docker engine as the local emulator sees it."""

    model_config = ConfigDict(frozen=True)

    state: EngineState
    reason: str = ""
    host: str = ""
    version: str | None = None

    @property
    def reachable(self) -> bool:
        return self.state is EngineState.READY

    @property
    def summary(self) -> str:
        """A few words for the header: ``ready 20.10`` or ``socket missing``."""
        if self.state is EngineState.READY:
            if not self.version:
                return "ready"
            short = ".".join(self.version.split("+")[0].split(".")[:2])  # 20.10.24+dfsg1 -> 20.10
            return f"ready {short}"
        return self.state.value.replace("-", " ")


class BackendInfo(BaseModel):
    """What ``backend.info()`` returns: who and where the console is talking to."""

    name: str
    account: str | None = None
    region: str
    endpoint: str | None = None
    profile: str | None = None
    read_only: bool = False
    engine: EngineStatus | None = None
    problem: str | None = None
    """Why the backend cannot reach its service, when it cannot (credentials, endpoint)."""
