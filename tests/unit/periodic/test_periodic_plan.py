"""Which ticks a scheduler enqueues: on time, caught up after an outage, or skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind
from ringback.core.periodic import JobTemplate, PeriodicSchedule, plan_ticks, tick_key

NIGHTLY = JobTemplate(JobKind.TASK, {"task": "reports.build", "args": {"day": "{prev_date}"}})
# 00:30 in Shanghai is 16:30 UTC the day before.
TICK_24 = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def nightly(**options: object) -> PeriodicSchedule:
    return PeriodicSchedule.build("nightly", "30 0 * * *", "Asia/Shanghai", NIGHTLY, **options)


def test_the_tick_that_just_passed_is_enqueued() -> None:
    plan = plan_ticks(nightly(), last=TICK_24 - DAY, now=TICK_24 + timedelta(seconds=1))
    assert plan.enqueue == (TICK_24,)
    assert plan.last_tick == TICK_24
    assert not plan.skipped


def test_nothing_new_since_the_recorded_tick() -> None:
    plan = plan_ticks(nightly(), last=TICK_24, now=TICK_24 + timedelta(hours=5))
    assert plan.enqueue == ()
    assert plan.last_tick is None


def test_a_recorded_tick_ahead_of_this_clock_changes_nothing() -> None:
    plan = plan_ticks(nightly(), last=TICK_24 + DAY, now=TICK_24 + timedelta(minutes=1))
    assert plan.last_tick is None


def test_after_an_outage_the_latest_missed_tick_is_caught_up_once() -> None:
    # Down from before the 24th's tick until the 27th at 09:00 UTC: three ticks missed.
    now = TICK_24 + 3 * DAY - timedelta(hours=7, minutes=30)
    plan = plan_ticks(nightly(), last=TICK_24 - DAY, now=now)
    assert plan.enqueue == (TICK_24 + 2 * DAY,)
    assert plan.last_tick == TICK_24 + 2 * DAY
    assert plan.skipped  # two more were missed and are not run


def test_the_catch_up_limit_bounds_how_many_missed_ticks_run() -> None:
    now = TICK_24 + 2 * DAY + timedelta(hours=1)
    plan = plan_ticks(nightly(catch_up_limit=5), last=TICK_24 - 2 * DAY, now=now)
    assert plan.enqueue == (TICK_24 - DAY, TICK_24, TICK_24 + DAY, TICK_24 + 2 * DAY)
    assert not plan.skipped
    capped = plan_ticks(nightly(catch_up_limit=2), last=TICK_24 - 2 * DAY, now=now)
    assert capped.enqueue == (TICK_24 + DAY, TICK_24 + 2 * DAY)
    assert capped.skipped


def test_without_catch_up_missed_ticks_are_skipped() -> None:
    now = TICK_24 + timedelta(hours=3)
    plan = plan_ticks(nightly(catch_up=False), last=TICK_24 - DAY, now=now)
    assert plan.enqueue == ()
    assert plan.last_tick == TICK_24  # remembered, so it is not considered again
    assert plan.skipped


def test_a_tick_noticed_within_the_grace_is_on_time_even_without_catch_up() -> None:
    schedule = nightly(catch_up=False, misfire_grace=timedelta(minutes=5))
    on_time = plan_ticks(schedule, last=TICK_24 - DAY, now=TICK_24 + timedelta(minutes=5))
    assert on_time.enqueue == (TICK_24,)
    late = plan_ticks(schedule, last=TICK_24 - DAY, now=TICK_24 + timedelta(minutes=6))
    assert late.enqueue == ()


def test_a_new_schedule_starts_from_the_latest_tick_without_running_the_past() -> None:
    plan = plan_ticks(nightly(), last=None, now=TICK_24 + timedelta(hours=2))
    assert plan.enqueue == ()
    assert plan.last_tick == TICK_24
    fresh = plan_ticks(nightly(), last=None, now=TICK_24 + timedelta(seconds=3))
    assert fresh.enqueue == (TICK_24,)


def test_every_minute_after_an_hour_down_runs_the_on_time_and_one_missed_tick() -> None:
    schedule = PeriodicSchedule.build(
        "m", "* * * * *", "UTC", NIGHTLY, misfire_grace=timedelta(minutes=2)
    )
    now = TICK_24 + timedelta(seconds=30)
    plan = plan_ticks(schedule, last=TICK_24 - timedelta(hours=1), now=now)
    # On time: 16:29 and 16:30 (at most 2 minutes old); caught up: 16:28 (limit 1).
    assert plan.enqueue == tuple(TICK_24 - timedelta(minutes=m) for m in (2, 1, 0))
    assert plan.skipped


def test_each_tick_has_its_key_labels_and_filled_placeholders() -> None:
    template = JobTemplate(
        JobKind.COMMAND,
        {
            "command": "export",
            "values": {"day": "{prev_date}", "at": "{tick_local}", "raw": '{"keep": "{x}"}'},
        },
        policy={"type": "fixed", "interval": "5m"},
        queue="nightly",
        labels={"team": "ops"},
    )
    schedule = PeriodicSchedule.build("export", "30 0 * * *", "Asia/Shanghai", template)
    request = schedule.request_for(TICK_24)
    assert request.key == "periodic:export:2026-11-23T16:30:00Z" == tick_key("export", TICK_24)
    assert request.payload == {
        "command": "export",
        "values": {
            "day": "2026-11-23",
            "at": "2026-11-24T00:30:00+08:00",
            "raw": '{"keep": "{x}"}',
        },
    }
    assert request.labels == {
        "team": "ops",
        "ringback.periodic": "export",
        "ringback.tick": "2026-11-23T16:30:00Z",
    }
    assert request.queue == "nightly"
    assert template.payload["values"]["day"] == "{prev_date}"  # the template is untouched


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: PeriodicSchedule.build("bad name", "@daily", "UTC", NIGHTLY), "name"),
        (lambda: PeriodicSchedule.build("x", "@daily", "Mars/Olympus", NIGHTLY), "tz"),
        (lambda: PeriodicSchedule.build("x", "@daily", "UTC", NIGHTLY, catch_up_limit=0), None),
    ],
)
def test_bad_schedules_are_refused(build: object, field: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        build()  # type: ignore[operator]
    if field is not None:
        assert caught.value.field == field
