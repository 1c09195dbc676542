"""HTTP/1.1 message heads: parsing requests and responses, framing, serializing.

Pure functions over bytes and strings, no I/O and no asyncio, so that every
server of the emulator (the load balancer, the Lambda Runtime API, the API
Gateway) reads a head the same way and a test can pin the rules without a
socket. The rules are RFC 9112's where a proxy depends on them:

- a header line without a colon, or with whitespace in its name, is malformed;
- several ``Content-Length`` values must agree and be digits;
- a request's ``Transfer-Encoding`` must end in ``chunked``;
- an HTTP/1.1 request must carry ``Host`` (unless a lenient server says not);
- ``Content-Length`` next to ``Transfer-Encoding``: chunked wins, and the
  connection closes after the response, because that pair is how requests get
  smuggled past a proxy (RFC 9112 6.3);
- a response body is framed by the request method and status first (HEAD, 1xx,
  204, 304 have none), then ``Transfer-Encoding``, then ``Content-Length``,
  and otherwise runs until the connection closes.

A malformed head raises ``ValueError``; what to answer is the server's call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Response body framings (``response_framing``): plain ints, compared on every response.
NO_BODY, LENGTH, CHUNKED, UNTIL_CLOSE = range(4)

REASONS = {
    100: "Continue",
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
"""Reason phrases for the statuses the emulator's servers send. 413 keeps its
RFC 7231 name, which the Runtime API has always sent."""


def _content_length(values: list[str]) -> int:
    """The one length that every ``Content-Length`` value (and comma-separated item) states."""
    if len(values) == 1 and "," not in values[0]:  # the usual case, without a set
        distinct = [values[0].strip()]
    else:
        distinct = sorted({item.strip() for value in values for item in value.split(",")})
    if len(distinct) != 1 or not distinct[0].isdigit():
        raise ValueError(f"invalid Content-Length {distinct}")
    return int(distinct[0])


_NOTED = frozenset({"connection", "transfer-encoding", "content-length", "host", "expect"})
_NO_TOKENS: frozenset[str] = frozenset()


class Head:
    """A request or response head, with the fields its framing depends on picked out.

    ``data`` is the head as read off the wire, ending in the blank line. Header
    names keep their case and order in ``headers`` (a proxy passes them on as
    they came); ``get`` looks one up without regard to case.
    """

    __slots__ = ("first", "headers", "tokens", "codings", "length", "host", "expect")

    def __init__(self, data: bytes) -> None:
        # Locals rather than attributes in the loop, and the sets made only when a
        # header needs them: every request of every server goes through here, the
        # Runtime API's warm invokes included.
        first, *lines = data[:-4].decode("latin-1").split("\r\n")
        headers: list[tuple[str, str]] = []
        append = headers.append
        tokens: frozenset[str] = _NO_TOKENS
        codings: list[str] = []
        lengths: list[str] = []
        host = expect = False
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon or not name or " " in name or "\t" in name:
                raise ValueError(f"malformed header line {line!r}")
            value = value.strip(" \t")
            append((name, value))
            lower = name.lower()
            if lower not in _NOTED:
                continue
            if lower == "content-length":
                lengths.append(value)
            elif lower == "host":
                host = True
            elif lower == "connection":
                tokens = tokens.union([token.strip().lower() for token in value.split(",")])
            elif lower == "transfer-encoding":
                codings.extend([c.strip().lower() for c in value.split(",") if c.strip()])
            elif lower == "expect":
                expect = value.lower() == "100-continue"
        self.first = first
        """The request line or the status line."""
        self.headers = headers
        self.codings = codings
        """Lower-cased ``Transfer-Encoding`` codings, in order."""
        self.host = host
        self.expect = expect
        self.tokens = tokens
        """Lower-cased ``Connection`` tokens."""
        self.length: int | None = None
        """``Content-Length``; ValueError when several differ or one is not a number."""
        if lengths:
            self.length = _content_length(lengths)

    def get(self, name: str, default: str | None = None) -> str | None:
        return header(self.headers, name, default)


def header(headers: list[tuple[str, str]], name: str, default: str | None = None) -> str | None:
    """The value of header ``name`` (any case); the last one when it is repeated,
    as a dict built from the lines in order would hold."""
    lower = name.lower()
    for key, value in reversed(headers):
        if key.lower() == lower:
            return value
    return default


@dataclass(eq=False, slots=True)
class Request:
    """A parsed request head; ``chunked``/``length`` say how its body is framed on the wire.

    ``body`` is empty until a server that buffers bodies has read it (see
    ``server.HttpServer``); a streaming handler reads the body itself.
    """

    method: str
    target: str
    """The request target as sent: path and query."""
    version: str
    """``HTTP/1.1`` or ``HTTP/1.0``."""
    headers: list[tuple[str, str]]
    tokens: frozenset[str]
    """Lower-cased ``Connection`` header tokens."""
    chunked: bool
    length: int
    keep_alive: bool
    """Whether the connection may carry another request after this one's response."""
    expect_continue: bool
    body: bytes = b""

    @property
    def has_body(self) -> bool:
        """Whether body bytes follow the head on the wire."""
        return self.chunked or self.length > 0

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.split("?", 1)[0]

    def get(self, name: str, default: str | None = None) -> str | None:
        return header(self.headers, name, default)


def parse_request(data: bytes, require_host: bool = True) -> Request:
    """The request whose head is ``data`` (up to and including the blank line).

    ValueError when it is malformed. ``require_host=False`` accepts an HTTP/1.1
    request without ``Host``, for a server that was always that lenient.
    """
    head = Head(data)
    parts = head.first.split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or not parts[1] or parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
        raise ValueError(f"malformed request line {head.first!r}")
    method, target, version = parts
    if head.codings and head.codings[-1] != "chunked":
        raise ValueError("a request body must be chunked last")
    if require_host and version == "HTTP/1.1" and not head.host:
        raise ValueError("HTTP/1.1 request without Host")
    chunked = bool(head.codings)
    keep_alive = version == "HTTP/1.1" and "close" not in head.tokens and not (chunked and head.length is not None)
    length = 0 if chunked else head.length or 0
    return Request(method, target, version, head.headers, head.tokens, chunked, length, keep_alive, head.expect)


def status_code(status_line: str) -> int:
    """The status of ``HTTP/1.x NNN reason``; ValueError for anything else."""
    version, _, rest = status_line.partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit() or rest[3:4] not in ("", " "):
        raise ValueError(f"malformed status line {status_line!r}")
    return int(code)


def response_framing(method: str, status: int, head: Head) -> tuple[int, int]:
    """(framing, length) of the body of a response to ``method`` (RFC 9112 6.3)."""
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return NO_BODY, 0
    if head.codings:
        return (CHUNKED if head.codings[-1] == "chunked" else UNTIL_CLOSE), 0
    if head.length is None:
        return UNTIL_CLOSE, 0
    return LENGTH, head.length


@dataclass(slots=True)
class Response:
    """A whole response from a buffering handler: the server adds the framing.

    ``headers`` go out in order, followed by ``Content-Length`` (the server's,
    from ``body``) and ``Connection: close`` when the connection ends after it.
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    close: bool = False
    """End the connection after this response, whatever the request asked."""


def response_head(
    status: int,
    headers: list[tuple[str, str]],
    length: int | None = None,
    close: bool = False,
    reason: str | None = None,
) -> bytes:
    """An HTTP/1.1 response head: status line, ``headers``, then ``Content-Length``
    when ``length`` is given and ``Connection: close`` when ``close``."""
    lines = [f"HTTP/1.1 {status} {reason or REASONS.get(status, 'Status')}\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in headers]
    if length is not None:
        lines.append(f"Content-Length: {length}\r\n")
    if close:
        lines.append("Connection: close\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("latin-1")
