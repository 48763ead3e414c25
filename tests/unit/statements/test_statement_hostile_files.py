"""Hostile and damaged files: bombs, lies in headers, truncation, bad CRC, too many members.

Every case must end in StatementDecodeError and return nothing.
"""

from __future__ import annotations

import base64
import gzip
import struct
import zlib

import pytest

from ringback.domain.statements import DecodeLimits, StatementDecodeError, decode_statement
from ringback.domain.statements.simulator import build_zip

MIB = 1024 * 1024
TEXT = "对账日期|20261123|\r\n总笔数|1|总金额|88.88|\r\nT1|88.88|00|2026-11-23 09:12:01|\r\n"

# Offsets inside the fixed part of a zip's headers (see the PKWARE APPNOTE, 4.3.7 / 4.3.12).
LOCAL_UNCOMPRESSED = 22
CENTRAL_UNCOMPRESSED = 24


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def deflate_zeros(size: int) -> bytes:
    """A raw DEFLATE stream of ``size`` zero bytes, made in 1 MiB steps."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(MIB)
    parts = [compressor.compress(block) for _ in range(size // MIB)]
    return b"".join(parts) + compressor.flush()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A real zip whose one member inflates 64 MiB of zeros from about 64 KiB (1000:1)."""
    packed = deflate_zeros(64 * MIB)
    crc = 0
    block = bytes(MIB)
    for _ in range(64):
        crc = zlib.crc32(block, crc)
    name = "对账单_20261123.txt".encode("gbk")
    local = struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04",
        20,
        0,
        8,
        0,
        0x5B21,
        crc,
        len(packed),
        64 * MIB,
        len(name),
        0,
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0x5B21,
        crc,
        len(packed),
        64 * MIB,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + name + packed
    directory = central + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def test_zip_bomb_over_the_ratio_is_refused(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < 200 * 1024
    with pytest.raises(StatementDecodeError, match=r"ratio exceeds 200:1"):
        decode_statement(b64(zip_bomb))


def test_zip_bomb_over_the_size_limit_is_refused_by_its_header(zip_bomb: bytes) -> None:
    limits = DecodeLimits(max_uncompressed_bytes=8 * MIB, max_ratio=100_000)
    with pytest.raises(StatementDecodeError, match=r"declares 67108864 .* limit of 8388608"):
        decode_statement(b64(zip_bomb), limits=limits)


def test_stream_over_the_size_limit_is_stopped_while_inflating() -> None:
    """gzip declares no size up front: the limit is met by counting the output."""
    bomb = gzip.compress(bytes(16 * MIB), compresslevel=9, mtime=0)
    limits = DecodeLimits(max_uncompressed_bytes=8 * MIB, max_ratio=100_000)
    with pytest.raises(StatementDecodeError, match=r"inflates past the limit of 8388608"):
        decode_statement(b64(bomb), limits=limits)


@pytest.mark.parametrize("claimed", [1024, 8 * MIB])
def test_size_is_counted_not_read_from_the_header(zip_bomb: bytes, claimed: int) -> None:
    """The headers understate the member; the real 64 MiB is still never returned."""
    lying = bytearray(zip_bomb)
    central_at = zip_bomb.rindex(b"PK\x01\x02")
    struct.pack_into("<I", lying, LOCAL_UNCOMPRESSED, claimed)
    struct.pack_into("<I", lying, central_at + CENTRAL_UNCOMPRESSED, claimed)
    limits = DecodeLimits(max_uncompressed_bytes=8 * MIB, max_ratio=100_000)
    with pytest.raises(StatementDecodeError, match=r"(?i)crc|limit"):
        decode_statement(b64(bytes(lying)), limits=limits)


def test_header_admitting_an_oversized_member_is_refused_early() -> None:
    archive = bytearray(build_zip([("a.txt", TEXT.encode("gbk"))]))
    central_at = archive.rindex(b"PK\x01\x02")
    struct.pack_into("<I", archive, central_at + CENTRAL_UNCOMPRESSED, 600 * MIB)
    with pytest.raises(StatementDecodeError, match="declares 629145600 uncompressed bytes"):
        decode_statement(b64(bytes(archive)))


def test_gzip_and_raw_deflate_bombs_are_refused() -> None:
    packed = deflate_zeros(16 * MIB)
    gzip_bomb = gzip.compress(bytes(16 * MIB), compresslevel=9, mtime=0)
    for bomb in (packed, gzip_bomb):
        with pytest.raises(StatementDecodeError, match="ratio exceeds"):
            decode_statement(b64(bomb))


def test_payload_over_the_compressed_limit_is_refused_before_decoding() -> None:
    archive = build_zip([("a.txt", TEXT.encode("gbk"))])
    with pytest.raises(StatementDecodeError, match="over the limit of 64 bytes"):
        decode_statement(b64(archive), limits=DecodeLimits(max_compressed_bytes=64))


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9, -1, -22])
def test_truncated_zip(keep: float) -> None:
    archive = build_zip([("对账单.txt", (TEXT * 50).encode("gbk"))])
    cut = archive[: int(len(archive) * keep)] if keep > 0 else archive[: int(keep)]
    with pytest.raises(StatementDecodeError, match="zip"):
        decode_statement(b64(cut))


def test_bad_crc_is_refused() -> None:
    archive = bytearray(build_zip([("对账单.txt", TEXT.encode("gbk"))], compress=False))
    # Flip one byte of the stored data: its CRC no longer matches the headers.
    data_at = archive.index(b"T1|88.88")
    archive[data_at] ^= 0x01
    with pytest.raises(StatementDecodeError, match=r"(?i)crc"):
        decode_statement(b64(bytes(archive)))


def test_corrupt_deflate_data_in_a_zip_is_refused() -> None:
    archive = bytearray(build_zip([("对账单.txt", (TEXT * 20).encode("gbk"))]))
    name_end = archive.index(b".txt") + 4
    archive[name_end : name_end + 8] = b"\xff" * 8
    with pytest.raises(StatementDecodeError, match="zip"):
        decode_statement(b64(bytes(archive)))


def test_too_many_members() -> None:
    members = [(f"{n:02d}.txt", b"x") for n in range(17)]
    with pytest.raises(StatementDecodeError, match="17 members, more than the limit of 16"):
        decode_statement(b64(build_zip(members)), member="00.txt")
    # Exactly at the limit is fine.
    decoded = decode_statement(b64(build_zip(members[:16])), member="00.txt")
    assert decoded.text == "x"


def test_central_directory_holding_more_entries_than_its_record_says() -> None:
    """The end record claims 1 entry, the directory holds 20: walked and refused."""
    archive = bytearray(build_zip([(f"{n:02d}.txt", b"x") for n in range(20)]))
    end_at = archive.rindex(b"PK\x05\x06")
    struct.pack_into("<HH", archive, end_at + 8, 1, 1)
    with pytest.raises(StatementDecodeError, match="more than the limit of 16 members"):
        decode_statement(b64(bytes(archive)))


def test_encrypted_member_is_refused() -> None:
    archive = bytearray(build_zip([("a.txt", TEXT.encode("gbk"))]))
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = archive.index(signature)
        archive[at + flag_at] |= 0x01
    with pytest.raises(StatementDecodeError, match="encrypted"):
        decode_statement(b64(bytes(archive)))


def test_empty_zip_and_empty_payload() -> None:
    with pytest.raises(StatementDecodeError, match="no file"):
        decode_statement(b64(build_zip([])))
    with pytest.raises(StatementDecodeError, match="empty"):
        decode_statement(b64(b""))
