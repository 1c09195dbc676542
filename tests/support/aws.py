"""Fixtures for the aws backend against moto's server on 127.0.0.1, with every API call counted.

Imported by the conftest files that need them (tests/aws, tests/contract)."""

from __future__ import annotations

import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from computetui.backends import open_backend
from computetui.backends.aws import AwsBackend

MOTO_ACCOUNT = "123456789012"


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One moto server for the session; ``aws_backend`` resets its state before each test."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def reset_moto(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    """Fake keys, and no ~/.aws of the machine's: the tests see only what they set."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


class CallCounter:
    """Counts the API calls a backend's clients make (``("ecs", "DescribeTasks")`` -> n), and
    every HTTP request that leaves the process, through botocore's event hooks."""

    def __init__(self, backend: AwsBackend) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.sent: list[str] = []
        self._lock = threading.Lock()  # adapters call from a thread pool
        events = backend.session.events  # clients made from now on copy these handlers
        events.register("before-call.*.*", self._call)
        events.register("before-send.*.*", self._send)

    def _call(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.calls[(model.service_model.service_name, model.name)] += 1

    def _send(self, request: Any, **_: Any) -> None:
        with self._lock:
            self.sent.append(f"{request.method} {request.url}")

    def of(self, service: str, operation: str) -> int:
        return self.calls[(service, operation)]

    def total(self) -> int:
        return sum(self.calls.values())

    def clear(self) -> None:
        self.calls.clear()
        self.sent.clear()


@pytest.fixture
def aws_backend(moto_server: str, aws_credentials: None) -> Iterator[AwsBackend]:
    reset_moto(moto_server)
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_server)
    assert isinstance(backend, AwsBackend)
    yield backend
    backend.close()


@pytest.fixture
def calls(aws_backend: AwsBackend) -> CallCounter:
    """Register before the test's first call: clients are made lazily, after this."""
    return CallCounter(aws_backend)
