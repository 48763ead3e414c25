"""next_due_at and list_due: when the next job becomes claimable."""

from __future__ import annotations

from datetime import timedelta

from contract_support import LEASE, T0, claim_all, enqueue_one, new_job

from ringback.core.store.contract import Store


async def test_nothing_pending_means_no_due_time(store: Store) -> None:
    assert await store.next_due_at() is None
    job = await enqueue_one(store)
    await store.cancel(job.id, T0)
    assert await store.next_due_at() is None


async def test_the_earliest_scheduled_run_at(store: Store) -> None:
    await store.enqueue(
        [new_job(n, run_at=T0 + timedelta(minutes=m)) for n, m in enumerate([30, 10, 20])], T0
    )
    assert await store.next_due_at() == T0 + timedelta(minutes=10)


async def test_a_running_jobs_lease_expiry_counts(store: Store) -> None:
    await enqueue_one(store, run_at=T0)
    await enqueue_one(store, run_at=T0 + timedelta(hours=1))
    await store.claim(worker="w1", now=T0, limit=1, lease=LEASE)
    assert await store.next_due_at() == T0 + LEASE
    # Once expired the lease is still the earliest due time: the job is claimable now.
    assert [j.lease_owner for j in await claim_all(store, "w2", T0 + LEASE)] == ["w2"]
    assert await store.next_due_at() == T0 + 2 * LEASE


async def test_due_time_within_queues(store: Store) -> None:
    await enqueue_one(store, queue="notify", run_at=T0 + timedelta(minutes=5))
    await enqueue_one(store, queue="statements", run_at=T0 + timedelta(minutes=30))
    await enqueue_one(store, queue="other", run_at=T0 + timedelta(minutes=1))
    running = await enqueue_one(store, queue="statements", run_at=T0)
    await claim_all(store, "w1", T0, queues=["statements"])

    assert await store.next_due_at(["notify"]) == T0 + timedelta(minutes=5)
    assert await store.next_due_at(["statements"]) == T0 + LEASE
    assert await store.next_due_at(["notify", "statements"]) == T0 + LEASE
    assert await store.next_due_at(["nothing-here"]) is None
    assert await store.next_due_at() == T0 + LEASE
    assert running.id > 0


async def test_due_time_skips_excluded_targets(store: Store) -> None:
    await store.enqueue([new_job(n, target="hung.example") for n in range(3)], T0)
    await enqueue_one(store, target="fine.example", run_at=T0 + timedelta(minutes=7))
    await enqueue_one(store, run_at=T0 + timedelta(minutes=9))

    assert await store.next_due_at() == T0
    assert await store.next_due_at(None, {"hung.example"}) == T0 + timedelta(minutes=7)
    assert await store.next_due_at(["default"], {"hung.example", "fine.example"}) == (
        T0 + timedelta(minutes=9)
    )


async def test_list_due_orders_pending_jobs_by_due_time(store: Store) -> None:
    late = await enqueue_one(store, run_at=T0 + timedelta(minutes=10))
    soon = await enqueue_one(store, run_at=T0 + timedelta(seconds=10))
    running = await enqueue_one(store, run_at=T0)
    await store.claim(worker="w1", now=T0, limit=1, lease=LEASE)  # due again at T0 + 30 s
    done = await enqueue_one(store, run_at=T0 + timedelta(minutes=1))
    await store.cancel(done.id, T0)

    due = await store.list_due(limit=10)
    assert [job.id for job in due] == [soon.id, running.id, late.id]
    assert [job.id for job in await store.list_due(limit=2)] == [soon.id, running.id]
