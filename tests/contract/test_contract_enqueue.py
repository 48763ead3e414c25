"""enqueue, get_job, get_job_by_key: durable, exact and idempotent."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from contract_support import T0, Backend, new_job

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JobState
from ringback.core.store.contract import JobFilter, Store


async def test_enqueue_stores_every_field(store: Store) -> None:
    submitted = new_job(
        7,
        kind=JobKind.TASK,
        queue="statements",
        key="pull-2026-01-01",
        target="bank.example",
        labels={"merchant": "m-1", "channel": "alipay"},
        run_at=T0 + timedelta(minutes=5),
    )
    [result] = await store.enqueue([submitted], T0)

    job = result.job
    assert result.created is True
    assert job.id > 0
    assert (job.kind, job.queue, job.key, job.target) == (
        JobKind.TASK,
        "statements",
        "pull-2026-01-01",
        "bank.example",
    )
    assert job.labels == {"merchant": "m-1", "channel": "alipay"}
    assert job.payload == submitted.payload
    assert job.policy == submitted.policy
    assert job.state is JobState.SCHEDULED
    assert job.run_at == T0 + timedelta(minutes=5)
    assert (job.attempts, job.series) == (0, 1)
    assert job.series_started_at == job.run_at
    assert job.created_at == job.updated_at == T0
    assert job.lease_owner is job.lease_expires_at is job.last_error is job.finished_at is None
    assert await store.get_job(job.id) == job
    assert await store.get_job_by_key("pull-2026-01-01") == job


async def test_times_come_back_as_utc_to_the_microsecond(store: Store) -> None:
    plus_eight = timezone(timedelta(hours=8))
    run_at = T0.astimezone(plus_eight) + timedelta(microseconds=123457)
    job = (await store.enqueue([new_job(run_at=run_at)], T0))[0].job
    stored = await store.get_job(job.id)
    assert stored is not None
    assert stored.run_at == run_at
    assert stored.run_at.utcoffset() == timedelta(0)
    assert stored.run_at.microsecond == 123457


async def test_a_batch_gets_distinct_increasing_ids_in_order(store: Store) -> None:
    results = await store.enqueue([new_job(n) for n in range(50)], T0)
    ids = [result.job.id for result in results]
    assert ids == sorted(ids) and len(set(ids)) == 50
    assert [result.job.payload["body"]["n"] for result in results] == list(range(50))
    later = await store.enqueue([new_job(99)], T0)
    assert later[0].job.id > ids[-1]


async def test_a_known_key_returns_the_existing_job(store: Store) -> None:
    [first] = await store.enqueue([new_job(1, key="order-1")], T0)
    [again] = await store.enqueue([new_job(2, key="order-1")], T0 + timedelta(hours=1))
    assert again.created is False
    assert again.job == first.job
    assert again.job.payload == new_job(1).payload
    assert await store.count_jobs(JobFilter()) == 1


async def test_a_key_repeated_within_one_batch_creates_one_job(store: Store) -> None:
    results = await store.enqueue(
        [new_job(1, key="dup"), new_job(2), new_job(3, key="dup"), new_job(4, key="other")], T0
    )
    assert [result.created for result in results] == [True, True, False, True]
    assert results[2].job == results[0].job
    assert await store.count_jobs(JobFilter()) == 3


async def test_an_empty_batch_does_nothing(store: Store) -> None:
    assert await store.enqueue([], T0) == []
    assert await store.count_jobs(JobFilter()) == 0


async def test_bad_input_anywhere_in_a_batch_stores_nothing(store: Store) -> None:
    naive = T0.replace(tzinfo=None)
    with pytest.raises(InvalidInput) as raised:
        await store.enqueue([new_job(1), new_job(2, run_at=naive)], T0)
    assert raised.value.field == "run_at"
    with pytest.raises(InvalidInput) as raised:
        await store.enqueue([new_job(3, payload={"amount": float("nan")})], T0)
    assert raised.value.field == "payload"
    assert await store.count_jobs(JobFilter()) == 0


async def test_unknown_ids_and_keys_read_as_none(store: Store) -> None:
    assert await store.get_job(123456) is None
    assert await store.get_job_by_key("nope") is None


async def test_enqueued_jobs_are_seen_by_a_fresh_store_instance(backend: Backend) -> None:
    writer = await backend.open_store()
    results = await writer.enqueue([new_job(n, key=f"k{n}") for n in range(20)], T0)
    await writer.close()
    backend.opened.remove(writer)

    reader = await backend.open_store()
    for result in results:
        assert await reader.get_job(result.job.id) == result.job
