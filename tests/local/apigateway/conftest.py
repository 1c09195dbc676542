"""HTTP APIs on the local backend: a backend that leads its state dir (so its gateway listens, on a
port the system picks), Lambda functions in the process sandbox, and a small HTTP client."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from computetui.backends.local import LocalBackend
from computetui.blueprints import zip_files
from tests.support.fakes import StaticEngine


@pytest.fixture
def gw_backend(tmp_path: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(tmp_path / "state", lambda_sandbox="process", engine=StaticEngine(), apigateway_port=0)
    yield backend
    backend.close()


@pytest.fixture
def function(gw_backend: LocalBackend) -> Callable[..., str]:
    """A Python function from source (``handler(event, context)`` in ``app.py``); its ARN."""

    def make(source: str, name: str = "fn", **settings: Any) -> str:
        made = gw_backend.lambda_.create_function(
            function_name=name, runtime="python3.12", handler="app.handler", code={"ZipFile": zip_files({"app.py": source})},
            **settings)
        return made.function_arn

    return make


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 30) -> Reply:
    """One request to 127.0.0.1 (the gateway's URLs only), its status, headers and body."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=timeout)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                     headers=headers or {})
        answer = conn.getresponse()
        return Reply(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
    finally:
        conn.close()


ECHO = '''
import base64, json, os
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"event": event, "pid": os.getpid()})}
'''
"""A function that answers with the event it got (and its process, to tell environments apart)."""


def echoed(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200, (reply.status, reply.body)
    return reply.json()["event"]
