"""record_outcomes: one transaction, every attempt kept, only lease holders applied."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from contract_support import LEASE, T0, claim_all, enqueue_one, new_job, outcome_for

from ringback.core.errors import InvalidInput
from ringback.core.jobs import AttemptOutcome, JobState, NewJob
from ringback.core.store.contract import JobFilter, Store

DONE_AT = T0 + timedelta(seconds=3)


async def test_success_finishes_the_job(store: Store) -> None:
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    outcome = outcome_for(claimed, worker="w1", state=JobState.SUCCEEDED, finished_at=DONE_AT)

    assert await store.record_outcomes([outcome], DONE_AT) == {job.id}
    done = await store.get_job(job.id)
    assert done is not None
    assert done.state is JobState.SUCCEEDED
    assert done.attempts == 1
    assert done.finished_at == DONE_AT
    assert done.updated_at == DONE_AT
    assert done.lease_owner is None and done.lease_expires_at is None
    [attempt] = await store.list_attempts(job.id)
    assert attempt == replace(outcome.attempt, id=attempt.id)
    assert attempt.duration_ms == 3000


async def test_a_retry_schedules_the_next_attempt(store: Store) -> None:
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    next_at = T0 + timedelta(minutes=2)
    retry = outcome_for(
        claimed,
        worker="w1",
        state=JobState.SCHEDULED,
        finished_at=DONE_AT,
        run_at=next_at,
        error="HTTP 503",
    )
    assert await store.record_outcomes([retry], DONE_AT) == {job.id}

    waiting = await store.get_job(job.id)
    assert waiting is not None
    assert waiting.state is JobState.SCHEDULED
    assert waiting.run_at == next_at
    assert waiting.attempts == 1
    assert waiting.last_error == "HTTP 503"
    assert waiting.finished_at is None and waiting.lease_owner is None
    assert await claim_all(store, "w1", next_at - timedelta(microseconds=1)) == []
    [again] = await claim_all(store, "w1", next_at)
    assert again.attempts == 1


async def test_dead_is_final(store: Store) -> None:
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    dead = outcome_for(
        claimed,
        worker="w1",
        state=JobState.DEAD,
        finished_at=DONE_AT,
        attempt_outcome=AttemptOutcome.FAILED,
        error="HTTP 400",
    )
    assert await store.record_outcomes([dead], DONE_AT) == {job.id}
    stored = await store.get_job(job.id)
    assert stored is not None
    assert (stored.state, stored.attempts, stored.finished_at) == (JobState.DEAD, 1, DONE_AT)
    assert stored.last_error == "HTTP 400"
    assert await claim_all(store, "w1", T0 + timedelta(days=1)) == []


async def test_a_stale_workers_outcome_is_dropped_but_its_attempt_kept(store: Store) -> None:
    job = await enqueue_one(store)
    [stale] = await claim_all(store, "w1", T0)
    [current] = await claim_all(store, "w2", T0 + LEASE)  # w1's lease expired

    late = outcome_for(stale, worker="w1", state=JobState.SUCCEEDED, finished_at=T0 + LEASE)
    assert await store.record_outcomes([late], T0 + LEASE) == set()
    still = await store.get_job(job.id)
    assert still == current  # untouched: w2 holds it
    [attempt] = await store.list_attempts(job.id)
    assert attempt.worker == "w1" and attempt.outcome is AttemptOutcome.SUCCESS

    on_time = outcome_for(current, worker="w2", state=JobState.SUCCEEDED, finished_at=DONE_AT)
    assert await store.record_outcomes([on_time], T0 + LEASE) == {job.id}


async def test_an_expired_lease_nobody_took_over_still_counts(store: Store) -> None:
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    late_at = T0 + 3 * LEASE
    outcome = outcome_for(claimed, worker="w1", state=JobState.SUCCEEDED, finished_at=late_at)
    assert await store.record_outcomes([outcome], late_at) == {job.id}


async def test_a_job_cancelled_mid_attempt_stays_cancelled(store: Store) -> None:
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    await store.cancel(job.id, T0 + timedelta(seconds=1))
    outcome = outcome_for(claimed, worker="w1", state=JobState.SUCCEEDED, finished_at=DONE_AT)

    assert await store.record_outcomes([outcome], DONE_AT) == set()
    stored = await store.get_job(job.id)
    assert stored is not None and stored.state is JobState.CANCELLED
    assert stored.attempts == 0
    assert len(await store.list_attempts(job.id)) == 1


async def test_an_old_series_outcome_does_not_touch_the_new_series(store: Store) -> None:
    job = await enqueue_one(store)
    [old] = await claim_all(store, "w1", T0)
    await store.cancel(job.id, T0)
    await store.retry(job.id, T0, T0)
    [new] = await claim_all(store, "w1", T0)  # the same worker claims the new series
    assert new.series == 2

    late = outcome_for(old, worker="w1", state=JobState.DEAD, finished_at=DONE_AT)
    assert await store.record_outcomes([late], DONE_AT) == set()
    stored = await store.get_job(job.id)
    assert stored is not None and stored.state is JobState.RUNNING and stored.series == 2


async def test_a_batch_applies_what_it_may_and_records_everything(store: Store) -> None:
    results = await store.enqueue([new_job(n) for n in range(4)], T0)
    ids = [result.job.id for result in results]
    mine = await store.claim(worker="w1", now=T0, limit=3, lease=LEASE)
    [theirs] = await store.claim(worker="w2", now=T0, limit=1, lease=LEASE)
    outcomes = [
        outcome_for(mine[0], worker="w1", state=JobState.SUCCEEDED, finished_at=DONE_AT),
        outcome_for(
            mine[1], worker="w1", state=JobState.SCHEDULED, finished_at=DONE_AT, run_at=DONE_AT
        ),
        outcome_for(mine[2], worker="w1", state=JobState.DEAD, finished_at=DONE_AT),
        outcome_for(theirs, worker="w-imposter", state=JobState.SUCCEEDED, finished_at=DONE_AT),
    ]
    assert await store.record_outcomes(outcomes, DONE_AT) == set(ids[:3])
    states = [(await store.get_job(job_id)).state for job_id in ids]  # type: ignore[union-attr]
    assert states == [JobState.SUCCEEDED, JobState.SCHEDULED, JobState.DEAD, JobState.RUNNING]
    for job_id in ids:
        assert len(await store.list_attempts(job_id)) == 1
    assert await store.record_outcomes([], DONE_AT) == set()


async def test_an_invalid_outcome_changes_nothing(store: Store) -> None:
    results = await store.enqueue([new_job(n) for n in range(2)], T0)
    first, second = await store.claim(worker="w1", now=T0, limit=2, lease=LEASE)
    good = outcome_for(first, worker="w1", state=JobState.SUCCEEDED, finished_at=DONE_AT)
    no_run_at = outcome_for(second, worker="w1", state=JobState.SCHEDULED, finished_at=DONE_AT)

    with pytest.raises(InvalidInput):
        await store.record_outcomes([good, no_run_at], DONE_AT)
    running = replace(
        outcome_for(second, worker="w1", state=JobState.SUCCEEDED, finished_at=DONE_AT),
        state=JobState.RUNNING,
    )
    with pytest.raises(InvalidInput):
        await store.record_outcomes([good, running], DONE_AT)
    for result in results:
        stored = await store.get_job(result.job.id)
        assert stored is not None and stored.state is JobState.RUNNING
        assert await store.list_attempts(result.job.id) == []


async def test_two_outcomes_of_one_job_in_a_batch_apply_in_order(store: Store) -> None:
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    first = outcome_for(claimed, worker="w1", state=JobState.SUCCEEDED, finished_at=DONE_AT)
    second = outcome_for(claimed, worker="w1", state=JobState.DEAD, finished_at=DONE_AT)

    assert await store.record_outcomes([first, second], DONE_AT) == {job.id}
    stored = await store.get_job(job.id)
    assert stored is not None and stored.state is JobState.SUCCEEDED
    assert len(await store.list_attempts(job.id)) == 2


async def test_attempt_texts_are_kept_exactly(store: Store) -> None:
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    awkward = 'fail: "quoted", \\ back\\slash, 支付失败, \u2028 and a \ttab\n'
    outcome = outcome_for(
        claimed,
        worker="w1",
        state=JobState.SCHEDULED,
        finished_at=DONE_AT,
        run_at=DONE_AT,
        error=awkward,
    )
    outcome = replace(
        outcome,
        attempt=replace(outcome.attempt, response_excerpt=awkward, status_code=503),
    )
    await store.record_outcomes([outcome], DONE_AT)
    [attempt] = await store.list_attempts(job.id)
    assert attempt.error == awkward
    assert attempt.response_excerpt == awkward
    assert attempt.status_code == 503
    stored = await store.get_job(job.id)
    assert stored is not None and stored.last_error == awkward


def _alert(for_job: int) -> NewJob:
    return replace(new_job(0), key=f"alert-{for_job}", labels={"alert_for": str(for_job)})


async def test_follow_ups_commit_with_an_applied_outcome_only(store: Store) -> None:
    results = await store.enqueue([new_job(n) for n in range(2)], T0)
    mine, theirs = await store.claim(worker="w1", now=T0, limit=2, lease=LEASE)
    dead = replace(
        outcome_for(mine, worker="w1", state=JobState.DEAD, finished_at=DONE_AT),
        follow_ups=(_alert(mine.id),),
    )
    stale = replace(
        outcome_for(theirs, worker="w-imposter", state=JobState.DEAD, finished_at=DONE_AT),
        follow_ups=(_alert(theirs.id),),
    )

    assert await store.record_outcomes([dead, stale], DONE_AT) == {mine.id}
    alert = await store.get_job_by_key(f"alert-{mine.id}")
    assert alert is not None and alert.state is JobState.SCHEDULED
    assert alert.labels == {"alert_for": str(mine.id)}
    assert await store.get_job_by_key(f"alert-{theirs.id}") is None
    assert await store.count_jobs(JobFilter()) == len(results) + 1
    # The same outcome again is not applied (the job is dead) and adds nothing.
    assert await store.record_outcomes([dead], DONE_AT) == set()
    assert await store.count_jobs(JobFilter()) == len(results) + 1


async def test_a_follow_up_whose_key_exists_is_not_enqueued_twice(store: Store) -> None:
    later = T0 + timedelta(hours=1)  # not claimable now: the claim below takes one job
    [existing] = await store.enqueue([replace(_alert(1), run_at=later)], T0)
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    dead = replace(
        outcome_for(claimed, worker="w1", state=JobState.DEAD, finished_at=DONE_AT),
        follow_ups=(_alert(1),),
    )
    assert await store.record_outcomes([dead], DONE_AT) == {job.id}
    assert (await store.get_job_by_key("alert-1")) == existing.job
    assert await store.count_jobs(JobFilter()) == 2


async def test_an_invalid_follow_up_changes_nothing(store: Store) -> None:
    job = await enqueue_one(store)
    [claimed] = await claim_all(store, "w1", T0)
    broken = replace(_alert(job.id), run_at=datetime(2026, 1, 1))  # naive: refused
    dead = replace(
        outcome_for(claimed, worker="w1", state=JobState.DEAD, finished_at=DONE_AT),
        follow_ups=(broken,),
    )
    with pytest.raises(InvalidInput):
        await store.record_outcomes([dead], DONE_AT)
    stored = await store.get_job(job.id)
    assert stored is not None and stored.state is JobState.RUNNING
    assert await store.list_attempts(job.id) == []
