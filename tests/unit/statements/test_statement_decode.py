"""Decoding: base64 → container (zip / gzip / zlib / raw DEFLATE / plain) → text."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import zipfile
import zlib

import pytest

from ringback.core.errors import InvalidInput
from ringback.domain.statements import (
    DecodeLimits,
    StatementDecodeError,
    decode_statement,
    decode_statement_bytes,
)
from ringback.domain.statements.simulator import build_zip

TEXT = (
    "对账日期|20261123|商户名称|杭州西湖龙井茶业有限公司|\r\n"
    "总笔数|2|总金额|100.88|\r\n"
    "T20261123000001|88.88|00|2026-11-23 09:12:01|\r\n"
    "T20261123000002|12.00|00|2026-11-23 10:30:45|\r\n"
)
# 㐀 (U+3400) exists in GB18030 but not in GBK.
GB18030_ONLY = "商户名称|㐀记茶庄|\r\n"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def test_zip_with_gbk_member_name_and_gbk_text() -> None:
    archive = build_zip([("对账单_20261123.txt", TEXT.encode("gbk"))], name_encoding="gbk")
    # The name really is stored as GBK bytes without the UTF-8 flag.
    assert "对账单".encode("gbk") in archive
    decoded = decode_statement(b64(archive), encoding="gbk")
    assert decoded.name == "对账单_20261123.txt"
    assert decoded.text == TEXT
    assert decoded.encoding == "gbk"
    assert decoded.container == "zip"
    assert decoded.raw_sha256 == hashlib.sha256(archive).hexdigest()


def test_zip_with_utf8_flagged_member_name_from_zipfile() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("对账单_20261123.txt", TEXT.encode("utf-8"))
    decoded = decode_statement(b64(buffer.getvalue()))
    assert decoded.name == "对账单_20261123.txt"
    assert decoded.text == TEXT
    assert decoded.encoding == "utf-8"


def test_zip_with_utf8_flagged_member_name_from_our_writer() -> None:
    archive = build_zip([("明细.txt", TEXT.encode("gbk"))], name_encoding="utf-8")
    assert decode_statement(b64(archive)).name == "明细.txt"


def test_non_gbk_member_name_falls_back_to_cp437() -> None:
    # 0xFF 0xFF is not GBK; the name is kept as zipfile read it (cp437) rather than failing.
    archive = build_zip([("xx.txt", TEXT.encode("gbk"))], name_encoding="gbk")
    archive = archive.replace(b"xx.txt", b"\xff\xff.txt")
    assert decode_statement(b64(archive)).name == "\xa0\xa0.txt"


@pytest.mark.parametrize(
    ("configured", "data", "expected_codec"),
    [
        ("gbk", TEXT.encode("gbk"), "gbk"),
        ("gb18030", GB18030_ONLY.encode("gb18030"), "gb18030"),
        ("utf-8", TEXT.encode("utf-8"), "utf-8"),
        ("utf-8", TEXT.encode("utf-8-sig"), "utf-8-sig"),
        ("auto", TEXT.encode("utf-8-sig"), "utf-8-sig"),
        ("auto", TEXT.encode("utf-8"), "utf-8"),
        ("auto", TEXT.encode("gbk"), "gb18030"),
        ("auto", GB18030_ONLY.encode("gb18030"), "gb18030"),
    ],
)
def test_each_encoding_and_bom_case(configured: str, data: bytes, expected_codec: str) -> None:
    decoded = decode_statement(b64(build_zip([("a.txt", data)])), encoding=configured)
    assert decoded.encoding == expected_codec
    assert not decoded.text.startswith("\ufeff")
    assert decoded.text == data.decode(expected_codec)


def test_gb18030_only_character_is_refused_as_gbk() -> None:
    payload = b64(build_zip([("a.txt", GB18030_ONLY.encode("gb18030"))]))
    with pytest.raises(StatementDecodeError, match="not valid gbk"):
        decode_statement(payload, encoding="gbk")


def test_bad_byte_names_the_line() -> None:
    data = TEXT.encode("gbk").replace(b"12.00", b"12\xff00")
    with pytest.raises(StatementDecodeError, match=r"line 4") as caught:
        decode_statement_bytes(build_zip([("a.txt", data)]), encoding="gbk")
    assert caught.value.field == "file"
    assert isinstance(caught.value, InvalidInput)


def test_bom_on_a_file_configured_as_gbk_is_refused() -> None:
    payload = b64(build_zip([("a.txt", TEXT.encode("utf-8-sig"))]))
    with pytest.raises(StatementDecodeError, match="byte-order mark"):
        decode_statement(payload, encoding="gbk")


def test_unknown_encoding_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_statement(b64(TEXT.encode("gbk")), encoding="latin-1")
    assert caught.value.field == "encoding"


@pytest.mark.parametrize(
    ("pack", "container"),
    [
        (raw_deflate, "deflate"),
        (lambda data: zlib.compress(data, 9), "zlib"),
        (lambda data: gzip.compress(data, mtime=0), "gzip"),
        (lambda data: data, "plain"),
    ],
)
def test_bare_streams_and_plain_text(pack: object, container: str) -> None:
    assert callable(pack)
    raw = pack(TEXT.encode("gbk"))
    decoded = decode_statement(b64(raw))
    assert decoded.container == container
    assert decoded.text == TEXT
    assert decoded.name == ""
    assert decoded.raw_sha256 == hashlib.sha256(raw).hexdigest()


def test_concatenated_gzip_members_are_one_file() -> None:
    halves = TEXT.encode("gbk")[:40], TEXT.encode("gbk")[40:]
    raw = gzip.compress(halves[0], mtime=0) + gzip.compress(halves[1], mtime=0)
    assert decode_statement(b64(raw)).text == TEXT


def test_text_that_starts_like_a_zlib_header_is_still_text() -> None:
    # "x^" is a valid zlib header (0x78 0x5E); the rest is not a zlib stream.
    text = "x^|T1|88.88|\n"
    decoded = decode_statement(b64(text.encode()))
    assert (decoded.container, decoded.text) == ("plain", text)


@pytest.mark.parametrize(
    "raw",
    [
        raw_deflate(TEXT.encode("gbk"))[:-6],  # truncated DEFLATE
        zlib.compress(TEXT.encode("gbk"))[:-3] + b"\x00\x01\x02",  # bad zlib checksum
        gzip.compress(TEXT.encode("gbk"))[:-8] + b"\x00" * 8,  # bad gzip CRC
        bytes(range(256)),  # binary noise
    ],
    ids=["truncated-deflate", "bad-zlib-checksum", "bad-gzip-crc", "noise"],
)
def test_broken_bare_streams_fail(raw: bytes) -> None:
    with pytest.raises(StatementDecodeError):
        decode_statement(b64(raw))


def test_base64_with_line_breaks_is_accepted() -> None:
    archive = build_zip([("a.txt", TEXT.encode("gbk"))])
    wrapped = "\r\n".join(b64(archive)[i : i + 76] for i in range(0, len(b64(archive)), 76))
    assert decode_statement(wrapped).text == TEXT


def test_urlsafe_base64_is_accepted() -> None:
    raw = bytes([0xFB, 0xFF]) + TEXT.encode("gbk")  # not text: makes '-' and '_' likely
    archive = build_zip([("a.txt", TEXT.encode("gbk")), ("pad.bin", raw)])
    urlsafe = base64.urlsafe_b64encode(archive).decode("ascii")
    decoded = decode_statement(urlsafe, member="*.txt")
    assert decoded.text == TEXT


@pytest.mark.parametrize("payload", ["not base64 at all!", "QUJ", "QQ", "", "Q@JD"])
def test_bad_base64(payload: str) -> None:
    with pytest.raises(StatementDecodeError):
        decode_statement(payload)


def test_several_members_need_a_pattern() -> None:
    archive = build_zip(
        [("汇总_20261123.txt", b"summary"), ("明细_20261123.txt", TEXT.encode("gbk"))]
    )
    with pytest.raises(StatementDecodeError, match="holds 2 files"):
        decode_statement(b64(archive))
    decoded = decode_statement(b64(archive), member="明细_*.txt")
    assert decoded.name == "明细_20261123.txt"
    assert decoded.text == TEXT
    with pytest.raises(StatementDecodeError, match="no file matching"):
        decode_statement(b64(archive), member="*.csv")


def test_directory_entries_are_not_candidates() -> None:
    archive = build_zip([("2026/", b""), ("2026/对账单.txt", TEXT.encode("gbk"))])
    assert decode_statement(b64(archive)).name == "2026/对账单.txt"


def test_limits_validate_their_fields() -> None:
    with pytest.raises(InvalidInput) as caught:
        DecodeLimits.from_config({"max_ratio": 0})
    assert caught.value.field == "limits.max_ratio"
    with pytest.raises(InvalidInput) as caught:
        DecodeLimits.from_config({"max_members": "16"})
    assert caught.value.field == "limits.max_members"
    with pytest.raises(InvalidInput) as caught:
        DecodeLimits.from_config({"max_files": 3})
    assert caught.value.field == "limits.max_files"
    assert DecodeLimits.from_config({"max_members": 4}) == DecodeLimits(max_members=4)
