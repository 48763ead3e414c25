"""Checks on what callers hand ``write``, ``list_records`` and the blob methods.

Both stores run these before any SQL, so bad input is refused the same way
everywhere (``InvalidInput`` naming the field) and changes nothing. The limits are
the stricter store's: PostgreSQL ``text`` and ``jsonb`` cannot hold the NUL
character and ``jsonb`` has no NaN or Infinity, so neither store accepts them and a
deployment can move between the two without surprises. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ringback.core.errors import InvalidInput
from ringback.core.store.contract import RecordWrite, WriteMode

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True, slots=True)
class CheckedWrite:
    """One ``RecordWrite`` after checking, with its data serialised once."""

    mode: WriteMode
    namespace: str
    key: str
    group: str
    ref_time: datetime
    data_json: str
    expect_version: int | None


@dataclass(frozen=True, slots=True)
class RecordQuery:
    """The checked arguments of ``list_records`` / ``count_records``."""

    namespace: str
    group: str | None
    ref_from: datetime | None
    ref_to: datetime | None
    before: tuple[datetime, str] | None = None


@dataclass(frozen=True, slots=True)
class Blob:
    sha256: str
    data: bytes


def check_time(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a datetime", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} must be timezone-aware (UTC)", field=field)
    return value


def check_name(value: object, field: str, *, allow_empty: bool = False) -> str:
    """A namespace, key or group: a string without NUL (non-empty unless allowed)."""
    if not isinstance(value, str) or (not value and not allow_empty):
        raise InvalidInput(f"{field} must be a non-empty string", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} must not contain the NUL character", field=field)
    return value


def check_record_writes(writes: object) -> list[CheckedWrite]:
    if isinstance(writes, str | bytes) or not isinstance(writes, Sequence):
        raise InvalidInput("records must be a sequence of RecordWrite", field="records")
    return [check_record_write(write) for write in writes]


def check_record_write(write: object) -> CheckedWrite:
    if not isinstance(write, RecordWrite):
        raise InvalidInput("records must be RecordWrite values", field="records")
    try:
        mode = WriteMode(write.mode)
    except ValueError:
        raise InvalidInput(f"unknown write mode {write.mode!r}", field="mode") from None
    record = write.record
    expect_version = write.expect_version
    if mode is WriteMode.REPLACE:
        if isinstance(expect_version, bool) or not isinstance(expect_version, int):
            raise InvalidInput("REPLACE needs the version it read", field="expect_version")
        if expect_version < 1:
            raise InvalidInput("expect_version must be 1 or more", field="expect_version")
    elif expect_version is not None:
        # A version the store would silently ignore is a caller's mistake worth hearing of.
        raise InvalidInput("expect_version is only for REPLACE", field="expect_version")
    return CheckedWrite(
        mode=mode,
        namespace=check_name(record.namespace, "namespace"),
        key=check_name(record.key, "key"),
        group=check_name(record.group, "group", allow_empty=True),
        ref_time=check_time(record.ref_time, "ref_time"),
        data_json=data_json(record.data),
        expect_version=expect_version,
    )


def data_json(value: object) -> str:
    """The compact JSON text of a record's data (a JSON object)."""
    if not isinstance(value, dict):
        raise InvalidInput("data must be a JSON object", field="data")
    try:
        text = _ENCODER.encode(value)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"data is not valid JSON: {error}", field="data") from None
    # The encoder writes NUL as \u0000; the walk tells it from a literal backslash-u.
    if "\\u0000" in text and _holds_nul(value):
        raise InvalidInput("data must not contain the NUL character", field="data")
    return text


def check_query(
    namespace: object,
    group: object,
    ref_from: object,
    ref_to: object,
    before: object = None,
) -> RecordQuery:
    return RecordQuery(
        namespace=check_name(namespace, "namespace"),
        group=None if group is None else check_name(group, "group", allow_empty=True),
        ref_from=None if ref_from is None else check_time(ref_from, "ref_from"),
        ref_to=None if ref_to is None else check_time(ref_to, "ref_to"),
        before=None if before is None else _check_cursor(before),
    )


def _check_cursor(before: object) -> tuple[datetime, str]:
    if not isinstance(before, tuple) or len(before) != 2:
        raise InvalidInput("before must be a (ref_time, key) pair", field="before")
    ref_time, key = before
    return check_time(ref_time, "before"), check_name(key, "before", allow_empty=True)


def check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput("limit must be a positive integer", field="limit")
    return limit


def check_blob(data: object) -> Blob:
    """Bytes-like data and its SHA-256; a str is refused (its encoding would be a guess)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("data must be bytes", field="data")
    content = bytes(data)
    return Blob(sha256=hashlib.sha256(content).hexdigest(), data=content)


def check_sha256(value: object) -> str:
    """A SHA-256 as 64 hex digits; upper case is accepted and stored names are lower case."""
    if not isinstance(value, str) or not _SHA256_HEX.fullmatch(value.lower()):
        raise InvalidInput("sha256 must be 64 hexadecimal digits", field="sha256")
    return value.lower()


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False
