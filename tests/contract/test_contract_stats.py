"""attempt_stats and target_stats: what the dashboard's charts and endpoint health read."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from contract_support import LEASE, T0, new_job

from ringback.core.errors import InvalidInput
from ringback.core.jobs import Attempt, AttemptOutcome, JobState, Outcome
from ringback.core.store.contract import AttemptBucket, Store, TargetStats

MINUTE = timedelta(minutes=1)
FAILURE_STATES = {
    AttemptOutcome.SUCCESS: JobState.SUCCEEDED,
    AttemptOutcome.RETRY: JobState.SCHEDULED,
    AttemptOutcome.GAVE_UP: JobState.DEAD,
    AttemptOutcome.FAILED: JobState.DEAD,
    AttemptOutcome.LEASE_LOST: JobState.SCHEDULED,
}


async def attempt(
    store: Store,
    *,
    target: str | None,
    finished_at: datetime,
    outcome: AttemptOutcome,
    duration: timedelta = timedelta(milliseconds=100),
    error: str | None = None,
) -> int:
    """One job with one recorded attempt that finished at ``finished_at``."""
    started_at = finished_at - duration
    [result] = await store.enqueue([new_job(target=target, run_at=started_at)], started_at)
    [claimed] = await store.claim(worker="w", now=started_at, limit=1, lease=LEASE)
    assert claimed.id == result.job.id
    state = FAILURE_STATES[outcome]
    recorded = Attempt(
        job_id=claimed.id,
        series=claimed.series,
        number=1,
        started_at=started_at,
        finished_at=finished_at,
        outcome=outcome,
        worker="w",
        status_code=200 if outcome is AttemptOutcome.SUCCESS else 500,
        error=error,
    )
    run_at = finished_at + timedelta(days=30) if state is JobState.SCHEDULED else None
    applied = await store.record_outcomes(
        [Outcome(claimed.id, "w", recorded, state, run_at, last_error=error)], finished_at
    )
    assert applied == {claimed.id}
    return claimed.id


async def test_attempts_are_counted_per_bucket(store: Store) -> None:
    await attempt(
        store,
        target="a.example",
        finished_at=T0 - timedelta(seconds=1),
        outcome=AttemptOutcome.SUCCESS,
    )
    await attempt(
        store,
        target="a.example",
        finished_at=T0 + timedelta(seconds=10),
        outcome=AttemptOutcome.SUCCESS,
        duration=timedelta(microseconds=200_700),  # whole milliseconds, truncated: 200
    )
    await attempt(
        store,
        target="b.example",
        finished_at=T0 + timedelta(seconds=50),
        outcome=AttemptOutcome.RETRY,
        duration=timedelta(milliseconds=1500),
    )
    await attempt(
        store,
        target="a.example",
        finished_at=T0 + timedelta(minutes=2, seconds=5),
        outcome=AttemptOutcome.GAVE_UP,
        duration=timedelta(milliseconds=300),
    )
    await attempt(
        store,
        target=None,
        finished_at=T0 + timedelta(minutes=2, seconds=30),
        outcome=AttemptOutcome.LEASE_LOST,
        duration=timedelta(milliseconds=50),
    )

    assert await store.attempt_stats(since=T0, bucket=MINUTE) == [
        AttemptBucket(
            T0, attempts=2, successes=1, failures=1, total_duration_ms=1700, max_duration_ms=1500
        ),
        # lease_lost counts as an attempt, but as neither success nor failure
        AttemptBucket(
            T0 + 2 * MINUTE,
            attempts=2,
            successes=0,
            failures=1,
            total_duration_ms=350,
            max_duration_ms=300,
        ),
    ]
    # Buckets start at ``since``, wherever it falls.
    since = T0 + timedelta(seconds=30)
    buckets = await store.attempt_stats(since=since, bucket=MINUTE)
    assert [(b.start, b.attempts) for b in buckets] == [
        (since, 1),
        (since + MINUTE, 1),
        (since + 2 * MINUTE, 1),
    ]
    # One big bucket holds the whole window.
    [whole] = await store.attempt_stats(since=T0 - timedelta(hours=1), bucket=timedelta(days=1))
    assert (whole.start, whole.attempts, whole.successes, whole.failures) == (
        T0 - timedelta(hours=1),
        5,
        2,
        2,
    )


async def test_attempt_stats_for_one_target(store: Store) -> None:
    for seconds, target in [(5, "a.example"), (15, "b.example"), (70, "a.example")]:
        await attempt(
            store,
            target=target,
            finished_at=T0 + timedelta(seconds=seconds),
            outcome=AttemptOutcome.SUCCESS,
        )
    only_a = await store.attempt_stats(since=T0, bucket=MINUTE, target="a.example")
    assert [(b.start, b.attempts) for b in only_a] == [(T0, 1), (T0 + MINUTE, 1)]
    only_b = await store.attempt_stats(since=T0, bucket=MINUTE, target="b.example")
    assert [(b.start, b.attempts) for b in only_b] == [(T0, 1)]
    assert await store.attempt_stats(since=T0, bucket=MINUTE, target="nobody.example") == []


async def test_target_stats_put_failing_targets_first(store: Store) -> None:
    def at(minutes: int) -> datetime:
        return T0 + timedelta(minutes=minutes)

    # a: a success, then two failures (and an interrupted attempt, which is no failure)
    await attempt(store, target="a", finished_at=at(1), outcome=AttemptOutcome.SUCCESS)
    await attempt(
        store,
        target="a",
        finished_at=at(2),
        outcome=AttemptOutcome.RETRY,
        error="HTTP 500",
        duration=timedelta(seconds=2),
    )
    await attempt(
        store, target="a", finished_at=at(3), outcome=AttemptOutcome.GAVE_UP, error="HTTP 503"
    )
    await attempt(store, target="a", finished_at=at(4), outcome=AttemptOutcome.LEASE_LOST)
    # b: failed once, then answered
    await attempt(
        store, target="b", finished_at=at(1), outcome=AttemptOutcome.FAILED, error="timeout"
    )
    await attempt(store, target="b", finished_at=at(2), outcome=AttemptOutcome.SUCCESS)
    # c: never answered in the window (its success is older)
    await attempt(store, target="c", finished_at=at(-10), outcome=AttemptOutcome.SUCCESS)
    await attempt(
        store, target="c", finished_at=at(5), outcome=AttemptOutcome.RETRY, error="refused"
    )
    await attempt(store, target="c", finished_at=at(6), outcome=AttemptOutcome.RETRY, error="reset")
    # d: only before the window; and a job without a target
    await attempt(store, target="d", finished_at=at(-5), outcome=AttemptOutcome.RETRY, error="x")
    await attempt(store, target=None, finished_at=at(2), outcome=AttemptOutcome.RETRY, error="y")

    stats = await store.target_stats(since=T0, limit=10)
    assert stats == [
        TargetStats(
            target="a",
            attempts=4,
            successes=1,
            failures=2,
            total_duration_ms=2300,
            max_duration_ms=2000,
            failures_in_a_row=2,
            last_attempt_at=at(4),
            last_success_at=at(1),
            last_error="HTTP 503",
        ),
        TargetStats(
            target="c",
            attempts=2,
            successes=0,
            failures=2,
            total_duration_ms=200,
            max_duration_ms=100,
            failures_in_a_row=2,
            last_attempt_at=at(6),
            last_success_at=None,
            last_error="reset",
        ),
        TargetStats(
            target="b",
            attempts=2,
            successes=1,
            failures=1,
            total_duration_ms=200,
            max_duration_ms=100,
            failures_in_a_row=0,
            last_attempt_at=at(2),
            last_success_at=at(2),
            last_error="timeout",
        ),
    ]
    assert stats[0].avg_duration_ms == 575.0
    assert [s.target for s in await store.target_stats(since=T0, limit=2)] == ["a", "c"]
    later = await store.target_stats(since=at(3), limit=10)
    assert [(s.target, s.attempts, s.failures_in_a_row) for s in later] == [
        ("c", 2, 2),
        ("a", 2, 1),
    ]


async def test_an_empty_window_has_no_stats(store: Store) -> None:
    await attempt(store, target="a", finished_at=T0, outcome=AttemptOutcome.SUCCESS)
    later = T0 + timedelta(seconds=1)
    assert await store.attempt_stats(since=later, bucket=MINUTE) == []
    assert await store.target_stats(since=later, limit=5) == []


@pytest.mark.parametrize(
    ("call", "field"),
    [
        ({"since": datetime(2026, 1, 1), "bucket": MINUTE}, "since"),
        ({"since": T0, "bucket": timedelta(0)}, "bucket"),
        ({"since": T0, "bucket": -MINUTE}, "bucket"),
        ({"since": T0, "bucket": MINUTE, "target": ""}, "target"),
    ],
)
async def test_bad_attempt_stats_arguments_are_refused(
    store: Store, call: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.attempt_stats(**call)  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("since", "limit", "field"),
    [(T0, 0, "limit"), (T0, -3, "limit"), (datetime(2026, 1, 1), 5, "since")],
)
async def test_bad_target_stats_arguments_are_refused(
    store: Store, since: datetime, limit: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.target_stats(since=since, limit=limit)
    assert refused.value.field == field
