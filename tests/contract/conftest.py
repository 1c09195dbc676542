"""The contract suite runs once per backend: the local emulator, and the aws backend against
moto's server on 127.0.0.1 (what moto lacks is covered in tests/aws with botocore's Stubber)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from computetui.backends import open_backend
from computetui.backends.base import Backend
from computetui.clock import FixedClock
from tests.support.aws import aws_credentials, moto_server, reset_moto  # noqa: F401
from tests.support.fakes import StaticEngine

BACKENDS = ["local", "aws"]


@pytest.fixture(params=BACKENDS)
def contract_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "local":
        backend = open_backend(
            "local", state_dir=":memory:", clock=FixedClock(), seed=3, engine=StaticEngine(), controller=False
        )
    else:
        endpoint = request.getfixturevalue("moto_server")
        request.getfixturevalue("aws_credentials")
        reset_moto(endpoint)
        backend = open_backend("aws", region="us-east-1", endpoint_url=endpoint)
    yield backend
    backend.close()
