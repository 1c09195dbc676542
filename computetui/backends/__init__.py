"""Backends, found by name through the ``computetui.backends`` entry points.

Only the backend asked for is imported: the local emulator never loads boto3,
and the aws backend never loads the docker SDK.
"""

from __future__ import annotations

import importlib
from typing import Any

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError

GROUP = "computetui.backends"

# Used when the package runs from a source tree that was never installed, so
# its entry points are not registered.
_BUILTIN = {
    "local": "computetui.backends.local:LocalBackend",
    "aws": "computetui.backends.aws:AwsBackend",
}


def _entry_points():  # noqa: ANN202 - importlib.metadata is slow to import; only load it here
    from importlib.metadata import entry_points

    return entry_points(group=GROUP)


def available_backends() -> list[str]:
    """Names of every backend that can be opened."""
    names = {ep.name for ep in _entry_points()}
    return sorted(names | set(_BUILTIN))


def _load(target: str) -> type[Backend]:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def backend_class(name: str) -> type[Backend]:
    for ep in _entry_points():
        if ep.name == name:
            return ep.load()
    if name in _BUILTIN:
        return _load(_BUILTIN[name])
    raise ComputeError(
        f"no backend named {name!r}; available: {', '.join(available_backends())}",
        code="UnknownBackend",
    )


def open_backend(name: str, **options: Any) -> Backend:
    """Open the backend called ``name`` with its options.

    ``open_backend("local", state_dir=":memory:")`` or
    ``open_backend("aws", profile=None, region="us-east-1", endpoint_url=None)``.
    """
    return backend_class(name)(**options)


__all__ = ["Backend", "available_backends", "backend_class", "open_backend"]
