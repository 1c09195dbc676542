"""JWT authorizers of HTTP APIs: a bearer token checked as API Gateway checks it (pure functions
but the key fetch).

- The token (the identity source's value, ``Bearer`` dropped) is a JWS signed with RS256 by a
  key of the issuer's JSON Web Key Set, found by ``kid``; the signature is checked here
  (RSASSA-PKCS1-v1_5 with SHA-256, in plain integers: no crypto library).
- Claims: ``iss`` is the authorizer's ``Issuer``; ``aud`` (or ``client_id``) is one of its
  ``Audience``; ``exp`` is in the future and ``nbf``/``iat`` not; a route's
  ``AuthorizationScopes`` need one of them in ``scope`` (or ``scp``).
- The keys: the local config's JWKS for the issuer when it gives one (``apigateway_jwks``:
  issuer -> a file), else ``<Issuer>/.well-known/jwks.json`` fetched (5 s at most, kept 5 min).

A token that fails is 401 ``{"message":"Unauthorized"}``; missing scopes are 403
``{"message":"Forbidden"}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
"""The DER DigestInfo before a SHA-256 digest in a PKCS#1 v1.5 signature."""
FETCH_TIMEOUT_S = 5.0
KEYS_KEPT_S = 300.0
CLOCK_SKEW_S = 0


class Refused(ValueError):
    """The token is not one the authorizer accepts; ``status`` is 401 or 403."""

    def __init__(self, why: str, status: int = 401) -> None:
        super().__init__(why)
        self.status = status


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _int(part: str) -> int:
    return int.from_bytes(_b64(part), "big")


def rsa_verify(message: bytes, signature: bytes, n: int, e: int) -> bool:
    """RSASSA-PKCS1-v1_5 with SHA-256."""
    size = (n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    decoded = pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big")
    digest = SHA256_PREFIX + hashlib.sha256(message).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest
    return decoded == expected


@dataclass(frozen=True)
class Checked:
    claims: dict[str, Any]
    scopes: list[str]


def check(token: str, config: dict[str, Any], keys: dict[str, Any], scopes_needed: list[str],
          now: float | None = None) -> Checked:
    """The token's claims when the authorizer (``JwtConfiguration``) accepts it; else Refused."""
    token = token.removeprefix("Bearer ").strip()
    try:
        head_part, body_part, sig_part = token.split(".")
        head, claims = json.loads(_b64(head_part)), json.loads(_b64(body_part))
        signature = _b64(sig_part)
    except (ValueError, UnicodeDecodeError):
        raise Refused("the token is not a JWT") from None
    if not isinstance(head, dict) or not isinstance(claims, dict):
        raise Refused("the token is not a JWT")
    if head.get("alg") != "RS256":
        raise Refused(f"the token is signed with {head.get('alg')}, not RS256")
    key = next((k for k in keys.get("keys") or [] if k.get("kid") == head.get("kid") and k.get("kty") == "RSA"), None)
    if key is None:
        raise Refused(f"no key {head.get('kid')!r} in the issuer's key set")
    if not rsa_verify(f"{head_part}.{body_part}".encode(), signature, _int(key["n"]), _int(key["e"])):
        raise Refused("the signature does not match the issuer's key")
    if claims.get("iss") != config.get("Issuer"):
        raise Refused(f"the issuer {claims.get('iss')!r} is not {config.get('Issuer')!r}")
    audience = config.get("Audience") or []
    given = claims.get("aud", claims.get("client_id"))
    given = given if isinstance(given, list) else [given]
    if audience and not set(audience) & {g for g in given if g}:
        raise Refused("the token's audience is not the authorizer's")
    at = time.time() if now is None else now
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= at - CLOCK_SKEW_S:
        raise Refused("the token has expired")
    for name in ("nbf", "iat"):
        if isinstance(claims.get(name), (int, float)) and claims[name] > at + CLOCK_SKEW_S:
            raise Refused(f"the token's {name} is in the future")
    granted = str(claims.get("scope") or " ".join(claims.get("scp") or [])).split()
    if scopes_needed and not set(scopes_needed) & set(granted):
        raise Refused("the token has none of the route's scopes", status=403)
    return Checked(claims, granted)


class KeySets:
    """Issuers' key sets: the configured files, or fetched from the issuer and kept a while."""

    def __init__(self, configured: dict[str, str] | None = None) -> None:
        self.configured = dict(configured or {})
        self._fetched: dict[str, tuple[float, dict[str, Any]]] = {}

    def of(self, issuer: str) -> dict[str, Any]:
        """Raises Refused (401) when the key set cannot be had."""
        path = self.configured.get(issuer)
        try:
            if path is not None:
                return json.loads(Path(path).expanduser().read_text())
            found = self._fetched.get(issuer)
            if found is not None and found[0] > time.monotonic():
                return found[1]
            url = issuer.rstrip("/") + "/.well-known/jwks.json"
            if not url.startswith(("http://", "https://")):
                raise Refused(f"the issuer {issuer!r} is not a URL and the config gives no key set for it")
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as answer:  # noqa: S310 - http(s) only
                keys = json.loads(answer.read())
            self._fetched[issuer] = (time.monotonic() + KEYS_KEPT_S, keys)
            return keys
        except (OSError, ValueError) as exc:
            raise Refused(f"the issuer's key set could not be read: {exc}") from None
