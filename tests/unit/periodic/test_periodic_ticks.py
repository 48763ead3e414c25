"""``next_tick`` / ``prev_tick`` against an independent brute-force oracle, in zones
with daylight-saving changes (30-minute ones, midnight ones, a skipped day)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringback.core.periodic import CronExpr, next_tick, parse_cron, prev_tick
from ringback.core.periodic.walls import wall_matches

MINUTE = timedelta(minutes=1)
ZONES = (
    "UTC",
    "Asia/Shanghai",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/Sao_Paulo",  # DST started at midnight until 2019
    "America/Santiago",  # changes at 24:00
    "Pacific/Apia",  # skipped 30 December 2011 entirely
)


@cache
def transitions(name: str) -> tuple[datetime, ...]:
    """Offset changes (to the hour) in the years the tests look at."""
    place = ZoneInfo(name)
    found: list[datetime] = []
    for start, end in ((2010, 2013), (2025, 2028)):
        t = datetime(start, 1, 1, tzinfo=UTC)
        while t.year < end:
            day_later = t + timedelta(days=1)
            if t.astimezone(place).utcoffset() != day_later.astimezone(place).utcoffset():
                hour = t
                while hour.astimezone(place).utcoffset() == t.astimezone(place).utcoffset():
                    hour += timedelta(hours=1)
                found.append(hour)
            t = day_later
    return tuple(found)


def oracle(cron: CronExpr, place: ZoneInfo, start: datetime, end: datetime) -> set[datetime]:
    """Ticks in [start, end), from first principles: scan every minute (with a day of
    margin), count how often each wall time occurs, and find the clock's jumps."""
    occurrences: dict[datetime, list[datetime]] = defaultdict(list)
    jumps: list[tuple[datetime, datetime, datetime]] = []  # (instant, wall before, wall at)
    t = start - timedelta(days=1)
    previous_wall = (t - MINUTE).astimezone(place).replace(tzinfo=None)
    while t < end + timedelta(days=1):
        wall = t.astimezone(place).replace(tzinfo=None)
        occurrences[wall].append(t)
        if wall - previous_wall > MINUTE:
            jumps.append((t, previous_wall, wall))
        previous_wall = wall
        t += MINUTE
    ticks: set[datetime] = set()
    for wall, seen in occurrences.items():
        if wall_matches(cron, wall):
            ticks.update(seen if cron.hours_unrestricted else seen[:1])
    if not cron.hours_unrestricted:
        for instant, before, after in jumps:
            skipped = before + MINUTE
            while skipped < after:
                if wall_matches(cron, skipped):
                    ticks.add(instant)
                    break
                skipped += MINUTE
    return {tick for tick in ticks if start <= tick < end}


def _field(low: int, high: int) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    item = st.one_of(
        st.just("*"),
        number.map(str),
        st.tuples(number, number).map(lambda ab: f"{min(ab)}-{max(ab)}"),
        st.integers(2, 7).map(lambda step: f"*/{step}"),
        st.tuples(number, number, st.integers(1, 5)).map(
            lambda abs_: f"{min(abs_[:2])}-{max(abs_[:2])}/{abs_[2]}"
        ),
    )
    return st.lists(item, min_size=1, max_size=3).map(",".join)


crons = st.tuples(_field(0, 59), _field(0, 23), _field(1, 31), st.just("*"), _field(0, 7)).map(
    " ".join
)


@st.composite
def windows(draw: st.DrawFn) -> tuple[str, datetime]:
    name = draw(st.sampled_from(ZONES))
    near = transitions(name)
    if near and draw(st.booleans()):
        centre = draw(st.sampled_from(near))
        start = centre - timedelta(hours=draw(st.integers(0, 20)))
    else:
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 525_000)))
    return name, start.replace(second=0, microsecond=0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crons, windows())
def test_next_and_prev_agree_with_the_oracle(text: str, window: tuple[str, datetime]) -> None:
    cron = parse_cron(text)
    name, start = window
    place = ZoneInfo(name)
    end = start + timedelta(hours=26)
    expected = sorted(oracle(cron, place, start, end))

    forward: list[datetime] = []
    tick = next_tick(cron, place, start - timedelta(microseconds=1))
    while tick < end:
        forward.append(tick)
        tick = next_tick(cron, place, tick)
    assert forward == expected

    backward: list[datetime] = []
    tick = prev_tick(cron, place, end)
    while tick >= start:
        backward.append(tick)
        tick = prev_tick(cron, place, tick)
    assert backward[::-1] == expected


@settings(max_examples=200, deadline=None)
@given(
    crons,
    st.sampled_from(ZONES),
    st.datetimes(
        min_value=datetime(2010, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
)
def test_next_is_the_nearest_tick_after_and_prev_the_nearest_before(
    text: str, name: str, when: datetime
) -> None:
    cron = parse_cron(text)
    after = next_tick(cron, name, when)
    before = prev_tick(cron, name, when)
    assert before < when < after
    assert after.tzinfo is UTC and before.tzinfo is UTC
    # Nothing fires strictly between them but ``when`` itself, if it is a tick.
    between = prev_tick(cron, name, after)
    assert between in (before, when)
    assert next_tick(cron, name, before) == (when if between == when else after)


def test_daily_in_shanghai_fires_at_half_past_midnight_local() -> None:
    after = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    tick = next_tick("30 0 * * *", "Asia/Shanghai", after)
    assert tick == datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 00:30 on the 24th, +08:00
    assert next_tick("30 0 * * *", "Asia/Shanghai", tick) == tick + timedelta(days=1)


def test_a_skipped_wall_time_fires_once_at_the_jump() -> None:
    # New York, 8 March 2026: 02:00 EST becomes 03:00 EDT (07:00 UTC).
    day_before = datetime(2026, 3, 7, 12, tzinfo=UTC)
    tick = next_tick("30 2 * * *", "America/New_York", day_before)
    assert tick == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    every_quarter_of_2am = next_tick("*/15 2 * * *", "America/New_York", day_before)
    assert every_quarter_of_2am == tick  # four skipped times, one tick
    assert next_tick("*/15 2 * * *", "America/New_York", tick) == datetime(
        2026, 3, 9, 6, 0, tzinfo=UTC
    )


def test_an_hourly_job_keeps_elapsed_time_across_both_changes() -> None:
    spring = [datetime(2026, 3, 8, h, 30, tzinfo=UTC) for h in (5, 6, 7, 8)]
    got = [next_tick("30 * * * *", "America/New_York", spring[0] - MINUTE)]
    for _ in range(3):
        got.append(next_tick("30 * * * *", "America/New_York", got[-1]))
    assert got == spring  # 00:30 EST, 01:30 EST, (02:30 does not exist), 03:30 EDT, 04:30 EDT
    autumn = [datetime(2026, 11, 1, h, 30, tzinfo=UTC) for h in (4, 5, 6, 7)]
    got = [next_tick("30 * * * *", "America/New_York", autumn[0] - MINUTE)]
    for _ in range(3):
        got.append(next_tick("30 * * * *", "America/New_York", got[-1]))
    assert got == autumn  # 00:30 EDT, 01:30 EDT, 01:30 EST, 02:30 EST


def test_a_repeated_wall_time_fires_on_its_first_pass_only() -> None:
    first = next_tick("30 1 * * *", "America/New_York", datetime(2026, 11, 1, tzinfo=UTC))
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert next_tick("30 1 * * *", "America/New_York", first) == datetime(
        2026, 11, 2, 6, 30, tzinfo=UTC
    )


def test_a_skipped_day_fires_a_daily_job_at_the_jump() -> None:
    # Samoa moved across the date line: 29 December 2011 23:59:59 was followed by 31 December.
    tick = next_tick("0 12 * * *", "Pacific/Apia", datetime(2011, 12, 29, 23, tzinfo=UTC))
    assert tick == datetime(2011, 12, 30, 10, 0, tzinfo=UTC)  # the jump, 31 Dec 00:00 local
    assert next_tick("0 12 * * *", "Pacific/Apia", tick) == datetime(
        2011, 12, 30, 22, 0, tzinfo=UTC
    )


def test_rare_expressions_are_found_years_ahead() -> None:
    leap = next_tick("0 0 29 2 *", "UTC", datetime(2026, 11, 23, tzinfo=UTC))
    assert leap == datetime(2028, 2, 29, tzinfo=UTC)
    assert next_tick("0 0 29 2 *", "UTC", datetime(2096, 3, 1, tzinfo=UTC)) == datetime(
        2104, 2, 29, tzinfo=UTC
    )
    assert prev_tick("0 0 29 2 *", "UTC", leap) == datetime(2024, 2, 29, tzinfo=UTC)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_tick("* * * * *", "UTC", datetime(2026, 1, 1))
