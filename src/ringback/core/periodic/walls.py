"""Searching wall-clock times (naive datetimes, minute resolution) that match a cron.

No time zone here: the search runs on the calendar and the clock face, jumping a whole
month, day or hour at a time when a field does not match, so even a rare expression
(``0 0 29 2 *``, every leap day) is found in a few hundred steps. ``ticks.py`` maps the
wall-clock times found onto real instants in a zone.
"""

from __future__ import annotations

import bisect
import calendar
from datetime import datetime, timedelta

from ringback.core.periodic.cron import CronExpr

ONE_MINUTE = timedelta(minutes=1)
# The rarest expression that can fire at all (29 February on a given weekday with the
# AND rule does not exist; 29 February alone) fires every 4 to 8 years.
SEARCH_YEARS = 10


class NoMatch(ValueError):
    """Nothing matches within ``SEARCH_YEARS`` of the starting point."""


def next_wall(cron: CronExpr, after: datetime) -> datetime:
    """The first matching minute strictly after the naive time ``after``."""
    t = after.replace(second=0, microsecond=0) + ONE_MINUTE
    last_year = t.year + SEARCH_YEARS
    while t.year <= last_year:
        if t.month not in cron.months:
            month = _after(cron.months, t.month)
            if month is None:
                t = datetime(t.year + 1, cron.months[0], 1)
            else:
                t = datetime(t.year, month, 1)
        elif not cron.day_matches(t.date()):
            t = datetime(t.year, t.month, t.day) + timedelta(days=1)
        elif t.hour not in cron.hours:
            hour = _after(cron.hours, t.hour)
            if hour is None:
                t = datetime(t.year, t.month, t.day) + timedelta(days=1)
            else:
                t = t.replace(hour=hour, minute=0)
        elif t.minute not in cron.minutes:
            minute = _after(cron.minutes, t.minute)
            if minute is None:
                t = t.replace(minute=0) + timedelta(hours=1)
            else:
                t = t.replace(minute=minute)
        else:
            return t
    raise NoMatch(f"{cron.text!r} matches no time within {SEARCH_YEARS} years after {after}")


def prev_wall(cron: CronExpr, before: datetime) -> datetime:
    """The last matching minute strictly before the naive time ``before``."""
    floor = before.replace(second=0, microsecond=0)
    t = floor if floor < before else floor - ONE_MINUTE
    first_year = t.year - SEARCH_YEARS
    while t.year >= first_year:
        if t.month not in cron.months:
            month = _before(cron.months, t.month)
            if month is None:
                t = _last_minute_of(t.year - 1, cron.months[-1])
            else:
                t = _last_minute_of(t.year, month)
        elif not cron.day_matches(t.date()):
            t = datetime(t.year, t.month, t.day) - ONE_MINUTE
        elif t.hour not in cron.hours:
            hour = _before(cron.hours, t.hour)
            if hour is None:
                t = datetime(t.year, t.month, t.day) - ONE_MINUTE
            else:
                t = t.replace(hour=hour, minute=59)
        elif t.minute not in cron.minutes:
            minute = _before(cron.minutes, t.minute)
            t = t.replace(minute=0) - ONE_MINUTE if minute is None else t.replace(minute=minute)
        else:
            return t
    raise NoMatch(f"{cron.text!r} matches no time within {SEARCH_YEARS} years before {before}")


def wall_matches(cron: CronExpr, wall: datetime) -> bool:
    return (
        wall.month in cron.months
        and cron.day_matches(wall.date())
        and wall.hour in cron.hours
        and wall.minute in cron.minutes
    )


def _after(values: tuple[int, ...], current: int) -> int | None:
    index = bisect.bisect_right(values, current)
    return values[index] if index < len(values) else None


def _before(values: tuple[int, ...], current: int) -> int | None:
    index = bisect.bisect_left(values, current)
    return values[index - 1] if index > 0 else None


def _last_minute_of(year: int, month: int) -> datetime:
    return datetime(year, month, calendar.monthrange(year, month)[1], 23, 59)
