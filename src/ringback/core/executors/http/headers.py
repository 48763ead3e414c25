"""Which request headers a job may set, and how they are checked.

A job's headers are sent as given, except those ringback owns: the ``webhook-*``
signature headers (a job must not forge or override its own signature), ``Host`` (it
must match the vetted name), and the framing headers (``Content-Length``,
``Transfer-Encoding``, and the hop-by-hop ones) whose wrong values would corrupt the
request or smuggle a second one.
"""

from __future__ import annotations

import re

from ringback.core.errors import InvalidInput

MAX_HEADERS = 50
MAX_HEADER_VALUE_CHARS = 8192
SIGNATURE_HEADER_PREFIX = "webhook-"
RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "proxy-connection",
    }
)

# RFC 9110 §5.6.2: a field name is a token.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Visible ASCII, space and tab only: no CR/LF (header injection), no other controls.
_VALUE = re.compile(r"^[\t\x20-\x7e]*$")

Headers = tuple[tuple[str, str], ...]


def _check_name(name: str, field: str) -> None:
    if not _TOKEN.match(name):
        raise InvalidInput(
            f"{name!r} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)",
            field=field,
        )
    lowered = name.lower()
    if lowered.startswith(SIGNATURE_HEADER_PREFIX):
        raise InvalidInput(
            f"{name!r}: webhook-* headers are set by ringback when it signs the call",
            field=field,
        )
    if lowered in RESERVED_HEADERS:
        raise InvalidInput(f"{name!r} is set by ringback and cannot be overridden", field=field)


def _check_value(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput("a header value must be a string", field=field)
    if len(value) > MAX_HEADER_VALUE_CHARS:
        raise InvalidInput(
            f"a header value may hold at most {MAX_HEADER_VALUE_CHARS} characters", field=field
        )
    if not _VALUE.match(value):
        raise InvalidInput(
            "a header value may hold only printable ASCII (no line breaks)", field=field
        )
    return value.strip(" \t")


def parse_headers(raw: object, field: str = "payload.headers") -> Headers:
    """The job's own headers as ordered pairs. Raises InvalidInput naming the header."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise InvalidInput("must be an object of header names to strings", field=field)
    if len(raw) > MAX_HEADERS:
        raise InvalidInput(f"at most {MAX_HEADERS} headers", field=field)
    seen: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for name, value in raw.items():
        if not isinstance(name, str):
            raise InvalidInput("header names must be strings", field=field)
        at = f"{field}.{name}"
        _check_name(name, at)
        if name.lower() in seen:
            raise InvalidInput(f"{name!r} is given twice (names ignore case)", field=at)
        seen.add(name.lower())
        pairs.append((name, _check_value(value, at)))
    return tuple(pairs)


def header_value(headers: Headers, name: str) -> str | None:
    """The value of ``name`` (case-insensitive), or None."""
    lowered = name.lower()
    for key, value in headers:
        if key.lower() == lowered:
            return value
    return None
