"""What the console knows about the backend as a whole: who, where, and counts per service.

The app refreshes it in a thread worker; the header, the navigation and the
home page all draw from the same copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from computetui.backends.base import Capabilities
    from computetui.models.common import BackendInfo
    from computetui.pricing import LambdaMonthlyCost
    from computetui.ui.views import Summary


@dataclass(frozen=True)
class Overview:
    state: str = "connecting"
    """``connecting``, ``ready`` or ``failed``."""
    backend_name: str = ""
    capabilities: Capabilities | None = None
    """What the open backend can do (None until it is open)."""
    info: BackendInfo | None = None
    summaries: dict[str, Summary] = field(default_factory=dict)
    problem: str | None = None
    """Why the backend could not be opened, when it could not."""
    usage: LambdaMonthlyCost | None = None
    """Lambda use this month, priced, for the header's cost meter."""
