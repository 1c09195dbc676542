"""JWT authorizers on the local gateway: RS256 tokens checked against the issuer's key set (a file
the config gives, or the issuer's own jwks.json on 127.0.0.1), their claims and scopes."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.apigateway import jwt
from tests.local.apigateway.conftest import ECHO, call, echoed
from tests.support.fakes import StaticEngine

# A fixed 2048-bit test key (made once for these tests; it signs nothing anywhere else).
N = int("f11fb45deb86cf4f72e9b96d862a42280680be54bbfd1a971ade6be7d23fce5d49cb627aa326d084bb5e4040ddfebdd162bb"
        "df9e30bd1d88b6a1bd9d2091916c69ffbd8362063fba83f29fa105ff0212f5e876e51e6ca0afa483f1bd2ef40a5fc98b3304"
        "8e66c21cbbf1e673357f9afdd5a62c4e7e39c8d563231a6d596ae8eeabd526feebd4249f463f4c5bcd79847e5acd8d174ab7"
        "261f698e70aeb8f6b29b5ef045f527031ab55938610aa67550dd51c4679e4af78e6ffbd9f1428c989e6e1093f2998dcf77af"
        "401fd9ca28811c492b280256a7060ef2d4b79309cc6ad612945ef2950449398f57d09b5e1f949d4726dc8e66180cc821ee1f"
        "214e2e8749eb", 16)
D = int("598b5e9e2a636c05a3352d0981739c11e52856867d31a7784a20238e79c3fc4d24a48533e9f6f624f4b831c06530bf294d335"
        "bfe11378a0a455897640cbe4275328028ceebce4a4867cbe880120bfba732ef5b8806de6c660e0079fbb9be23442342b07596"
        "b48e8dc1363a50baa362d9b547fad843840e1340b7be8eb15044a3f5543ef648cc1db96e9b6eb672a7f1ac332228dbfd244c3"
        "861a9725bc066c45d8dd4487ea74aa5e6eb9632e1c323db0da0ec69efd4ae9658eb3b588fcb7725f94636ff3242b406d6129d"
        "8a424ec781f668eec84c7a8bc0f3a243a434bfe35133582aa372d31e2c7a32b790d5d2f9efde9163df22cda861216f4b3ccb6"
        "77dc8b1", 16)
E = 65537


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_set() -> dict[str, Any]:
    return {"keys": [{"kty": "RSA", "kid": "test", "alg": "RS256", "use": "sig",
                      "n": b64(N.to_bytes(256, "big")), "e": b64(E.to_bytes(3, "big"))}]}


def token(claims: dict[str, Any], kid: str = "test", d: int = D) -> str:
    head = b64(json.dumps({"alg": "RS256", "kid": kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    digest = jwt.SHA256_PREFIX + hashlib.sha256(f"{head}.{body}".encode()).digest()
    padded = b"\x00\x01" + b"\xff" * (256 - len(digest) - 3) + b"\x00" + digest
    signature = pow(int.from_bytes(padded, "big"), d, N).to_bytes(256, "big")
    return f"{head}.{body}.{b64(signature)}"


def claims(**changes: Any) -> dict[str, Any]:
    return {"iss": ISSUER, "aud": "app", "sub": "ada", "exp": time.time() + 600, "scope": "pets:read", **changes}


ISSUER = "https://issuer.example"


@pytest.fixture
def jwt_backend(tmp_path: Path):  # noqa: ANN201
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps(key_set()))
    backend = LocalBackend(tmp_path / "state", lambda_sandbox="process", engine=StaticEngine(), apigateway_port=0,
                           apigateway_jwks={ISSUER: str(keys)})
    yield backend
    backend.close()


def guarded(backend: LocalBackend, issuer: str, scopes: list[str] | None = None) -> str:
    from computetui.blueprints import zip_files

    gw = backend.apigateway
    fn = backend.lambda_.create_function("fn", runtime="python3.12", handler="app.handler",
                                         code={"ZipFile": zip_files({"app.py": ECHO})})
    api = gw.create_api(name="jwt")
    integration = gw.create_integration(api.api_id, "AWS_PROXY", integration_uri=fn.function_arn,
                                        payload_format_version="2.0")
    authorizer = gw.create_authorizer(api.api_id, "jwt", "JWT", ["$request.header.Authorization"],
                                      jwt_configuration={"Issuer": issuer, "Audience": ["app"]})
    gw.create_route(api.api_id, "GET /pets", target=f"integrations/{integration.integration_id}",
                    authorization_type="JWT", authorizer_id=authorizer.authorizer_id, authorization_scopes=scopes)
    gw.create_stage(api.api_id, "$default", auto_deploy=True)
    return api.api_endpoint + "/pets"


def test_a_jwt_authorizer_checks_signature_issuer_audience_expiry_and_scopes(jwt_backend) -> None:  # noqa: ANN001
    url = guarded(jwt_backend, ISSUER, scopes=["pets:read"])

    def status(value: str | None) -> int:
        return call(url, headers={"Authorization": value} if value else {}).status
    assert status(None) == 401
    assert call(url).headers["www-authenticate"].startswith("Bearer")
    assert status("Bearer not.a.jwt") == 401
    assert status("Bearer " + token(claims(), d=D + 2)) == 401  # signed with another key
    assert status("Bearer " + token(claims(), kid="other")) == 401
    assert status("Bearer " + token(claims(iss="https://elsewhere.example"))) == 401
    assert status("Bearer " + token(claims(aud="someone-else"))) == 401
    assert status("Bearer " + token(claims(exp=time.time() - 5))) == 401
    assert status("Bearer " + token(claims(scope="pets:write"))) == 403
    event = echoed(call(url, headers={"Authorization": "Bearer " + token(claims())}))
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "ada"
    assert event["requestContext"]["authorizer"]["jwt"]["scopes"] == ["pets:read"]


def test_an_issuer_s_keys_are_fetched_from_its_jwks_json(tmp_path: Path) -> None:
    fetched: list[str] = []

    class Issuer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            fetched.append(self.path)
            body = json.dumps(key_set()).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Issuer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    backend = LocalBackend(tmp_path / "state", lambda_sandbox="process", engine=StaticEngine(), apigateway_port=0)
    try:
        url = guarded(backend, issuer)
        good = "Bearer " + token(claims(iss=issuer))
        assert [call(url, headers={"Authorization": good}).status for _ in range(2)] == [200, 200]
        assert fetched == ["/.well-known/jwks.json"]  # once: the key set is kept
    finally:
        backend.close()
        server.shutdown()
        server.server_close()
