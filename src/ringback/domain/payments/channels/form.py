"""Decoding ``application/x-www-form-urlencoded`` bodies in the charset they declare.

Alipay percent-encodes its notifications in the charset named by the ``charset``
parameter inside the body itself (``utf-8`` by default, ``gbk`` for older apps).
Python's ``parse_qsl`` decodes as it splits, before that parameter can be read, so
this module splits and unescapes to bytes first and decodes afterwards, strictly.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote_plus, unquote_to_bytes

from ringback.domain.payments.channels.base import ChannelRejected

MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 200

# Charset names channels use → the Python codec that decodes them. GB2312 text is
# decoded as GBK, its superset, so nothing a GB2312 sender writes is refused.
_CODECS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "gbk": "gbk",
    "gb2312": "gbk",
    "gb18030": "gb18030",
}


def codec_for(charset: str) -> str:
    """The Python codec for a channel's charset name; ChannelRejected if unsupported."""
    codec = _CODECS.get(charset.strip().lower())
    if codec is None:
        raise ChannelRejected(
            "bad_charset", f"unsupported charset {charset[:20]!r}", field="charset"
        )
    return codec


def content_type_charset(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"')
    return None


def _unescape(text: bytes) -> bytes:
    return unquote_to_bytes(text.replace(b"+", b" "))


def _split(body: bytes) -> list[tuple[bytes, bytes]]:
    if len(body) > MAX_FORM_BYTES:
        raise ChannelRejected("body_too_large", f"body exceeds {MAX_FORM_BYTES} bytes")
    if not body.strip():
        raise ChannelRejected("malformed_body", "body is empty")
    segments = body.split(b"&")
    if len(segments) > MAX_FORM_FIELDS:
        raise ChannelRejected("malformed_body", f"more than {MAX_FORM_FIELDS} fields")
    pairs: list[tuple[bytes, bytes]] = []
    for segment in segments:
        name, equals, value = segment.partition(b"=")
        if not equals or not name:
            raise ChannelRejected("malformed_body", "body is not key=value pairs joined by &")
        pairs.append((_unescape(name), _unescape(value)))
    return pairs


def decode_form(body: bytes, *, content_type: str | None = None) -> tuple[dict[str, str], str]:
    """Split, unescape and decode a form body → (fields, codec).

    The charset comes from the body's own ``charset`` field, else the Content-Type
    header, else UTF-8. Repeated field names are refused: which one was signed would
    be ambiguous.
    """
    pairs = _split(body)
    declared: str | None = None
    for raw_name, raw_value in pairs:
        if raw_name == b"charset":
            declared = raw_value.decode("ascii", "replace")
    codec = codec_for(declared or content_type_charset(content_type) or "utf-8")
    fields: dict[str, str] = {}
    for raw_name, raw_value in pairs:
        try:
            name = raw_name.decode(codec)
            value = raw_value.decode(codec)
        except UnicodeDecodeError:
            raise ChannelRejected("bad_encoding", f"body is not valid {codec} text") from None
        if name in fields:
            raise ChannelRejected(
                "duplicate_field", f"field {name[:40]!r} appears twice", field=name[:40]
            )
        fields[name] = value
    return fields, codec


def encode_form(fields: Mapping[str, str], *, charset: str = "utf-8") -> bytes:
    """Fields → a percent-encoded form body in ``charset`` (for simulators and merchants)."""
    codec = codec_for(charset)
    return "&".join(
        f"{quote_plus(name, encoding=codec)}={quote_plus(value, encoding=codec)}"
        for name, value in fields.items()
    ).encode("ascii")
