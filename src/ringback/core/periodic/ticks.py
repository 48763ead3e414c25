"""When a cron expression fires in a time zone: ``next_tick`` and ``prev_tick``.

A cron expression names wall-clock times; a zone turns each into 0, 1 or 2 instants.
Daylight-saving changes are handled like cronie / Vixie cron, decided by the hour field:

* **Hour field ``*``** (``*/15 * * * *``, ``@hourly``): the job follows elapsed time. A
  wall time skipped when clocks go forward does not fire; one that happens twice when
  clocks go back fires twice (once per pass), so the job keeps its rhythm.
* **A fixed hour** (``30 2 * * *``, ``@daily``): the job follows the wall clock and fires
  once per matching wall time. A skipped time fires at the instant the clocks jump (a
  02:30 job on the spring-forward night runs at 03:00 new time); a repeated time fires
  on its first pass only.

Several skipped times collapse into the one jump instant: ticks are a set of instants.
Times are aware UTC in and out; the zone is a ``ZoneInfo`` or an IANA name.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ringback.core.clock import utc
from ringback.core.errors import InvalidInput
from ringback.core.periodic.cron import CronExpr, parse_cron
from ringback.core.periodic.walls import next_wall, prev_wall

# Wall-clock order and real order disagree only within a backward jump of the clocks, by
# at most its size. The largest since 1970 is 7 hours (Antarctica/Vostok, 1994); a zone is
# assumed not to change its offset twice within this span.
MAX_SHIFT = timedelta(hours=8)
_ONE_SECOND = timedelta(seconds=1)
_ONE_MINUTE = timedelta(minutes=1)


def zone(tz: ZoneInfo | str, *, field: str = "tz") -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    return _named_zone(tz, field)


@functools.lru_cache(maxsize=64)
def _named_zone(name: str, field: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{name!r} is not an IANA time zone (e.g. 'Asia/Shanghai', 'UTC')", field=field
        ) from None


def next_tick(expr: CronExpr | str, tz: ZoneInfo | str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` at which ``expr`` fires in ``tz``."""
    cron = parse_cron(expr) if isinstance(expr, str) else expr
    place = zone(tz)
    after = utc(after)
    # Just before clocks go back, a smaller wall time can be a later instant (its second
    # pass): start that much lower, and look that far past the first hit.
    shift = _fold_ahead(place, after)
    wall = _wall(after, place) - shift
    best: datetime | None = None
    best_wall = wall
    while True:
        wall = next_wall(cron, wall)
        if best is not None and wall > best_wall + shift:
            return best
        for instant in instants(cron, place, wall):
            if instant > after and (best is None or instant < best):
                best, best_wall = instant, wall


def prev_tick(expr: CronExpr | str, tz: ZoneInfo | str, before: datetime) -> datetime:
    """The last instant strictly before ``before`` at which ``expr`` fires in ``tz``."""
    cron = parse_cron(expr) if isinstance(expr, str) else expr
    place = zone(tz)
    before = utc(before)
    # Just after clocks went back, a larger wall time can be an earlier instant (its
    # first pass): start that much higher, and look that far past the first hit.
    shift = _fold_behind(place, before)
    wall = _wall(before, place) + shift
    best: datetime | None = None
    best_wall = wall
    while True:
        wall = prev_wall(cron, wall)
        if best is not None and wall < best_wall - shift:
            return best
        for instant in instants(cron, place, wall):
            if instant < before and (best is None or instant > best):
                best, best_wall = instant, wall


def instants(cron: CronExpr, place: ZoneInfo, wall: datetime) -> tuple[datetime, ...]:
    """The instants (UTC, ascending) at which the matching wall time ``wall`` fires."""
    first = wall.replace(tzinfo=place, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=place, fold=1).astimezone(UTC)
    if first == second:
        return (first,)
    if _wall(first, place) == wall:  # the clocks went back: the wall time happens twice
        return (first, second) if cron.hours_unrestricted else (first,)
    # The clocks jumped over this wall time.
    if cron.hours_unrestricted:
        return ()
    return (_transition(place, min(first, second), max(first, second)),)


def _wall(instant: datetime, place: ZoneInfo) -> datetime:
    return instant.astimezone(place).replace(tzinfo=None)


def _offset(instant: datetime, place: ZoneInfo) -> timedelta | None:
    return instant.astimezone(place).utcoffset()


def _fold_ahead(place: ZoneInfo, instant: datetime) -> timedelta:
    """The size of a backward jump coming within that size after ``instant``, else 0."""
    now, later = _offset(instant, place), _offset(instant + MAX_SHIFT, place)
    if now is None or later is None or later >= now:
        return timedelta(0)
    size = now - later
    jump = _transition(place, instant, instant + MAX_SHIFT)
    return size if jump - size - _ONE_MINUTE <= instant else timedelta(0)


def _fold_behind(place: ZoneInfo, instant: datetime) -> timedelta:
    """The size of a backward jump that happened within that size before ``instant``, else 0."""
    earlier, now = _offset(instant - MAX_SHIFT, place), _offset(instant, place)
    if now is None or earlier is None or now >= earlier:
        return timedelta(0)
    size = earlier - now
    jump = _transition(place, instant - MAX_SHIFT, instant)
    return size if instant <= jump + size + _ONE_MINUTE else timedelta(0)


def _transition(place: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first second at which the offset differs from ``low``'s (it does at ``high``)."""
    start = _offset(low, place)
    span_s = int((high - low) / _ONE_SECOND)
    while span_s > 1:
        half_s = span_s // 2
        middle = low + timedelta(seconds=half_s)
        if _offset(middle, place) == start:
            low, span_s = middle, span_s - half_s
        else:
            high, span_s = middle, half_s
    return high
