"""What the contract tests share: the ``Backend`` handle and builders of jobs and outcomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ringback.core.jobs import (
    Attempt,
    AttemptOutcome,
    Job,
    JobKind,
    JobState,
    NewJob,
    Outcome,
)
from ringback.core.store.contract import Store


@dataclass
class Backend:
    name: str
    make: Callable[[], Store]  # a new, unopened store on this test's database
    cleanup: Callable[[], Awaitable[None]] | None = None
    opened: list[Store] = field(default_factory=list)

    async def open_store(self) -> Store:
        store = self.make()
        await store.open()
        self.opened.append(store)
        return store

    async def close_all(self) -> None:
        for store in reversed(self.opened):
            await store.close()
        self.opened.clear()
        if self.cleanup is not None:
            await self.cleanup()


T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
POLICY = {"type": "schedule", "delays": ["0s", "2m", "10m"]}


def new_job(n: int = 0, **fields: Any) -> NewJob:
    values: dict[str, Any] = {
        "kind": JobKind.HTTP,
        "payload": {"url": f"https://merchant.example/notify/{n}", "body": {"n": n}},
        "policy": POLICY,
        "run_at": T0,
    }
    values.update(fields)
    return NewJob(**values)


async def enqueue_one(store: Store, now: datetime = T0, **fields: Any) -> Job:
    [result] = await store.enqueue([new_job(**fields)], now)
    return result.job


async def claim_all(
    store: Store, worker: str, now: datetime, limit: int = 100, **options: Any
) -> list[Job]:
    return await store.claim(worker=worker, now=now, limit=limit, lease=LEASE, **options)


def outcome_for(
    job: Job,
    *,
    worker: str,
    state: JobState,
    finished_at: datetime,
    run_at: datetime | None = None,
    attempt_outcome: AttemptOutcome | None = None,
    error: str | None = None,
) -> Outcome:
    """The outcome of one attempt at a claimed ``job`` (attempt number = attempts + 1)."""
    if attempt_outcome is None:
        attempt_outcome = {
            JobState.SUCCEEDED: AttemptOutcome.SUCCESS,
            JobState.SCHEDULED: AttemptOutcome.RETRY,
            JobState.DEAD: AttemptOutcome.GAVE_UP,
        }[state]
    attempt = Attempt(
        job_id=job.id,
        series=job.series,
        number=job.attempts + 1,
        started_at=job.run_at,
        finished_at=finished_at,
        outcome=attempt_outcome,
        worker=worker,
        status_code=200 if state is JobState.SUCCEEDED else 503,
        response_excerpt="success" if state is JobState.SUCCEEDED else "busy",
        error=error,
    )
    return Outcome(
        job_id=job.id,
        worker=worker,
        attempt=attempt,
        state=state,
        run_at=run_at,
        last_error=error,
    )


async def make_dead(store: Store, job: Job, now: datetime) -> Job:
    """Claim ``job`` and record a gave-up outcome: it ends DEAD."""
    [claimed] = await store.claim(
        worker="w-dead", now=now, limit=1, lease=LEASE, queues=[job.queue]
    )
    assert claimed.id == job.id
    outcome = outcome_for(
        claimed, worker="w-dead", state=JobState.DEAD, finished_at=now, error="gave up"
    )
    assert await store.record_outcomes([outcome], now) == {job.id}
    dead = await store.get_job(job.id)
    assert dead is not None and dead.state is JobState.DEAD
    return dead
