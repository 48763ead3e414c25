"""Turning a request into the exact bytes of one HTTP/1.1 message.

The whole message (request line, headers, body) is built as one ``bytes`` so it leaves
in a single ``transport.write``: one system call, and no half-written request if the
exchange is cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping

from yarl import URL

# Methods whose requests carry a body by definition: they always say how long it is,
# even when it is empty, so no server waits for a body that is not coming.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def host_header(url: URL) -> str:
    """The ``Host`` value: the IDNA/raw host, bracketed if IPv6, ``:port`` if not default."""
    host = url.raw_host or ""
    if ":" in host:
        host = f"[{host}]"
    if url.is_default_port():
        return host
    return f"{host}:{url.port}"


def request_target(url: URL) -> str:
    """The origin-form target: the path and query as the URL spells them."""
    return url.raw_path_qs or "/"


def encode_request(method: str, url: URL, headers: Mapping[str, str], body: bytes) -> bytes:
    """``method url`` with ``headers`` and ``body`` as one HTTP/1.1 message.

    The caller's headers were validated (no CR or LF), but a line break here would let
    a header smuggle a second request, so the finished head is checked once more: it
    must hold exactly one CR and one LF per line. Raises ValueError (a bug, not a
    network failure) if it does not, or if anything is not ASCII.
    """
    lines = [f"{method} {request_target(url)} HTTP/1.1", f"Host: {host_header(url)}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    if body or method in _BODY_METHODS:
        lines.append(f"Content-Length: {len(body)}")
    head = "\r\n".join(lines) + "\r\n\r\n"
    line_breaks = len(lines) + 1
    if head.count("\n") != line_breaks or head.count("\r") != line_breaks:
        raise ValueError("a request line or header holds a CR or LF")
    encoded = head.encode("ascii")
    return encoded + body if body else encoded
