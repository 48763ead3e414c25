"""Turn statement bytes into text in the configured encoding, strictly.

Chinese banks send GBK or GB18030, newer channels UTF-8, sometimes with a byte-order mark.
Decoding is strict: a byte that does not belong to the encoding is an error naming its
line, never a silent replacement character in an amount or an order number.
"""

from __future__ import annotations

import codecs

from ringback.core.errors import InvalidInput

from .errors import StatementDecodeError

ENCODINGS = ("auto", "gbk", "gb18030", "utf-8")


def check_encoding(encoding: str) -> str:
    """The canonical spelling of a configured encoding, or InvalidInput naming the field."""
    canonical = encoding.strip().lower().replace("_", "-")
    if canonical in ("utf8", "utf-8-sig"):
        canonical = "utf-8"
    if canonical not in ENCODINGS:
        raise InvalidInput(
            f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}", field="encoding"
        )
    return canonical


def decode_text(data: bytes, encoding: str) -> tuple[str, str]:
    """Return ``(text, codec used)``; ``encoding`` is one of ``ENCODINGS``."""
    encoding = check_encoding(encoding)
    has_bom = data.startswith(codecs.BOM_UTF8)
    if encoding == "auto":
        if has_bom:
            return _strict(data, "utf-8-sig"), "utf-8-sig"
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            # GB18030 is a superset of GBK, so one attempt covers both.
            return _strict(data, "gb18030"), "gb18030"
    if encoding == "utf-8":
        codec = "utf-8-sig" if has_bom else "utf-8"
        return _strict(data, codec), codec
    if has_bom:
        raise StatementDecodeError(
            f"configured as {encoding} but the file starts with a UTF-8 byte-order mark"
        )
    return _strict(data, encoding), encoding


def _strict(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line_no = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 4].hex(" ")
        raise StatementDecodeError(
            f"not valid {codec}: bytes {bad} at offset {exc.start} (line {line_no})"
        ) from exc
