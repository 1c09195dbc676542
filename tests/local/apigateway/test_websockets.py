"""WebSocket APIs on the local gateway: $connect may refuse, messages go to the route their
"action" names (else $default), functions answer through @connections, $disconnect is told."""

from __future__ import annotations

import base64
import json
import random
import socket
import struct
from typing import Any
from urllib.parse import urlsplit

from tests.local.apigateway.conftest import call

RANDOM = random.Random(7)
"""The handshake keys and the frames' masks: seeded, as everything in the tests is."""


class Client:
    """A minimal WebSocket client (masked frames, text messages) for 127.0.0.1 only."""

    def __init__(self, port: int, path: str, query: str = "") -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(RANDOM.randbytes(16)).decode()
        target = path + (f"?{query}" if query else "")
        self.sock.sendall((f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                           ).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                break
            head += chunk
        self.status = int(head.split(b" ", 2)[1]) if head else 0

    def send(self, text: str) -> None:
        data = text.encode()
        mask = RANDOM.randbytes(4)
        head = struct.pack("!BB", 0x81, 0x80 | len(data)) if len(data) < 126 else \
            struct.pack("!BBH", 0x81, 0x80 | 126, len(data))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def receive(self) -> str:
        first, second = self._exactly(2)
        size = second & 0x7F
        if size == 126:
            size = struct.unpack("!H", self._exactly(2))[0]
        return self._exactly(size).decode()

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def close(self) -> None:
        mask = RANDOM.randbytes(4)
        payload = struct.pack("!H", 1000)
        self.sock.sendall(struct.pack("!BB", 0x88, 0x80 | len(payload)) + mask
                          + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        self.sock.close()


# The function records what it was told in a file, and answers a "whoami" through @connections.
FUNCTION = '''
import json, os, urllib.request
def handler(event, context):
    ctx = event["requestContext"]
    with open(os.environ["SEEN"], "a") as seen:
        seen.write(json.dumps({"route": ctx["routeKey"], "type": ctx["eventType"], "id": ctx["connectionId"],
                               "body": event.get("body"), "query": event.get("queryStringParameters")}) + "\\n")
    if ctx["eventType"] == "CONNECT" and (event.get("queryStringParameters") or {}).get("token") == "no":
        return {"statusCode": 401}
    if ctx["routeKey"] == "whoami":
        url = os.environ["GATEWAY"] + "/" + ctx["stage"] + "/@connections/" + ctx["connectionId"]
        urllib.request.urlopen(urllib.request.Request(url, data=json.dumps({"you": ctx["connectionId"]}).encode(),
                                                      method="POST"), timeout=5).read()
    return {"statusCode": 200}
'''


def test_a_websocket_api_connects_routes_answers_and_disconnects(gw_backend, tmp_path) -> None:  # noqa: ANN001
    from computetui.blueprints import zip_files
    from tests.support.waits import until

    gw = gw_backend.apigateway
    api = gw.create_api(name="chat", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
    port = int(gw_backend.apigateway.listening_port())
    seen = tmp_path / "seen.jsonl"
    base = f"http://127.0.0.1:{port}/_aws/execute-api/{api.api_id}"
    fn = gw_backend.lambda_.create_function(
        "chat", runtime="python3.12", handler="app.handler", code={"ZipFile": zip_files({"app.py": FUNCTION})},
        environment={"Variables": {"SEEN": str(seen), "GATEWAY": base}})
    integration = gw.create_integration(api.api_id, "AWS_PROXY", integration_uri=fn.function_arn)
    for route in ("$connect", "$disconnect", "whoami", "$default"):
        gw.create_route(api.api_id, route, target=f"integrations/{integration.integration_id}")
    gw.create_stage(api.api_id, "prod", auto_deploy=True)
    path = urlsplit(base).path + "/prod"

    refused = Client(port, path, "token=no")
    assert refused.status == 403
    client = Client(port, path, "token=yes")
    assert client.status == 101
    client.send(json.dumps({"action": "whoami"}))
    answer = json.loads(client.receive())
    connection_id = answer["you"]
    client.send("not json at all")  # $default takes it
    info = call(f"{base}/prod/@connections/{connection_id}")
    assert info.status == 200 and info.json()["Identity"]["SourceIp"] == "127.0.0.1"
    assert call(f"{base}/prod/@connections/{connection_id}", method="POST", body=b"hello").status == 200
    assert client.receive() == "hello"
    client.close()

    def told() -> list[dict[str, Any]]:
        return [json.loads(line) for line in seen.read_text().splitlines()] if seen.exists() else []
    events = until(lambda: (found := told()) and found[-1]["type"] == "DISCONNECT" and found, 15)
    ours = [(e["route"], e["type"]) for e in events if e["id"] == connection_id]
    assert ours == [("$connect", "CONNECT"), ("whoami", "MESSAGE"), ("$default", "MESSAGE"),
                    ("$disconnect", "DISCONNECT")]
    assert [e["body"] for e in events if e["id"] == connection_id][1:3] == ['{"action": "whoami"}', "not json at all"]
    gone = call(f"{base}/prod/@connections/{connection_id}", method="POST", body=b"late")
    assert (gone.status, gone.headers["x-amzn-errortype"]) == (410, "GoneException")


def test_a_message_no_route_takes_is_forbidden(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="strict", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
    integration = gw.create_integration(api.api_id, "AWS_PROXY",
                                        integration_uri=function("def handler(e, c):\n    return {}\n"))
    gw.create_route(api.api_id, "known", target=f"integrations/{integration.integration_id}")
    gw.create_stage(api.api_id, "prod", auto_deploy=True)
    port = int(gw.listening_port())
    client = Client(port, f"/_aws/execute-api/{api.api_id}/prod")
    assert client.status == 101
    client.send(json.dumps({"action": "unknown"}))
    answer = json.loads(client.receive())
    assert answer["message"] == "Forbidden" and answer["connectionId"]
    client.close()
    assert Client(port, f"/_aws/execute-api/{api.api_id}/nostage").status == 404
