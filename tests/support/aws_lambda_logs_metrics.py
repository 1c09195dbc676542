"""Helpers for the aws Lambda, Logs and Metrics adapter tests: a read-only backend with its calls
counted, every mutating operation of a facet tried on it, and botocore's Stubber bodies."""

from __future__ import annotations

import inspect
import io
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.response import StreamingBody

from computetui.backends import open_backend
from computetui.backends.aws import AwsBackend
from computetui.backends.base import Facet
from computetui.backends.errors import ReadOnly
from tests.support.aws import CallCounter, reset_moto


@pytest.fixture
def read_only_backend(moto_server: str, aws_credentials: None) -> Iterator[tuple[AwsBackend, CallCounter]]:
    """An aws backend opened read-only, and the counter of every call and request it makes."""
    reset_moto(moto_server)
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_server, read_only=True)
    assert isinstance(backend, AwsBackend)
    counter = CallCounter(backend)
    yield backend, counter
    backend.close()


def try_every_mutating_operation(facet: Facet) -> list[str]:
    """Call each of the facet's mutating operations with placeholder arguments; each must raise
    ReadOnly. Returns the operations tried."""
    tried = []
    for name in type(facet).mutating_operations():
        method = getattr(facet, name)
        required = [
            p
            for p in inspect.signature(method).parameters.values()
            if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        with pytest.raises(ReadOnly):
            method(*["placeholder"] * len(required))
        tried.append(name)
    return tried


def streaming(data: bytes) -> StreamingBody:
    """A response body as botocore hands it over (Invoke's Payload)."""
    return StreamingBody(io.BytesIO(data), len(data))


def function_json(name: str, account: str = "123456789012", **overrides: Any) -> dict[str, Any]:
    """A FunctionConfiguration as Lambda's API returns it."""
    config = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:us-east-1:{account}:function:{name}",
        "Runtime": "python3.12",
        "Role": f"arn:aws:iam::{account}:role/service-role/{name}-role-abcd1234",
        "Handler": "lambda_function.lambda_handler",
        "CodeSize": 321,
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "LastModified": "2026-01-15T09:30:00.000+0000",
        "CodeSha256": "abc=",
        "Version": "$LATEST",
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
    }
    config.update(overrides)
    return config
