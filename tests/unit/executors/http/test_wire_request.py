"""The bytes of a request: request line, Host, framing, one message."""

from __future__ import annotations

import pytest
from yarl import URL

from ringback.core.executors.http.wire.request import encode_request, host_header


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://shop.example/hook", "shop.example"),
        ("http://shop.example:80/hook", "shop.example"),
        ("https://shop.example:443/hook", "shop.example"),
        ("https://shop.example:8443/hook", "shop.example:8443"),
        ("http://127.0.0.1:8080/", "127.0.0.1:8080"),
        ("http://[2001:db8::1]:8080/", "[2001:db8::1]:8080"),
        ("https://[2001:db8::1]/", "[2001:db8::1]"),
        ("http://bücher.example/", "xn--bcher-kva.example"),
    ],
)
def test_the_host_header_is_the_raw_host_with_a_non_default_port(url, host):
    assert host_header(URL(url)) == host


def test_a_post_is_one_message_with_its_length():
    message = encode_request(
        "POST",
        URL("http://shop.example:8080/notify?order=A1&x=%20y"),
        {"User-Agent": "ringback/0.1", "Content-Type": "application/json"},
        b'{"a":1}',
    )
    assert message == (
        b"POST /notify?order=A1&x=%20y HTTP/1.1\r\n"
        b"Host: shop.example:8080\r\n"
        b"User-Agent: ringback/0.1\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: 7\r\n"
        b"\r\n"
        b'{"a":1}'
    )


@pytest.mark.parametrize(
    ("method", "body", "length"),
    [
        ("POST", b"", b"Content-Length: 0\r\n"),
        ("PUT", b"", b"Content-Length: 0\r\n"),
        ("PATCH", b"ab", b"Content-Length: 2\r\n"),
        ("DELETE", b"ab", b"Content-Length: 2\r\n"),
        ("GET", b"", None),
        ("HEAD", b"", None),
        ("DELETE", b"", None),
    ],
)
def test_content_length_is_sent_when_a_body_is_or_could_be_there(method, body, length):
    message = encode_request(method, URL("http://shop.example/"), {}, body)
    head = message.split(b"\r\n\r\n")[0] + b"\r\n"
    assert head.startswith(f"{method} / HTTP/1.1\r\n".encode())
    if length is None:
        assert b"content-length" not in head.lower()
    else:
        assert length in head
    assert message.endswith(b"\r\n\r\n" + body)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Evil": "a\r\nX-Injected: 1"},
        {"X-Evil": "a\nGET /admin HTTP/1.1"},
        {"X-Evil\r\nX-Injected": "1"},
        {"X-Evil": "a\rb"},
    ],
)
def test_no_line_break_reaches_the_wire(headers):
    with pytest.raises(ValueError, match="CR or LF"):
        encode_request("POST", URL("http://shop.example/"), headers, b"")


def test_non_ascii_never_reaches_the_wire():
    with pytest.raises(UnicodeEncodeError):
        encode_request("POST", URL("http://shop.example/"), {"X-Note": "订单"}, b"")
