"""claim, renew_leases and release: the lease model."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from contract_support import LEASE, T0, Backend, claim_all, enqueue_one, new_job

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter, Store


async def test_claims_due_jobs_earliest_first_up_to_the_limit(store: Store) -> None:
    offsets_min = [5, 1, 3, 1, 9, 20]
    results = await store.enqueue(
        [new_job(n, run_at=T0 + timedelta(minutes=m)) for n, m in enumerate(offsets_min)], T0
    )
    ids = [result.job.id for result in results]
    now = T0 + timedelta(minutes=10)

    first = await store.claim(worker="w1", now=now, limit=3, lease=LEASE)
    assert [job.id for job in first] == [ids[1], ids[3], ids[2]]  # run_at, then id
    second = await store.claim(worker="w1", now=now, limit=3, lease=LEASE)
    assert [job.id for job in second] == [ids[0], ids[4]]  # the 20-minute job is not due
    assert await store.claim(worker="w1", now=now, limit=3, lease=LEASE) == []


async def test_a_claimed_job_is_running_under_the_workers_lease(store: Store) -> None:
    job = await enqueue_one(store)
    now = T0 + timedelta(seconds=1)
    [claimed] = await store.claim(worker="w1", now=now, limit=5, lease=LEASE)
    assert claimed.id == job.id
    assert claimed.state is JobState.RUNNING
    assert claimed.lease_owner == "w1"
    assert claimed.lease_expires_at == now + LEASE
    assert claimed.attempts == 0  # the outcome counts the attempt
    assert claimed.run_at == job.run_at
    assert await store.get_job(job.id) == claimed


async def test_a_job_due_exactly_now_is_claimed(store: Store) -> None:
    job = await enqueue_one(store, run_at=T0)
    assert [j.id for j in await claim_all(store, "w1", T0)] == [job.id]


async def test_a_held_lease_keeps_others_off_until_it_expires(store: Store) -> None:
    job = await enqueue_one(store)
    await claim_all(store, "w1", T0)
    assert await claim_all(store, "w2", T0 + LEASE - timedelta(microseconds=1)) == []

    [reclaimed] = await claim_all(store, "w2", T0 + LEASE)
    assert reclaimed.id == job.id
    assert reclaimed.lease_owner == "w2"
    assert reclaimed.lease_expires_at == T0 + 2 * LEASE
    assert reclaimed.attempts == 0


async def test_claim_only_from_the_named_queues(store: Store) -> None:
    notify = await enqueue_one(store, queue="notify", run_at=T0 + timedelta(seconds=2))
    statements = await enqueue_one(store, queue="statements", run_at=T0 + timedelta(seconds=1))
    await enqueue_one(store, queue="other")
    now = T0 + timedelta(minutes=1)

    claimed = await claim_all(store, "w1", now, queues=["notify", "statements"])
    assert [job.id for job in claimed] == [statements.id, notify.id]
    assert await claim_all(store, "w1", now, queues=["notify"]) == []
    assert await claim_all(store, "w1", now, queues=[]) == []
    # Expired leases are reclaimed within the named queues only.
    later = now + 2 * LEASE
    assert [j.id for j in await claim_all(store, "w2", later, queues=["notify"])] == [notify.id]


async def test_claim_skips_excluded_targets(store: Store) -> None:
    hung = await store.enqueue([new_job(n, target="hung.example") for n in range(5)], T0)
    fine = await enqueue_one(store, T0, target="fine.example", run_at=T0 + timedelta(seconds=1))
    untargeted = await enqueue_one(store, T0, run_at=T0 + timedelta(seconds=2))
    now = T0 + timedelta(minutes=1)

    for queues in (None, ["default"]):
        claimed = await store.claim(
            worker="w1",
            now=now,
            limit=2,
            lease=LEASE,
            queues=queues,
            exclude_targets={"hung.example"},
        )
        assert [job.id for job in claimed] == [fine.id, untargeted.id]
        await store.release(worker="w1", job_ids=[fine.id, untargeted.id], run_at=now, now=now)
    claimed = await claim_all(store, "w1", now, limit=10, exclude_targets=())
    assert {job.id for job in claimed} == {r.job.id for r in hung} | {fine.id, untargeted.id}


async def test_claim_refuses_bad_arguments(store: Store) -> None:
    await enqueue_one(store)
    with pytest.raises(InvalidInput) as raised:
        await store.claim(worker="w1", now=T0, limit=0, lease=LEASE)
    assert raised.value.field == "limit"
    with pytest.raises(InvalidInput):
        await store.claim(worker="w1", now=T0.replace(tzinfo=None), limit=1, lease=LEASE)
    assert await store.count_jobs(JobFilter(states=frozenset({JobState.RUNNING}))) == 0


async def test_two_store_instances_claiming_at_once_never_share_a_job(backend: Backend) -> None:
    first, second = await backend.open_store(), await backend.open_store()
    results = await first.enqueue([new_job(n) for n in range(120)], T0)
    all_ids = {result.job.id for result in results}

    async def drain(store: Store, worker: str) -> list[int]:
        got: list[int] = []
        while batch := await store.claim(worker=worker, now=T0, limit=7, lease=LEASE):
            got.extend(job.id for job in batch)
            await asyncio.sleep(0)
        return got

    a, b = await asyncio.gather(drain(first, "w-a"), drain(second, "w-b"))
    assert not set(a) & set(b)
    assert len(a) + len(b) == len(all_ids)
    assert set(a) | set(b) == all_ids


async def test_renew_extends_only_the_leases_the_worker_holds(store: Store) -> None:
    results = await store.enqueue([new_job(n) for n in range(3)], T0)
    mine_a, mine_b, theirs = (result.job.id for result in results)
    await store.claim(worker="w1", now=T0, limit=2, lease=LEASE)
    await store.claim(worker="w2", now=T0, limit=1, lease=LEASE)
    later = T0 + timedelta(seconds=20)

    held = await store.renew_leases(
        worker="w1", job_ids=[mine_a, mine_b, theirs, 999999], now=later, lease=LEASE
    )
    assert held == {mine_a, mine_b}
    renewed = await store.get_job(mine_a)
    assert renewed is not None and renewed.lease_expires_at == later + LEASE
    untouched = await store.get_job(theirs)
    assert untouched is not None and untouched.lease_expires_at == T0 + LEASE
    # Renewed in time, the job is not reclaimable when the first lease would have ended.
    assert [job.id for job in await claim_all(store, "w3", T0 + LEASE)] == [theirs]
    assert await store.renew_leases(worker="w1", job_ids=[], now=later, lease=LEASE) == set()


async def test_renew_after_another_worker_took_over_fails(store: Store) -> None:
    job = await enqueue_one(store)
    await claim_all(store, "w1", T0)
    await claim_all(store, "w2", T0 + LEASE)
    assert (
        await store.renew_leases(worker="w1", job_ids=[job.id], now=T0 + LEASE, lease=LEASE)
        == set()
    )


async def test_release_hands_leases_back_without_an_attempt(store: Store) -> None:
    results = await store.enqueue([new_job(n) for n in range(3)], T0)
    a, b, c = (result.job.id for result in results)
    await store.claim(worker="w1", now=T0, limit=2, lease=LEASE)
    await store.claim(worker="w2", now=T0, limit=1, lease=LEASE)
    back_at = T0 + timedelta(seconds=5)

    released = await store.release(worker="w1", job_ids=[a, b, c], run_at=back_at, now=T0)
    assert released == 2
    job = await store.get_job(a)
    assert job is not None
    assert job.state is JobState.SCHEDULED
    assert job.run_at == back_at
    assert job.lease_owner is None and job.lease_expires_at is None
    assert job.attempts == 0
    assert await store.list_attempts(a) == []
    other = await store.get_job(c)
    assert other is not None and other.state is JobState.RUNNING and other.lease_owner == "w2"
    assert await store.release(worker="w1", job_ids=[], run_at=back_at, now=T0) == 0
