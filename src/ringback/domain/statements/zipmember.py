"""Read one member of a zip archive under the decode limits.

The central directory is walked by hand before ``zipfile`` sees it: ``zipfile`` builds an
object per entry up front, so an archive with a million tiny entries would cost memory
before any member limit could apply. Member data is then inflated through ``zipfile`` in
bounded reads, counted against the limits as it comes out; ``zipfile`` checks the CRC.
"""

from __future__ import annotations

import fnmatch
import io
import lzma
import struct
import zipfile
import zlib
from dataclasses import dataclass

from .errors import StatementDecodeError
from .limits import CHUNK_BYTES, DecodeLimits, OutputBudget

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_BYTES = 22
_MAX_COMMENT_BYTES = 0xFFFF
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_CENTRAL_FIXED_BYTES = 46
_UTF8_NAME_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1

# What a damaged or hostile archive can raise from inside zipfile and the decompressors.
_ZIP_FAILURES = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
    struct.error,
)


@dataclass(frozen=True, slots=True)
class ZipMember:
    name: str
    data: bytes


def is_zip(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC) or raw.startswith(EMPTY_ZIP_MAGIC)


def read_zip_member(
    raw: bytes, limits: DecodeLimits, *, member_pattern: str | None = None
) -> ZipMember:
    """Inflate the single statement member of ``raw`` (or the one matching the pattern)."""
    _check_central_directory(raw, limits.max_members)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            info = _choose_member(archive, member_pattern)
            name = member_name(info)
            if info.flag_bits & _ENCRYPTED_FLAG:
                raise StatementDecodeError(f"zip member {name!r} is encrypted")
            budget = OutputBudget(limits, len(raw))
            budget.check_declared(info.file_size)
            data = _inflate_member(archive, info, budget)
    except StatementDecodeError:
        raise
    except _ZIP_FAILURES as exc:
        raise StatementDecodeError(f"corrupt or truncated zip: {exc}") from exc
    return ZipMember(name=name, data=data)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: UTF-8 when flag bit 11 says so, else GBK (cp437 if not GBK).

    Without the flag ``zipfile`` decodes names as cp437, which maps every byte, so encoding
    back to cp437 recovers the bytes exactly for a second try as GBK.
    """
    if info.flag_bits & _UTF8_NAME_FLAG:
        return info.filename
    raw_name = info.filename.encode("cp437")
    try:
        return raw_name.decode("gbk")
    except UnicodeDecodeError:
        return info.filename


def _check_central_directory(raw: bytes, max_members: int) -> None:
    eocd_at = raw.rfind(_EOCD_SIGNATURE, max(0, len(raw) - _EOCD_BYTES - _MAX_COMMENT_BYTES))
    if eocd_at < 0 or len(raw) - eocd_at < _EOCD_BYTES:
        raise StatementDecodeError("truncated or corrupt zip: no end-of-central-directory record")
    disk, cd_disk, _, total, cd_size, cd_offset, _ = struct.unpack_from(
        "<HHHHIIH", raw, eocd_at + 4
    )
    if total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        raise StatementDecodeError("zip64 archives are not accepted for statements")
    if disk != 0 or cd_disk != 0:
        raise StatementDecodeError("multi-volume zip archives are not accepted")
    if total > max_members:
        raise StatementDecodeError(f"zip has {total} members, more than the limit of {max_members}")
    position = eocd_at - cd_size
    if position < 0:
        raise StatementDecodeError("truncated or corrupt zip: central directory out of range")
    count = 0
    while position < eocd_at:
        if raw[position : position + 4] != _CENTRAL_SIGNATURE:
            raise StatementDecodeError("corrupt zip: bad central directory entry")
        count += 1
        if count > max_members:
            raise StatementDecodeError(f"zip has more than the limit of {max_members} members")
        if position + _CENTRAL_FIXED_BYTES > eocd_at:
            raise StatementDecodeError("corrupt zip: central directory entry cut short")
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", raw, position + 28)
        position += _CENTRAL_FIXED_BYTES + name_len + extra_len + comment_len
    if position != eocd_at or count != total:
        raise StatementDecodeError("corrupt zip: central directory does not match its record")


def _choose_member(archive: zipfile.ZipFile, pattern: str | None) -> zipfile.ZipInfo:
    files = [info for info in archive.infolist() if not info.is_dir()]
    if pattern is not None:
        files = [info for info in files if fnmatch.fnmatchcase(member_name(info), pattern)]
    if len(files) == 1:
        return files[0]
    names = ", ".join(repr(member_name(info)) for info in files[:5])
    if not files:
        wanted = f" matching {pattern!r}" if pattern is not None else ""
        raise StatementDecodeError(f"zip holds no file{wanted}")
    raise StatementDecodeError(
        f"zip holds {len(files)} files ({names}); configure which member is the statement"
    )


def _inflate_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: OutputBudget) -> bytes:
    out = bytearray()
    with archive.open(info) as stream:
        while True:
            # Each read inflates at most this much, so a bomb costs one chunk, not its size.
            chunk = stream.read(min(CHUNK_BYTES, budget.room()))
            if not chunk:
                break
            budget.take(len(chunk))
            out += chunk
    return bytes(out)
