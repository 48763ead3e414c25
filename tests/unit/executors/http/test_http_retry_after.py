"""Reading Retry-After: seconds, HTTP dates, caps and garbage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringback.core.executors.http.retry_after import MAX_RETRY_AFTER, parse_retry_after

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta(0)),
        ("Sun, 01 Mar 2026 08:15:00 GMT", timedelta(minutes=15)),
        ("Sunday, 01-Mar-26 08:00:30 GMT", timedelta(seconds=30)),
        ("Sun, 01 Mar 2026 07:00:00 GMT", timedelta(0)),  # in the past: now
        ("86401", MAX_RETRY_AFTER),
        ("99999999999999999999", MAX_RETRY_AFTER),
        ("Mon, 01 Mar 2027 08:00:00 GMT", MAX_RETRY_AFTER),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("٣", None),  # a digit, but not an ASCII one
    ],
)
def test_retry_after(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_the_cap_can_be_chosen():
    assert parse_retry_after("7200", now=NOW, cap=timedelta(hours=1)) == timedelta(hours=1)
