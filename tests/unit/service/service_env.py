"""Values and helpers the service tests share (named uniquely: tests have no packages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ringback.core.clock import FakeClock
from ringback.core.jobs import Attempt, AttemptOutcome, Job, JobState, Outcome
from ringback.core.store.sqlite import SqliteStore

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
URL = "https://shop.example/notify"


async def fail_once(store: SqliteStore, clock: FakeClock, job: Job, *, dead: bool) -> None:
    """Claim ``job`` and record one failed attempt, as a worker would."""
    now = clock.now()
    [claimed] = await store.claim(worker="w1", now=now, limit=1, lease=timedelta(minutes=1))
    assert claimed.id == job.id
    finished = now + timedelta(milliseconds=250)
    attempt = Attempt(
        job_id=job.id,
        series=claimed.series,
        number=claimed.attempts + 1,
        started_at=now,
        finished_at=finished,
        outcome=AttemptOutcome.GAVE_UP if dead else AttemptOutcome.RETRY,
        worker="w1",
        status_code=503,
        response_excerpt="busy",
        error="HTTP 503",
    )
    outcome = Outcome(
        job_id=job.id,
        worker="w1",
        attempt=attempt,
        state=JobState.DEAD if dead else JobState.SCHEDULED,
        run_at=None if dead else finished + timedelta(minutes=2),
        last_error="HTTP 503",
    )
    applied = await store.record_outcomes([outcome], finished)
    assert applied == {job.id}
