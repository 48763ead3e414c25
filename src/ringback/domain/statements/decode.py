"""From the bank's base64 answer to statement text.

base64 → bytes (their SHA-256 is the file's content address) → zip, gzip, zlib, raw DEFLATE
or plain bytes → text. Every step fails with ``StatementDecodeError`` and returns nothing
partial; the limits in ``DecodeLimits`` are enforced while inflating.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from .errors import StatementDecodeError
from .limits import DecodeLimits
from .streams import (
    inflate_gzip,
    inflate_raw_deflate,
    inflate_zlib,
    is_gzip,
    is_zlib,
    looks_like_text,
)
from .textcodec import check_encoding, decode_text
from .zipmember import is_zip, read_zip_member

_WHITESPACE = re.compile(r"\s+")
_DEFAULT_LIMITS = DecodeLimits()


@dataclass(frozen=True, slots=True)
class DecodedFile:
    name: str  # zip member name; "" when the container carries none
    raw_sha256: str  # hex SHA-256 of the base64-decoded payload: the content address
    text: str
    encoding: str  # the codec used: gbk, gb18030, utf-8 or utf-8-sig
    container: str  # zip, gzip, zlib, deflate or plain


def decode_statement(
    payload: str,
    *,
    encoding: str = "auto",
    limits: DecodeLimits = _DEFAULT_LIMITS,
    member: str | None = None,
) -> DecodedFile:
    """Decode the base64 text of a bank's statement answer.

    ``member`` is an fnmatch pattern picking the statement out of a zip with several files.
    """
    return decode_statement_bytes(
        base64_payload(payload, limits), encoding=encoding, limits=limits, member=member
    )


def decode_statement_bytes(
    raw: bytes,
    *,
    encoding: str = "auto",
    limits: DecodeLimits = _DEFAULT_LIMITS,
    member: str | None = None,
) -> DecodedFile:
    """Decode a statement already in bytes (a downloaded file rather than a base64 answer)."""
    encoding = check_encoding(encoding)
    if len(raw) > limits.max_compressed_bytes:
        raise StatementDecodeError(
            f"payload is {len(raw)} bytes, over the limit of {limits.max_compressed_bytes}"
        )
    if not raw:
        raise StatementDecodeError("the payload is empty")
    name, data, container = _unpack(raw, limits, member)
    text, used = decode_text(data, encoding)
    return DecodedFile(
        name=name,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        text=text,
        encoding=used,
        container=container,
    )


def base64_payload(payload: str, limits: DecodeLimits = _DEFAULT_LIMITS) -> bytes:
    """The bytes of a base64 answer (line breaks and the URL-safe alphabet accepted),
    refused before decoding when they would be over ``limits.max_compressed_bytes``."""
    compact = _WHITESPACE.sub("", payload)
    # Four base64 characters carry three bytes: refuse an oversized answer before decoding it.
    if len(compact) // 4 * 3 > limits.max_compressed_bytes:
        raise StatementDecodeError(
            f"payload is over the limit of {limits.max_compressed_bytes} bytes"
        )
    urlsafe = "-" in compact or "_" in compact
    try:
        if urlsafe:
            return base64.b64decode(compact.replace("-", "+").replace("_", "/"), validate=True)
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise StatementDecodeError(f"not valid base64: {exc}") from exc


def _unpack(raw: bytes, limits: DecodeLimits, member: str | None) -> tuple[str, bytes, str]:
    if is_zip(raw):
        found = read_zip_member(raw, limits, member_pattern=member)
        return found.name, found.data, "zip"
    if is_gzip(raw):
        return "", inflate_gzip(raw, limits), "gzip"
    if is_zlib(raw):
        return _stream_or_text(raw, limits, "zlib")
    return _stream_or_text(raw, limits, "deflate")


def _stream_or_text(raw: bytes, limits: DecodeLimits, kind: str) -> tuple[str, bytes, str]:
    inflate = inflate_zlib if kind == "zlib" else inflate_raw_deflate
    try:
        return "", inflate(raw, limits), kind
    except StatementDecodeError as failure:
        if looks_like_text(raw):
            return "", raw, "plain"
        if kind == "deflate":
            raise StatementDecodeError(
                "payload is neither a zip, gzip, zlib or DEFLATE stream nor text "
                f"(as DEFLATE: {failure.message})"
            ) from failure
        raise
