"""The local emulator: AWS compute on the user's own Docker engine.

State lives in one SQLite database in the state dir; containers carry labels
that tie them to their resources; a controller thread keeps the two in step.
:class:`~computetui.backends.local.backend.LocalBackend` is the backend; each
service is a package here that installs itself on the emulator's shared pieces.

Importing a module of this package does not import the backend and every service
with it: ``LocalBackend`` is loaded when first asked for.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "LocalBackend":
        from computetui.backends.local.backend import LocalBackend

        return LocalBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
