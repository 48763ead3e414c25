"""Bare compressed streams (gzip, zlib, raw DEFLATE as UnionPay sends them) and plain text.

Gzip announces itself, zlib has a checkable two-byte header, raw DEFLATE has no header at
all: it is recognised by inflating to a clean end with nothing left over. When a stream
attempt fails and the bytes look like text, they are taken as text instead.
"""

from __future__ import annotations

import re
import zlib

from .errors import StatementDecodeError
from .limits import CHUNK_BYTES, DecodeLimits, OutputBudget

GZIP_MAGIC = b"\x1f\x8b\x08"
_GZIP_WBITS = 31
_ZLIB_WBITS = 15
_RAW_WBITS = -15
_ZLIB_DICTIONARY_FLAG = 0x20

# Control bytes that never occur in a statement text (tab, CR, LF and form feed may).
_BINARY_BYTE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def looks_like_text(raw: bytes) -> bool:
    return _BINARY_BYTE.search(raw) is None


def is_gzip(raw: bytes) -> bool:
    return raw.startswith(GZIP_MAGIC)


def is_zlib(raw: bytes) -> bool:
    """RFC 1950 header: method 8, window ≤ 32 KiB, check bits, and no preset dictionary."""
    if len(raw) < 2:
        return False
    cmf, flg = raw[0], raw[1]
    return (
        cmf & 0x0F == 8
        and cmf >> 4 <= 7
        and (cmf << 8 | flg) % 31 == 0
        and not flg & _ZLIB_DICTIONARY_FLAG
    )


def inflate_gzip(raw: bytes, limits: DecodeLimits) -> bytes:
    """Inflate every member of a gzip file (concatenated members are legal gzip)."""
    budget = OutputBudget(limits, len(raw))
    out = bytearray()
    rest = raw
    while True:
        rest = _inflate_one(rest, _GZIP_WBITS, budget, out, kind="gzip")
        if not rest:
            return bytes(out)
        if not is_gzip(rest):
            raise StatementDecodeError(f"{len(rest)} unexpected bytes after the gzip data")


def inflate_zlib(raw: bytes, limits: DecodeLimits) -> bytes:
    out = bytearray()
    rest = _inflate_one(raw, _ZLIB_WBITS, OutputBudget(limits, len(raw)), out, kind="zlib")
    if rest:
        raise StatementDecodeError(f"{len(rest)} unexpected bytes after the zlib data")
    return bytes(out)


def inflate_raw_deflate(raw: bytes, limits: DecodeLimits) -> bytes:
    out = bytearray()
    rest = _inflate_one(raw, _RAW_WBITS, OutputBudget(limits, len(raw)), out, kind="deflate")
    if rest:
        raise StatementDecodeError(f"{len(rest)} unexpected bytes after the deflate data")
    return bytes(out)


def _inflate_one(
    raw: bytes, wbits: int, budget: OutputBudget, out: bytearray, *, kind: str
) -> bytes:
    """Inflate one stream from the start of ``raw`` into ``out``; return what follows it."""
    inflater = zlib.decompressobj(wbits)
    view = memoryview(raw)
    position = 0
    try:
        while not inflater.eof:
            data: bytes | memoryview
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif position < len(raw):
                data = view[position : position + CHUNK_BYTES]
                position += len(data)
            else:
                data = b""
            # max_length bounds this step's output; what it could not emit stays queued.
            chunk = inflater.decompress(data, min(CHUNK_BYTES, budget.room()))
            if not chunk and not data:
                raise StatementDecodeError(f"truncated {kind} stream: it ends before its end")
            budget.take(len(chunk))
            out += chunk
    except zlib.error as exc:
        raise StatementDecodeError(f"corrupt {kind} stream: {exc}") from exc
    return inflater.unused_data + bytes(view[position:])
