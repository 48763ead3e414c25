"""Which ticks to enqueue now: the pure decision behind the scheduler.

Input: the schedule, the last tick any worker recorded, and the time now. Output: the
ticks to enqueue and the new last tick. Every worker makes the same decision from the
same record, and the store's compare-and-set lets exactly one of them act on it.

* A tick at most ``misfire_grace`` old is on time: it is enqueued.
* Older ticks since the last recorded one were missed (every worker was down). With
  ``catch_up`` the latest ``catch_up_limit`` of them are enqueued once; without, none.
* With no record yet (a new schedule), nothing before now is known to be missed: only
  an on-time tick is enqueued, and the latest tick becomes the starting point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ringback.core.periodic.schedule import PeriodicSchedule
from ringback.core.periodic.ticks import prev_tick
from ringback.core.periodic.walls import NoMatch

_JUST_AFTER = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class TickPlan:
    enqueue: tuple[datetime, ...]  # ascending
    last_tick: datetime | None  # to record; None: nothing new since the last record
    skipped: bool  # some missed ticks were left out (no catch-up, or over the limit)


NOTHING = TickPlan((), None, False)


def latest_tick(schedule: PeriodicSchedule, now: datetime) -> datetime | None:
    """The last tick at or before ``now`` (None if there was none in ten years)."""
    try:
        return prev_tick(schedule.cron, schedule.tz, now + _JUST_AFTER)
    except NoMatch:
        return None


def plan_ticks(schedule: PeriodicSchedule, *, last: datetime | None, now: datetime) -> TickPlan:
    latest = latest_tick(schedule, now)
    if latest is None or (last is not None and latest <= last):
        return NOTHING
    if last is None:
        on_time = now - latest <= schedule.misfire_grace
        return TickPlan((latest,) if on_time else (), latest, False)
    chosen: list[datetime] = []
    missed_taken = 0
    skipped = False
    tick: datetime | None = latest
    # Walk back from the latest tick; this stops after the on-time ticks and at most
    # ``catch_up_limit`` missed ones, however long the outage was.
    while tick is not None and tick > last:
        if now - tick <= schedule.misfire_grace:
            chosen.append(tick)
        elif schedule.catch_up and missed_taken < schedule.catch_up_limit:
            chosen.append(tick)
            missed_taken += 1
        else:
            skipped = True
            break
        try:
            tick = prev_tick(schedule.cron, schedule.tz, tick)
        except NoMatch:
            tick = None
    return TickPlan(tuple(reversed(chosen)), latest, skipped)
