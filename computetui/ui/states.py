"""How a resource state is coloured: success, warning, error or muted.

AWS spells states many ways (``RUNNING``, ``Active``, ``running``); matching is
case-blind.
"""

from __future__ import annotations

SUCCESS = {
    "active",
    "running",
    "valid",
    "enabled",
    "succeeded",
    "available",
    "completed",
    "healthy",
    "successful",
    "ok",
    "ready",
}
WARNING = {
    "pending",
    "provisioning",
    "activating",
    "starting",
    "runnable",
    "submitted",
    "creating",
    "updating",
    "inprogress",
    "in_progress",
    "stopping",
    "rebooting",
    "draining",
    "deactivating",
    "deprovisioning",
    "deleting",
    "registering",
    "deregistering",
    "checking",
}
ERROR = {"failed", "invalid", "unhealthy", "error", "registration_failed", "timed_out"}
MUTED = {"inactive", "stopped", "disabled", "deleted", "terminated", "unknown"}

TONE_VARIABLE = {"success": "$success", "warning": "$warning", "error": "$error", "muted": "$muted"}


def tone(state: str | None) -> str:
    """``success``, ``warning``, ``error``, ``muted`` or ``plain``."""
    key = (state or "").strip().lower().replace("-", "_")
    for name, states in (("success", SUCCESS), ("warning", WARNING), ("error", ERROR), ("muted", MUTED)):
        if key in states:
            return name
    return "plain"
