from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringback.core.durations import format_duration, parse_duration
from ringback.core.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("2m", timedelta(minutes=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d", timedelta(days=1)),
        ("1d2h", timedelta(days=1, hours=2)),
        ("500ms", timedelta(milliseconds=500)),
        ("1m30s500ms", timedelta(minutes=1, seconds=30, milliseconds=500)),
        ("250us", timedelta(microseconds=250)),
        ("0s", timedelta(0)),
        (" 15s ", timedelta(seconds=15)),
        ("PT30M", timedelta(minutes=30)),
        ("P1D", timedelta(days=1)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT0,25S", timedelta(milliseconds=250)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(days=14)),
        ("pt5m", timedelta(minutes=5)),
        ("PT0S", timedelta(0)),
    ],
)
def test_parses_compact_and_iso_forms(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty duration"),
        ("   ", "empty duration"),
        ("30", "has no unit"),
        ("1.5", "has no unit"),
        ("-5m", "negative"),
        ("-PT5M", "negative"),
        ("5x", "cannot read duration '5x'"),
        ("1.5h", "cannot read duration '1.5h'"),
        ("30m1h", "from largest to smallest"),
        ("1h1h", "cannot read duration"),
        ("h", "cannot read duration"),
        ("1H", "cannot read duration"),
        ("P", "cannot read ISO 8601 duration"),
        ("PT", "cannot read ISO 8601 duration"),
        ("P1DT", "cannot read ISO 8601 duration"),
        ("PT1.5H", "cannot read ISO 8601 duration"),
        ("PT0.1234567S", "cannot read ISO 8601 duration"),
        ("P1M", "years or months"),
        ("P1Y2D", "years or months"),
        ("99999999999999d", "too large"),
    ],
)
def test_refuses_bad_text_quoting_it_and_naming_the_field(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_duration(text, field="policy.interval")
    assert fragment in caught.value.message
    assert caught.value.field == "policy.interval"


def test_error_messages_show_an_example() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_duration("soon")
    assert "'soon'" in caught.value.message
    assert "1h30m" in caught.value.message
    assert caught.value.field is None


@pytest.mark.parametrize("value", [30, 1.5, None, ["1s"]])
def test_refuses_values_that_are_not_strings(value: object) -> None:
    with pytest.raises(InvalidInput, match="expected a duration string"):
        parse_duration(value, field="x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=15), "15s"),
        (timedelta(minutes=2), "2m"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(hours=26), "1d2h"),
        (timedelta(milliseconds=1500), "1s500ms"),
        (timedelta(microseconds=1), "1us"),
    ],
)
def test_formats_compactly(duration: timedelta, text: str) -> None:
    assert format_duration(duration) == text


def test_format_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_duration(timedelta(seconds=-1))


@given(st.timedeltas(min_value=timedelta(0)))
def test_format_then_parse_round_trips(duration: timedelta) -> None:
    assert parse_duration(format_duration(duration)) == duration


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10_000)))
def test_iso_form_of_any_duration_parses_to_it(duration: timedelta) -> None:
    seconds = duration.seconds % 60
    iso = (
        f"P{duration.days}DT{duration.seconds // 3600}H{duration.seconds // 60 % 60}M"
        f"{seconds}.{duration.microseconds:06d}S"
    )
    assert parse_duration(iso) == duration
