"""A small zip writer that can store member names in GBK, as Chinese banks' tools do.

``zipfile`` always writes non-ASCII names as UTF-8 with flag bit 11 set, so it cannot
produce the archives the decoder has to cope with. This writes the plain PKWARE layout:
local headers with known sizes, the central directory and its end record.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from datetime import datetime

_UTF8_NAME_FLAG = 0x800
_VERSION = 20  # 2.0: deflate
_STORED = 0
_DEFLATED = 8
_DEFAULT_MODIFIED = datetime(2026, 1, 1, 2, 0, 0)


def build_zip(
    members: Sequence[tuple[str, bytes]],
    *,
    name_encoding: str = "gbk",
    compress: bool = True,
    modified: datetime = _DEFAULT_MODIFIED,
) -> bytes:
    """A zip holding ``members`` (name, data); names in GBK, or UTF-8 with flag bit 11."""
    utf8 = name_encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    flags = _UTF8_NAME_FLAG if utf8 else 0
    method = _DEFLATED if compress else _STORED
    dos_time, dos_date = _dos_stamp(modified)
    body = bytearray()
    directory = bytearray()
    for name, data in members:
        encoded_name = name.encode("utf-8" if utf8 else name_encoding)
        packed = _deflate(data) if compress else data
        crc = zlib.crc32(data)
        offset = len(body)
        body += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            _VERSION,
            flags,
            method,
            dos_time,
            dos_date,
            crc,
            len(packed),
            len(data),
            len(encoded_name),
            0,
        )
        body += encoded_name
        body += packed
        directory += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            _VERSION,
            _VERSION,
            flags,
            method,
            dos_time,
            dos_date,
            crc,
            len(packed),
            len(data),
            len(encoded_name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded_name
    end = struct.pack(
        "<4sHHHHIIH",
        b"PK\x05\x06",
        0,
        0,
        len(members),
        len(members),
        len(directory),
        len(body),
        0,
    )
    return bytes(body + directory + end)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _dos_stamp(when: datetime) -> tuple[int, int]:
    dos_time = when.hour << 11 | when.minute << 5 | when.second // 2
    dos_date = (when.year - 1980) << 9 | when.month << 5 | when.day
    return dos_time, dos_date
