from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ringback.core.errors import InvalidInput
from ringback.domain.payments.channels.base import ChannelRejected
from ringback.domain.payments.timestamps import (
    format_alipay_time,
    format_rfc3339,
    parse_alipay_time,
    parse_rfc3339,
)


def test_alipay_times_are_beijing_time() -> None:
    assert parse_alipay_time("2026-01-01 07:59:59") == datetime(
        2025, 12, 31, 23, 59, 59, tzinfo=UTC
    )
    moment = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
    assert format_alipay_time(moment) == "2026-07-01 00:00:00"
    assert parse_alipay_time(format_alipay_time(moment)) == moment


def test_rfc3339_needs_an_offset() -> None:
    assert parse_rfc3339("2018-06-08T10:34:56+08:00") == datetime(2018, 6, 8, 2, 34, 56, tzinfo=UTC)
    assert parse_rfc3339("2018-06-08T02:34:56.5Z").microsecond == 500000
    for bad in ("2018-06-08T10:34:56", "2018-06-08 10:34:56+08:00", "2018-02-30T00:00:00Z", ""):
        with pytest.raises(ValueError):
            parse_rfc3339(bad)
    for bad in ("2026/01/01 00:00:00", "2026-13-01 00:00:00"):
        with pytest.raises(ValueError):
            parse_alipay_time(bad)


def test_format_rfc3339_is_utc_whole_seconds() -> None:
    plus8 = timezone(timedelta(hours=8))
    assert (
        format_rfc3339(datetime(2026, 1, 1, 8, 0, 0, 999, tzinfo=plus8)) == "2026-01-01T00:00:00Z"
    )
    with pytest.raises(ValueError):
        format_rfc3339(datetime(2026, 1, 1))


def test_channel_rejections_are_invalid_input() -> None:
    rejected = ChannelRejected("bad_signature", "the signature does not match", field="sign")
    assert isinstance(rejected, InvalidInput)
    assert rejected.as_dict() == {
        "code": "invalid_input",
        "message": "the signature does not match",
        "field": "sign",
        "reason_code": "bad_signature",
    }
