"""StatsService: aligned windows, no holes in a series, minutes rolled up into hours,
and each target's health, over a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringback.core.clock import FakeClock
from ringback.core.errors import InvalidInput
from ringback.core.jobs import Attempt, AttemptOutcome, JobKind, JobState, NewJob, Outcome
from ringback.core.service.stats import (
    HOUR,
    MINUTE,
    DeliverySeries,
    Health,
    StatsService,
    aligned_end,
    bucket_count,
    fill_buckets,
    rollup,
)
from ringback.core.store.contract import AttemptBucket
from ringback.core.store.sqlite import SqliteStore

NOW = datetime(2026, 3, 1, 8, 42, 30, tzinfo=UTC)


async def attempt(
    store: SqliteStore,
    target: str,
    finished_at: datetime,
    outcome: AttemptOutcome,
    duration: timedelta = timedelta(milliseconds=100),
) -> None:
    started_at = finished_at - duration
    new = NewJob(
        kind=JobKind.HTTP,
        payload={"url": f"https://{target}/x"},
        policy={"type": "schedule", "delays": ["0s"]},
        run_at=started_at,
        target=target,
    )
    await store.enqueue([new], started_at)
    [job] = await store.claim(worker="w", now=started_at, limit=1, lease=timedelta(minutes=1))
    state = JobState.SUCCEEDED if outcome is AttemptOutcome.SUCCESS else JobState.DEAD
    record = Attempt(job.id, 1, 1, started_at, finished_at, outcome, "w", error="boom")
    await store.record_outcomes([Outcome(job.id, "w", record, state, None)], finished_at)


def test_windows_end_with_the_bucket_that_holds_now() -> None:
    assert aligned_end(NOW, MINUTE) == datetime(2026, 3, 1, 8, 43, tzinfo=UTC)
    assert aligned_end(NOW, HOUR) == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    on_the_minute = datetime(2026, 3, 1, 8, 43, tzinfo=UTC)
    assert aligned_end(on_the_minute, MINUTE) == datetime(2026, 3, 1, 8, 44, tzinfo=UTC)


def test_series_have_no_holes_and_roll_up() -> None:
    since = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    found = [
        AttemptBucket(since + 2 * MINUTE, 3, 2, 1, 300, 200),
        AttemptBucket(since + 61 * MINUTE, 1, 1, 0, 50, 50),
    ]
    filled = fill_buckets(since, MINUTE, 120, found)
    assert len(filled) == 120
    assert filled[2] == found[0] and filled[61] == found[1]
    assert filled[0] == AttemptBucket(since, 0, 0, 0, 0, 0)
    hours = rollup(DeliverySeries(since, MINUTE, filled), HOUR)
    assert hours.buckets == [
        AttemptBucket(since, 3, 2, 1, 300, 200),
        AttemptBucket(since + HOUR, 1, 1, 0, 50, 50),
    ]
    assert hours.summary.success_rate == 0.75
    assert hours.summary.avg_duration_ms == 87.5
    assert hours.until == since + 2 * HOUR


@pytest.mark.parametrize(
    ("window", "bucket", "field"),
    [
        (HOUR, timedelta(0), "bucket"),
        (HOUR, timedelta(minutes=7), "window"),
        (timedelta(days=40), timedelta(days=1), "window"),
        (timedelta(days=30), timedelta(seconds=1), "bucket"),
        (MINUTE, HOUR, "bucket"),
    ],
)
def test_bad_windows_are_refused(window: timedelta, bucket: timedelta, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        bucket_count(window, bucket)
    assert refused.value.field == field


async def test_recent_reads_the_last_hour_and_day(store: SqliteStore) -> None:
    clock = FakeClock(NOW)
    stats = StatsService(store, clock)
    await attempt(store, "a:443", NOW - timedelta(minutes=1), AttemptOutcome.SUCCESS)
    await attempt(store, "a:443", NOW - timedelta(seconds=10), AttemptOutcome.RETRY)
    await attempt(store, "b:443", NOW - timedelta(hours=3), AttemptOutcome.SUCCESS)
    await attempt(store, "b:443", NOW - timedelta(hours=30), AttemptOutcome.SUCCESS)

    recent = await stats.recent()
    assert len(recent.hour.buckets) == 60
    assert recent.hour.since == datetime(2026, 3, 1, 7, 43, tzinfo=UTC)
    assert [b.attempts for b in recent.hour.buckets[-2:]] == [1, 1]
    assert recent.hour.summary.attempts == 2
    assert recent.hour.summary.success_rate == 0.5
    assert len(recent.day.buckets) == 24
    assert recent.day.since == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert recent.day.buckets[-1].start == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert recent.day.summary.attempts == 3  # the one 30 hours ago is outside

    only_b = await stats.recent(target="b:443")
    assert (only_b.hour.summary.attempts, only_b.day.summary.attempts) == (0, 1)


async def test_endpoints_rank_and_mark_failing_targets(store: SqliteStore) -> None:
    clock = FakeClock(NOW)
    for minutes in (9, 8, 7):
        await attempt(store, "down:443", NOW - timedelta(minutes=minutes), AttemptOutcome.RETRY)
    await attempt(store, "flaky:443", NOW - timedelta(minutes=5), AttemptOutcome.SUCCESS)
    await attempt(store, "flaky:443", NOW - timedelta(minutes=4), AttemptOutcome.FAILED)
    await attempt(store, "fine:443", NOW - timedelta(minutes=3), AttemptOutcome.SUCCESS)

    rows = await StatsService(store, clock).endpoints(window=HOUR, limit=10)
    assert [(row.stats.target, row.health) for row in rows] == [
        ("down:443", Health.DOWN),
        ("flaky:443", Health.FAILING),
        ("fine:443", Health.OK),
    ]
    assert rows[1].success_rate == 0.5
    with pytest.raises(InvalidInput):
        await StatsService(store, clock).endpoints(window=timedelta(days=90))
