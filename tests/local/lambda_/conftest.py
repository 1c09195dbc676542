"""Lambda execution tests: a real clock (durations and deadlines matter) and the process sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from computetui.backends.local import LocalBackend
from computetui.blueprints import zip_files
from tests.support.fakes import StaticEngine


@pytest.fixture
def lam() -> Iterator[LocalBackend]:
    backend = LocalBackend(
        ":memory:",
        lambda_sandbox="process",
        engine=StaticEngine(),
        controller=False,
        lambda_event_retry_delays=(0.05, 0.05),
    )
    yield backend
    backend.close()


@pytest.fixture
def python_function(lam: LocalBackend) -> Callable[..., str]:
    """Create a Python function from source; returns its name."""

    def make(source: str, name: str = "fn", handler: str = "lambda_function.handler", **settings) -> str:  # noqa: ANN003
        files = {"lambda_function.py": source} if isinstance(source, str) else source
        lam.lambda_.create_function(
            function_name=name, runtime="python3.12", handler=handler, code={"ZipFile": zip_files(files)}, **settings
        )
        return name

    return make
