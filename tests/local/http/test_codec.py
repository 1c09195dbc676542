"""The HTTP/1.1 codec: request and response heads, framing, serializing. No sockets."""

from __future__ import annotations

import pytest

from computetui.backends.local.http.codec import (
    CHUNKED,
    LENGTH,
    NO_BODY,
    UNTIL_CLOSE,
    Head,
    Response,
    parse_request,
    response_framing,
    response_head,
    status_code,
)


def head(first: str, *lines: str) -> bytes:
    return ("\r\n".join([first, *lines]) + "\r\n\r\n").encode("latin-1")


# -- requests -------------------------------------------------------------------------------
def test_a_request_head_keeps_its_headers_in_order_with_their_case() -> None:
    request = parse_request(
        head("POST /a/b?x=1 HTTP/1.1", "Host: h", "X-Thing:  v  ", "x-thing: w", "Content-Length: 3")
    )
    assert (request.method, request.target, request.version) == ("POST", "/a/b?x=1", "HTTP/1.1")
    assert request.headers == [("Host", "h"), ("X-Thing", "v"), ("x-thing", "w"), ("Content-Length", "3")]
    assert request.path == "/a/b"
    assert (request.length, request.chunked, request.has_body) == (3, False, True)


def test_a_header_is_found_whatever_its_case_and_the_last_one_wins() -> None:
    request = parse_request(head("GET / HTTP/1.1", "Host: h", "X-Thing: v", "x-THING: w"))
    assert request.get("x-thing") == "w"
    assert request.get("Missing") is None
    assert request.get("Missing", "default") == "default"


def test_http11_keeps_the_connection_unless_it_says_close() -> None:
    assert parse_request(head("GET / HTTP/1.1", "Host: h")).keep_alive
    closing = parse_request(head("GET / HTTP/1.1", "Host: h", "Connection: Keep-Alive, Close"))
    assert not closing.keep_alive
    assert closing.tokens == frozenset({"keep-alive", "close"})


def test_http10_closes_the_connection_after_the_response() -> None:
    request = parse_request(head("GET / HTTP/1.0"))
    assert request.version == "HTTP/1.0" and not request.keep_alive


def test_a_chunked_request_has_a_body_of_unknown_length() -> None:
    request = parse_request(head("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: gzip, Chunked"))
    assert request.chunked and request.length == 0 and request.has_body and request.keep_alive


def test_content_length_next_to_chunked_is_read_as_chunked_and_closes_the_connection() -> None:
    request = parse_request(head("POST / HTTP/1.1", "Host: h", "Content-Length: 5", "Transfer-Encoding: chunked"))
    assert request.chunked and request.length == 0
    assert not request.keep_alive  # the pair is how requests are smuggled past a proxy


def test_repeated_content_lengths_that_agree_are_one_length() -> None:
    assert parse_request(head("POST / HTTP/1.1", "Host: h", "Content-Length: 7", "Content-Length: 7, 7")).length == 7


@pytest.mark.parametrize("values", [["5", "6"], ["5, 6"], ["abc"], [""], ["-1"], ["+5"]])
def test_content_lengths_that_differ_or_are_not_numbers_are_malformed(values: list[str]) -> None:
    with pytest.raises(ValueError, match="Content-Length"):
        parse_request(head("POST / HTTP/1.1", "Host: h", *(f"Content-Length: {v}" for v in values)))


def test_expect_100_continue_is_noticed() -> None:
    assert parse_request(head("PUT / HTTP/1.1", "Host: h", "Expect: 100-Continue", "Content-Length: 1")).expect_continue
    assert not parse_request(head("PUT / HTTP/1.1", "Host: h", "Expect: other")).expect_continue


def test_an_http11_request_without_host_is_malformed_unless_the_server_is_lenient() -> None:
    with pytest.raises(ValueError, match="Host"):
        parse_request(head("GET / HTTP/1.1"))
    assert parse_request(head("GET / HTTP/1.1"), require_host=False).method == "GET"


@pytest.mark.parametrize(
    "first",
    ["GET /", "GET  / HTTP/1.1", "G3T / HTTP/1.1", "GET / HTTP/2", "GET / http/1.1", "GET / HTTP/1.1 extra"],
)
def test_a_malformed_request_line_is_refused(first: str) -> None:
    with pytest.raises(ValueError, match="request line"):
        parse_request(head(first, "Host: h"))


@pytest.mark.parametrize("line", ["no colon", ": no name", "Bad Name: v", "Bad\tName: v"])
def test_a_malformed_header_line_is_refused(line: str) -> None:
    with pytest.raises(ValueError, match="header line"):
        parse_request(head("GET / HTTP/1.1", "Host: h", line))


def test_a_request_body_must_be_chunked_last() -> None:
    with pytest.raises(ValueError, match="chunked last"):
        parse_request(head("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked, gzip"))


# -- responses ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "status"), [("HTTP/1.1 200 OK", 200), ("HTTP/1.0 404 Not Found", 404), ("HTTP/1.1 204", 204)]
)
def test_a_status_line_gives_its_status(line: str, status: int) -> None:
    assert status_code(line) == status


@pytest.mark.parametrize("line", ["HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 abc", "garbage"])
def test_a_malformed_status_line_is_refused(line: str) -> None:
    with pytest.raises(ValueError, match="status line"):
        status_code(line)


@pytest.mark.parametrize(
    ("method", "status", "lines", "framing"),
    [
        ("HEAD", 200, ["Content-Length: 10"], (NO_BODY, 0)),
        ("GET", 204, ["Content-Length: 10"], (NO_BODY, 0)),
        ("GET", 304, [], (NO_BODY, 0)),
        ("GET", 100, [], (NO_BODY, 0)),
        ("GET", 200, ["Transfer-Encoding: chunked", "Content-Length: 10"], (CHUNKED, 0)),
        ("GET", 200, ["Transfer-Encoding: chunked, gzip"], (UNTIL_CLOSE, 0)),
        ("GET", 200, ["Content-Length: 10"], (LENGTH, 10)),
        ("GET", 200, ["Content-Length: 0"], (LENGTH, 0)),
        ("GET", 200, [], (UNTIL_CLOSE, 0)),
    ],
)
def test_a_response_body_is_framed_by_method_and_status_then_codings_then_length(
    method: str, status: int, lines: list[str], framing: tuple[int, int]
) -> None:
    response = Head(head(f"HTTP/1.1 {status} X", *lines))
    assert response_framing(method, status, response) == framing


def test_a_response_head_lists_its_headers_then_the_length_then_close() -> None:
    data = response_head(202, [("Content-Type", "application/json"), ("X-A", "1")], 15, close=True)
    assert data == (
        b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nX-A: 1\r\n"
        b"Content-Length: 15\r\nConnection: close\r\n\r\n"
    )


def test_a_response_head_without_length_or_close_has_neither() -> None:
    assert response_head(200, []) == b"HTTP/1.1 200 OK\r\n\r\n"


def test_an_unknown_status_gets_a_generic_reason_and_a_reason_can_be_given() -> None:
    assert response_head(299, []).startswith(b"HTTP/1.1 299 Status\r\n")
    assert response_head(503, [], reason="Service Temporarily Unavailable").startswith(
        b"HTTP/1.1 503 Service Temporarily Unavailable\r\n"
    )


def test_a_413_keeps_the_name_the_runtime_api_has_always_sent() -> None:
    assert response_head(413, []).startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")


def test_a_response_defaults_to_no_headers_no_body_and_keep_alive() -> None:
    assert Response(204) == Response(204, [], b"", False)
