"""The contract suite runs once per backend. Today: the local emulator. The aws
backend joins against moto's server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from computetui.backends import open_backend
from computetui.backends.base import Backend
from computetui.clock import FixedClock
from tests.support.fakes import StaticEngine

BACKENDS = ["local"]


@pytest.fixture(params=BACKENDS)
def contract_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "local":
        backend = open_backend(
            "local", state_dir=":memory:", clock=FixedClock(), seed=3, engine=StaticEngine(), controller=False
        )
    else:  # pragma: no cover - added with the aws backend
        raise NotImplementedError(request.param)
    yield backend
    backend.close()
