"""cancel, retry, reschedule and purge_finished: state rules and their errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contract_support import T0, claim_all, enqueue_one, make_dead, new_job, outcome_for

from ringback.core.errors import Conflict, NotFound
from ringback.core.jobs import Job, JobState
from ringback.core.store.contract import JobFilter, Store

LATER = T0 + timedelta(minutes=1)


async def _succeeded(store: Store, queue: str) -> Job:
    job = await enqueue_one(store, queue=queue)
    [claimed] = await claim_all(store, "w1", T0, queues=[queue])
    outcome = outcome_for(claimed, worker="w1", state=JobState.SUCCEEDED, finished_at=T0)
    await store.record_outcomes([outcome], T0)
    return job


async def test_cancel_a_scheduled_job(store: Store) -> None:
    job = await enqueue_one(store)
    cancelled = await store.cancel(job.id, LATER)
    assert cancelled.state is JobState.CANCELLED
    assert cancelled.finished_at == LATER == cancelled.updated_at
    assert await store.get_job(job.id) == cancelled
    assert await claim_all(store, "w1", LATER) == []


async def test_cancel_a_running_job_drops_its_lease(store: Store) -> None:
    job = await enqueue_one(store)
    await claim_all(store, "w1", T0)
    cancelled = await store.cancel(job.id, LATER)
    assert cancelled.state is JobState.CANCELLED
    assert cancelled.lease_owner is None and cancelled.lease_expires_at is None
    assert await store.next_due_at() is None


async def test_cancel_refuses_final_and_unknown_jobs(store: Store) -> None:
    done = await _succeeded(store, "q-done")
    with pytest.raises(Conflict):
        await store.cancel(done.id, LATER)
    cancelled = await enqueue_one(store)
    await store.cancel(cancelled.id, LATER)
    with pytest.raises(Conflict):
        await store.cancel(cancelled.id, LATER)
    with pytest.raises(NotFound):
        await store.cancel(987654, LATER)
    stored = await store.get_job(done.id)
    assert stored is not None and stored.state is JobState.SUCCEEDED


async def test_retry_a_dead_job_starts_a_new_series(store: Store) -> None:
    job = await enqueue_one(store, queue="q-dead")
    dead = await make_dead(store, job, T0)
    assert dead.attempts == 1
    run_at = T0 + timedelta(hours=2)

    again = await store.retry(job.id, run_at, LATER)
    assert again.state is JobState.SCHEDULED
    assert (again.series, again.attempts) == (2, 0)
    assert again.run_at == again.series_started_at == run_at
    assert again.finished_at is None
    assert again.updated_at == LATER
    assert await store.get_job(job.id) == again
    [claimed] = await claim_all(store, "w1", run_at)
    assert claimed.id == job.id and claimed.series == 2


async def test_retry_a_cancelled_job(store: Store) -> None:
    job = await enqueue_one(store)
    await store.cancel(job.id, T0)
    again = await store.retry(job.id, LATER, LATER)
    assert again.state is JobState.SCHEDULED and again.series == 2


async def test_retry_refuses_live_and_succeeded_jobs(store: Store) -> None:
    scheduled = await enqueue_one(store, queue="q-s")
    running = await enqueue_one(store, queue="q-r")
    await claim_all(store, "w1", T0, queues=["q-r"])
    done = await _succeeded(store, "q-d")
    for job in (scheduled, running, done):
        with pytest.raises(Conflict):
            await store.retry(job.id, LATER, LATER)
    with pytest.raises(NotFound):
        await store.retry(987654, LATER, LATER)
    stored = await store.get_job(scheduled.id)
    assert stored == scheduled


async def test_reschedule_moves_a_scheduled_job(store: Store) -> None:
    job = await enqueue_one(store, run_at=T0 + timedelta(hours=5))
    moved = await store.reschedule(job.id, LATER, LATER)
    assert moved.run_at == LATER
    assert moved.updated_at == LATER
    assert moved.state is JobState.SCHEDULED
    assert moved.series_started_at == job.series_started_at
    assert [j.id for j in await claim_all(store, "w1", LATER)] == [job.id]


async def test_reschedule_refuses_anything_not_scheduled(store: Store) -> None:
    running = await enqueue_one(store, queue="q-r")
    await claim_all(store, "w1", T0, queues=["q-r"])
    cancelled = await enqueue_one(store)
    await store.cancel(cancelled.id, T0)
    for job in (running, cancelled):
        with pytest.raises(Conflict):
            await store.reschedule(job.id, LATER, LATER)
    with pytest.raises(NotFound):
        await store.reschedule(987654, LATER, LATER)


async def test_purge_deletes_old_final_jobs_in_batches(store: Store) -> None:
    keep_live = await enqueue_one(store, queue="live")
    old = [await _succeeded(store, f"q{n}") for n in range(5)]
    victims = await store.enqueue([new_job(n, queue="c") for n in range(2)], T0)
    for result in victims:
        await store.cancel(result.job.id, T0)
    recent = await enqueue_one(store, queue="recent")
    await store.cancel(recent.id, T0 + timedelta(days=2))
    cutoff = T0 + timedelta(days=1)

    assert await store.purge_finished(older_than=cutoff, batch_size=3) == 3
    assert await store.purge_finished(older_than=cutoff, batch_size=3) == 3
    assert await store.purge_finished(older_than=cutoff, batch_size=3) == 1
    assert await store.purge_finished(older_than=cutoff, batch_size=3) == 0

    left = await store.list_jobs(JobFilter(), limit=10)
    assert {job.id for job in left.jobs} == {keep_live.id, recent.id}
    for job in old:
        assert await store.get_job(job.id) is None
        assert await store.list_attempts(job.id) == []
