"""A Lambda function to make on any backend: the hello-world blueprint, created through the contract."""

from __future__ import annotations

from typing import Any

from computetui.blueprints import blueprint

HELLO = blueprint("hello-world-python")


def create(backend: Any, name: str = "hello", **overrides: Any) -> Any:
    """``create_function`` of the blueprint as ``name``; ``overrides`` replace or add parameters."""
    params = {
        "function_name": name,
        "runtime": HELLO.runtime,
        "handler": HELLO.handler,
        "code": {"ZipFile": HELLO.zip()},
    }
    params.update(overrides)
    return backend.lambda_.create_function(**params)
