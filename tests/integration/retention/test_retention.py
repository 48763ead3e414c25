"""RetentionSweeper on both real stores, with time driven by FakeClock."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ringback.core.clock import FakeClock
from ringback.core.errors import InvalidInput
from ringback.core.jobs import (
    Attempt,
    AttemptOutcome,
    Job,
    JobKind,
    JobState,
    NewJob,
    Outcome,
)
from ringback.core.retention import RetentionSweeper
from ringback.core.store.contract import Store
from ringback.core.store.sqlite import SqliteStore

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
KEEP = timedelta(days=30)
LEASE = timedelta(minutes=5)
ONCE_THEN_HOURLY = {"type": "schedule", "delays": ["0s", "1h", "1h"]}


def new_job(name: str, run_at: datetime) -> NewJob:
    return NewJob(
        kind=JobKind.TASK,
        payload={"task": "shop.notify", "args": {"name": name}},
        policy=ONCE_THEN_HOURLY,
        run_at=run_at,
        key=name,
    )


async def enqueue(store: Store, name: str, now: datetime) -> Job:
    [result] = await store.enqueue([new_job(name, now)], now)
    return result.job


async def finish(store: Store, name: str, now: datetime, state: JobState) -> Job:
    """Enqueue ``name`` at ``now``, attempt it once (failing first when it must end
    dead, so the job has two attempts) and leave it in ``state`` at ``now``."""
    job = await enqueue(store, name, now)
    if state is JobState.CANCELLED:
        return await store.cancel(job.id, now)
    outcomes = [AttemptOutcome.RETRY, AttemptOutcome.GAVE_UP]
    if state is JobState.SUCCEEDED:
        outcomes = [AttemptOutcome.SUCCESS]
    for number, attempt_outcome in enumerate(outcomes, start=1):
        [claimed] = await store.claim(worker="w1", now=now, limit=1, lease=LEASE)
        assert claimed.id == job.id
        final = number == len(outcomes)
        attempt = Attempt(
            job_id=job.id,
            series=claimed.series,
            number=number,
            started_at=now,
            finished_at=now,
            outcome=attempt_outcome,
            worker="w1",
        )
        outcome = Outcome(
            job_id=job.id,
            worker="w1",
            attempt=attempt,
            state=state if final else JobState.SCHEDULED,
            run_at=None if final else now,
        )
        assert await store.record_outcomes([outcome], now) == {job.id}
    finished = await store.get_job(job.id)
    assert finished is not None and finished.state is state
    return finished


async def gone(store: Store, job: Job) -> bool:
    return await store.get_job(job.id) is None and await store.list_attempts(job.id) == []


async def test_a_sweep_deletes_old_finished_jobs_with_their_attempts(store: Store) -> None:
    clock = FakeClock(T0)
    old = [
        await finish(store, "old-ok", T0, JobState.SUCCEEDED),
        await finish(store, "old-dead", T0, JobState.DEAD),
        await finish(store, "old-cancelled", T0, JobState.CANCELLED),
    ]
    assert len(await store.list_attempts(old[1].id)) == 2
    waiting = await enqueue(store, "waiting", T0 + timedelta(days=365))  # created at T0
    running = await enqueue(store, "running", T0)
    await store.claim(worker="w2", now=T0, limit=10, lease=timedelta(days=90))
    recent = await finish(store, "recent", T0 + timedelta(days=20), JobState.SUCCEEDED)

    clock.set(T0 + KEEP + timedelta(days=1))
    sweeper = RetentionSweeper(store, clock, finished_after=KEEP, batch_size=1000)
    assert await sweeper.sweep() == 3

    for job in old:
        assert await gone(store, job)
    for job in (waiting, running, recent):
        assert await store.get_job(job.id) is not None
    assert len(await store.list_attempts(recent.id)) == 1
    assert sweeper.purged == 3 and sweeper.sweeps == 1
    assert await sweeper.sweep() == 0  # nothing more is old enough


async def test_the_cutoff_is_finished_after_before_now_and_exclusive(store: Store) -> None:
    job = await finish(store, "edge", T0, JobState.SUCCEEDED)
    clock = FakeClock(T0 + KEEP)
    sweeper = RetentionSweeper(store, clock, finished_after=KEEP, batch_size=10)
    assert await sweeper.sweep() == 0  # finished exactly finished_after ago: kept
    clock.advance(timedelta(microseconds=1))
    assert await sweeper.sweep() == 1
    assert await gone(store, job)


async def test_one_sweep_goes_batch_after_batch_until_none_are_left(store: Store) -> None:
    old = [await finish(store, f"old-{n}", T0, JobState.SUCCEEDED) for n in range(7)]
    clock = FakeClock(T0 + KEEP + timedelta(hours=1))
    sweeper = RetentionSweeper(store, clock, finished_after=KEEP, batch_size=2)
    # Each store call deletes at most 2, so 7 in one sweep took 4 batches.
    assert await sweeper.sweep() == 7
    for job in old:
        assert await gone(store, job)


async def wait_for_sweeps(sweeper: RetentionSweeper, count: int) -> None:
    async with asyncio.timeout(10):
        while sweeper.sweeps < count:
            await asyncio.sleep(0.005)


async def test_run_sweeps_at_once_then_every_period_until_cancelled(store: Store) -> None:
    first = await finish(store, "first", T0, JobState.SUCCEEDED)
    clock = FakeClock(T0 + KEEP + timedelta(seconds=1))
    later = await finish(store, "later", clock.now() - KEEP + timedelta(minutes=5), JobState.DEAD)
    every = timedelta(minutes=10)
    sweeper = RetentionSweeper(store, clock, finished_after=KEEP, batch_size=100, every=every)
    running = asyncio.create_task(sweeper.run())
    try:
        await wait_for_sweeps(sweeper, 1)
        assert await gone(store, first)
        assert await store.get_job(later.id) is not None

        clock.advance(every - timedelta(seconds=1))  # not yet time for the next sweep
        await asyncio.sleep(0.05)
        assert sweeper.sweeps == 1
        clock.advance(timedelta(seconds=1))
        await wait_for_sweeps(sweeper, 2)
        assert await gone(store, later)
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert running.cancelled()


async def test_a_failed_sweep_is_logged_and_tried_again_next_period(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SqliteStore(tmp_path / "ringback.db")
    await store.open()
    job = await finish(store, "old", T0, JobState.SUCCEEDED)
    await store.close()  # the next purge fails: the store is unreachable
    clock = FakeClock(T0 + KEEP * 2)
    every = timedelta(minutes=10)
    sweeper = RetentionSweeper(store, clock, finished_after=KEEP, batch_size=10, every=every)
    with caplog.at_level(logging.ERROR, logger="ringback.retention"):
        running = asyncio.create_task(sweeper.run())
        try:
            async with asyncio.timeout(10):
                while not caplog.records:
                    await asyncio.sleep(0.005)
            assert "retention sweep failed" in caplog.records[0].getMessage()
            assert sweeper.sweeps == 0
            await store.open()
            clock.advance(every)
            await wait_for_sweeps(sweeper, 1)
            assert await gone(store, job)
        finally:
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running
            await store.close()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"finished_after": timedelta(0), "batch_size": 10}, "finished_after"),
        ({"finished_after": timedelta(days=-1), "batch_size": 10}, "finished_after"),
        ({"finished_after": KEEP, "batch_size": 0}, "batch_size"),
        ({"finished_after": KEEP, "batch_size": True}, "batch_size"),
        ({"finished_after": KEEP, "batch_size": 10, "every": timedelta(0)}, "every"),
    ],
)
def test_bad_settings_name_the_field(
    tmp_path: Path, options: dict[str, object], field: str
) -> None:
    store = SqliteStore(tmp_path / "never-opened.db")
    with pytest.raises(InvalidInput) as error:
        RetentionSweeper(store, FakeClock(T0), **options)  # type: ignore[arg-type]
    assert error.value.field == field
    assert not (tmp_path / "never-opened.db").exists()
