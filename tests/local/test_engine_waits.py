"""The engine's waits, against a stand-in engine on a unix socket: what is bounded and what is not.

The stand-in answers ``/version`` (so the SDK connects), ``/networks/bridge``
(or 404 when it has none) and ``/containers/<id>/wait``, whose headers and
body it sends after the delays a test sets, the way a busy engine is slow to
register a waiter and a container takes long to exit.
"""

from __future__ import annotations

import json
import socketserver
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from computetui.backends.docker.engine import Engine
from computetui.backends.errors import ComputeError, Unavailable

WAIT_BOUND_S = 10
"""How long a test waits for a call that should end, before it counts it as hanging."""


class StandInEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str) -> None:
        self.bridge = True
        self.wait_headers_after_s = 0.0
        self.wait_body_after_s = 0.0
        self.release = threading.Event()
        """Set at the end of a test: every delayed answer stops waiting."""
        super().__init__(path, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StandInEngine

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def address_string(self) -> str:
        return "unix"

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.endswith("/version"):
            self._answer(200, {"ApiVersion": "1.43", "Version": "27.5.1"})
        elif "/networks/bridge" in self.path and self.server.bridge:
            self._answer(200, {"Name": "bridge", "IPAM": {"Config": [{"Subnet": "172.17.0.0/16",
                                                                      "Gateway": "172.17.0.1"}]}})
        else:
            self._answer(404, {"message": f"no such thing: {self.path}"})

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if "/wait" not in self.path:
            self._answer(404, {"message": f"no such thing: {self.path}"})
            return
        if self.server.release.wait(self.server.wait_headers_after_s):
            return
        data = json.dumps({"StatusCode": 7}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        if self.server.release.wait(self.server.wait_body_after_s):
            return
        self.wfile.write(data)


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandInEngine]:
    folder = tmp_path if len(str(tmp_path / "e.sock")) < 100 else Path(tempfile.mkdtemp(prefix="ctui-"))
    server = StandInEngine(str(folder / "e.sock"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def engine_on(server: StandInEngine, timeout: float) -> Engine:
    engine = Engine(f"unix://{server.server_address}", owner="t", timeout=timeout)
    assert engine.status().reachable, engine.status().reason
    return engine


def in_thread(fn, *args):  # noqa: ANN001, ANN002, ANN201
    """Call ``fn`` on a thread; a function that joins it, bounded, and gives its result or error."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = fn(*args)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def joined() -> dict:
        thread.join(WAIT_BOUND_S)
        assert not thread.is_alive(), f"{getattr(fn, '__name__', fn)} did not return within {WAIT_BOUND_S} s"
        return outcome

    return joined


def test_an_exit_wait_outlasts_the_engine_timeout_but_its_registration_does_not(stand_in: StandInEngine) -> None:
    engine = engine_on(stand_in, timeout=1)
    # The waiter is registered at once; the container exits later than any call may take.
    stand_in.wait_body_after_s = 2
    watch = engine.watch_exit("a" * 64)
    assert in_thread(watch)() == {"result": 7}
    # An engine that does not even register the waiter is a timeout, not a hang.
    stand_in.wait_headers_after_s = 60
    outcome = in_thread(engine.watch_exit, "b" * 64)()
    assert isinstance(outcome.get("error"), ComputeError) and outcome["error"].code == "Timeout", outcome
    engine.close()


def test_an_engine_without_a_bridge_network_is_unavailable_and_says_so(stand_in: StandInEngine) -> None:
    stand_in.bridge = False
    engine = engine_on(stand_in, timeout=5)
    with pytest.raises(Unavailable) as raised:
        engine.bridge_gateway()
    assert raised.value.reason == "the Docker engine has no bridge network"
    stand_in.bridge = True
    assert engine.bridge_gateway() == "172.17.0.1"
    engine.close()

