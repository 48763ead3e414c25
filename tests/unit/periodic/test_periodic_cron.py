"""Parsing cron expressions: fields, ranges, steps, lists, names, shorthands, errors."""

from __future__ import annotations

from datetime import date

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.periodic import parse_cron


def test_fields_ranges_steps_and_lists() -> None:
    cron = parse_cron("*/15 9-17/4 1,15 1-3,12 *")
    assert cron.minutes == (0, 15, 30, 45)
    assert cron.hours == (9, 13, 17)
    assert cron.days == (1, 15)
    assert cron.months == (1, 2, 3, 12)
    assert cron.weekdays == tuple(range(7))
    assert cron.weekdays_unrestricted and not cron.days_unrestricted
    assert not cron.hours_unrestricted


def test_a_start_with_a_step_runs_to_the_end_of_the_field() -> None:
    assert parse_cron("5/20 * * * *").minutes == (5, 25, 45)


def test_names_are_case_insensitive_and_sunday_is_0_or_7() -> None:
    cron = parse_cron("0 0 * JAN-mar Fri-sun")
    assert cron.months == (1, 2, 3)
    assert cron.weekdays == (0, 5, 6)
    assert parse_cron("0 0 * * 7").weekdays == (0,)


@pytest.mark.parametrize(
    ("macro", "expanded"),
    [
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@HOURLY", "0 * * * *"),
    ],
)
def test_shorthands(macro: str, expanded: str) -> None:
    a, b = parse_cron(macro), parse_cron(expanded)
    assert (a.minutes, a.hours, a.days, a.months, a.weekdays) == (
        b.minutes,
        b.hours,
        b.days,
        b.months,
        b.weekdays,
    )
    assert a.text == macro.strip()  # shown as written


def test_day_fields_follow_the_vixie_or_rule() -> None:
    both = parse_cron("0 0 1 * mon")  # the 1st of the month OR any Monday
    assert both.day_matches(date(2026, 12, 1))  # a Tuesday, the 1st
    assert both.day_matches(date(2026, 12, 7))  # a Monday
    assert not both.day_matches(date(2026, 12, 8))
    week_only = parse_cron("0 0 * * mon")
    assert not week_only.day_matches(date(2026, 12, 1))
    stepped = parse_cron("0 0 */2 * mon")  # starts with "*": counts as unrestricted, so AND
    assert stepped.day_matches(date(2026, 12, 7))  # a Monday on an odd day
    assert not stepped.day_matches(date(2026, 12, 14))  # a Monday on an even day
    assert not stepped.day_matches(date(2026, 12, 1))  # an odd day, a Tuesday


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "required"),
        ("* * * *", "5 fields"),
        ("* * * * * *", "5 fields"),
        ("60 * * * *", "minute: 60 is outside 0-59"),
        ("* 24 * * *", "hour: 24 is outside 0-23"),
        ("* * 0 * *", "day of month: 0 is outside 1-31"),
        ("* * * 13 *", "month: 13 is outside 1-12"),
        ("* * * * 8", "day of week: 8 is outside 0-7"),
        ("5-1 * * * *", "runs backwards"),
        ("*/0 * * * *", "step '0'"),
        ("*/x * * * *", "step 'x'"),
        ("*/61 * * * *", "longer than the field"),
        ("1,,2 * * * *", "empty item"),
        ("* * L * *", "'L' is not a number"),
        ("* * * * mon#2", "not a number"),
        ("* * * foo *", "'foo' is not a number or a name such as 'jan'"),
        ("@reboot", "unknown shorthand"),
        ("0 0 30 2 *", "never fires"),
        ("0 0 31 4,6,9,11 *", "never fires"),
        ("٣ * * * *", "not a number"),
    ],
)
def test_mistakes_are_named(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_cron(text, field="periodic.x.cron")
    assert fragment in caught.value.message
    assert caught.value.field == "periodic.x.cron"


def test_leap_day_is_possible() -> None:
    assert parse_cron("0 0 29 2 *").days == (29,)
