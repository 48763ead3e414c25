"""Per-job timeouts as written in payloads: ringback's duration syntax, plus bounds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.executors.http.timeouts import format_timeout, parse_timeout

LIMIT = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5s", timedelta(seconds=5)),
        ("200ms", timedelta(milliseconds=200)),
        ("1s500ms", timedelta(milliseconds=1500)),
        ("2m", timedelta(minutes=2)),
        ("PT0.25S", timedelta(milliseconds=250)),
        ("10m", LIMIT),
    ],
)
def test_timeouts_parse(raw, expected):
    assert parse_timeout(raw, field="payload.timeout", maximum=LIMIT) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "empty"),
        ("5", "no unit"),
        ("5 sec", "cannot read"),
        ("-1s", "negative"),
        ("0s", "at least 1ms"),
        ("500us", "at least 1ms"),
        ("11m", "at most 10m"),
        (30, "duration string"),
        (True, "duration string"),
        (None, "duration string"),
    ],
)
def test_bad_timeouts_name_their_field(raw, words):
    with pytest.raises(InvalidInput) as caught:
        parse_timeout(raw, field="payload.connect_timeout", maximum=LIMIT)
    assert caught.value.field == "payload.connect_timeout"
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=2), "2m"),
        (timedelta(seconds=90), "1m30s"),
        (timedelta(seconds=30), "30s"),
        (timedelta(milliseconds=1500), "1s500ms"),
        (timedelta(milliseconds=200), "200ms"),
    ],
)
def test_format_is_compact_and_parses_back(value, text):
    assert format_timeout(value) == text
    assert parse_timeout(text, field="f", maximum=LIMIT) == value
