"""Claiming, leases and outcomes on PostgreSQL, with several stores acting as hosts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from ringback.core.errors import InvalidInput
from ringback.core.jobs import Attempt, AttemptOutcome, Job, JobKind, JobState, NewJob, Outcome
from ringback.core.store.contract import JobFilter
from ringback.core.store.postgres import PostgresStore

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)

MakeStore = Callable[[], Awaitable[PostgresStore]]


def new_job(number: int = 0, **changes: Any) -> NewJob:
    fields: dict[str, Any] = {
        "kind": JobKind.TASK,
        "payload": {"statement_date": "2026-02-28", "n": number},
        "policy": {"kind": "fixed", "every": "30m"},
        "run_at": NOW,
    }
    fields.update(changes)
    return NewJob(**fields)


def outcome(
    job: Job, worker: str, state: JobState, *, run_at: datetime | None = None, series: int = 1
) -> Outcome:
    attempt = Attempt(
        job_id=job.id,
        series=series,
        number=job.attempts + 1,
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=2),
        outcome=AttemptOutcome.RETRY if state is JobState.SCHEDULED else AttemptOutcome.SUCCESS,
        worker=worker,
        error="file not ready" if state is JobState.SCHEDULED else None,
    )
    return Outcome(
        job_id=job.id,
        worker=worker,
        attempt=attempt,
        state=state,
        run_at=run_at,
        last_error=attempt.error,
    )


async def test_three_stores_claiming_1000_jobs_never_share_one(make_store: MakeStore) -> None:
    stores = await asyncio.gather(make_store(), make_store(), make_store())
    created = await stores[0].enqueue([new_job(n) for n in range(1000)], NOW)
    all_ids = {result.job.id for result in created}

    async def drain(store: PostgresStore, worker: str) -> list[int]:
        mine: list[int] = []
        while batch := await store.claim(worker=worker, now=NOW, limit=25, lease=LEASE):
            assert all(job.lease_owner == worker for job in batch)
            mine.extend(job.id for job in batch)
        return mine

    claimed = await asyncio.gather(*(drain(store, f"host{n}") for n, store in enumerate(stores)))
    flat = [job_id for ids in claimed for job_id in ids]
    assert len(flat) == len(set(flat)) == 1000
    assert set(flat) == all_ids
    # The database agrees with what each host was told.
    for n, ids in enumerate(claimed):
        owned = JobFilter(states=frozenset({JobState.RUNNING}))
        page = await stores[0].list_jobs(owned, limit=1000)
        assert {job.id for job in page.jobs if job.lease_owner == f"host{n}"} == set(ids)


async def test_claim_skips_a_row_locked_elsewhere_instead_of_waiting(
    store: PostgresStore, pg_database_url: str, schema: str
) -> None:
    first, second = await store.enqueue(
        [new_job(1, run_at=NOW - timedelta(minutes=5)), new_job(2)], NOW
    )
    lock = sql.SQL("SELECT id FROM {} WHERE id = %s FOR UPDATE").format(
        sql.Identifier(schema, "jobs")
    )
    async with await psycopg.AsyncConnection.connect(pg_database_url) as other:
        await other.execute(lock, [first.job.id])  # held until this connection rolls back
        claimed = await asyncio.wait_for(
            store.claim(worker="w", now=NOW, limit=10, lease=LEASE), timeout=10
        )
        assert [job.id for job in claimed] == [second.job.id]
        await other.rollback()
    again = await store.claim(worker="w", now=NOW, limit=10, lease=LEASE)
    assert [job.id for job in again] == [first.job.id]


async def test_claim_orders_by_run_at_and_respects_due_time(store: PostgresStore) -> None:
    results = await store.enqueue(
        [
            new_job(1, run_at=NOW - timedelta(minutes=1)),
            new_job(2, run_at=NOW - timedelta(minutes=3)),
            new_job(3, run_at=NOW + timedelta(seconds=1)),
            new_job(4, run_at=NOW - timedelta(minutes=2)),
        ],
        NOW,
    )
    ids = [result.job.id for result in results]
    claimed = await store.claim(worker="w", now=NOW, limit=2, lease=LEASE)
    assert [job.id for job in claimed] == [ids[1], ids[3]]
    assert all(job.state is JobState.RUNNING and job.attempts == 0 for job in claimed)
    assert all(job.lease_expires_at == NOW + LEASE for job in claimed)
    rest = await store.claim(worker="w", now=NOW, limit=10, lease=LEASE)
    assert [job.id for job in rest] == [ids[0]]  # ids[2] is not due yet


async def test_an_expired_lease_is_due_again_in_run_at_order(store: PostgresStore) -> None:
    (early,) = await store.enqueue([new_job(1, run_at=NOW - timedelta(hours=1))], NOW)
    (taken,) = await store.claim(worker="crashed", now=NOW, limit=1, lease=LEASE)
    assert taken.id == early.job.id
    (later,) = await store.enqueue([new_job(2, run_at=NOW)], NOW)
    after_expiry = NOW + LEASE
    assert await store.next_due_at() == NOW
    claimed = await store.claim(worker="rescuer", now=after_expiry, limit=1, lease=LEASE)
    # The abandoned job ran at NOW - 1h, so it comes before the one due at NOW.
    assert [job.id for job in claimed] == [early.job.id]
    assert claimed[0].lease_owner == "rescuer"
    stale = await store.record_outcomes(
        [outcome(taken, "crashed", JobState.SUCCEEDED)], after_expiry
    )
    assert stale == set()
    assert (await store.get_job(early.job.id)).lease_owner == "rescuer"  # type: ignore[union-attr]
    assert len(await store.list_attempts(early.job.id)) == 1  # the stale attempt is still logged
    assert [job.id for job in await store.claim(worker="r", now=NOW, limit=5, lease=LEASE)] == [
        later.job.id
    ]


async def test_outcomes_apply_in_one_batch_only_where_the_lease_is_held(
    store: PostgresStore,
) -> None:
    await store.enqueue([new_job(n) for n in range(4)], NOW)
    a, b, c, d = await store.claim(worker="w1", now=NOW, limit=4, lease=LEASE)
    retry_at = NOW + timedelta(minutes=30)
    batch = [
        outcome(a, "w1", JobState.SUCCEEDED),
        outcome(b, "w1", JobState.SCHEDULED, run_at=retry_at),
        outcome(c, "w2", JobState.SUCCEEDED),  # not the lease holder
        outcome(d, "w1", JobState.DEAD, series=2),  # not the series being worked on
        outcome(a, "w1", JobState.DEAD),  # a repeat: the first outcome already cleared the lease
    ]
    later = NOW + timedelta(seconds=3)
    assert await store.record_outcomes(batch, later) == {a.id, b.id}
    done = await store.get_job(a.id)
    assert done is not None
    assert (done.state, done.attempts, done.finished_at, done.lease_owner) == (
        JobState.SUCCEEDED,
        1,
        later,
        None,
    )
    again = await store.get_job(b.id)
    assert again is not None
    assert (again.state, again.run_at, again.attempts) == (JobState.SCHEDULED, retry_at, 1)
    assert (again.last_error, again.finished_at, again.lease_expires_at) == (
        "file not ready",
        None,
        None,
    )
    for untouched in (c, d):
        current = await store.get_job(untouched.id)
        assert current is not None and current.state is JobState.RUNNING
    assert [len(await store.list_attempts(job.id)) for job in (a, b, c, d)] == [2, 1, 1, 1]


async def test_attempt_text_is_stored_within_postgres_limits(store: PostgresStore) -> None:
    (created,) = await store.enqueue([new_job(1)], NOW)
    (job,) = await store.claim(worker="w", now=NOW, limit=1, lease=LEASE)
    body = "é" * 3000 + "\x00"
    noisy = Attempt(
        job_id=job.id,
        series=1,
        number=1,
        started_at=NOW,
        finished_at=NOW,
        outcome=AttemptOutcome.SUCCESS,
        worker="w",
        response_excerpt=body,
        error="bad\x00byte",
    )
    await store.record_outcomes([Outcome(job.id, "w", noisy, JobState.SUCCEEDED, None)], NOW)
    (stored,) = await store.list_attempts(created.job.id)
    assert stored.response_excerpt == "é" * 1024
    assert stored.error == "bad\ufffdbyte"


async def test_renew_release_queues_and_excluded_targets(store: PostgresStore) -> None:
    await store.enqueue(
        [
            new_job(1, queue="notify", target="slow.example"),
            new_job(2, queue="notify", target="fast.example"),
            new_job(3, queue="statements"),
        ],
        NOW,
    )
    assert await store.next_due_at(exclude_targets=["slow.example", "fast.example"]) == NOW
    claimed = await store.claim(
        worker="w",
        now=NOW,
        limit=5,
        lease=LEASE,
        queues=["notify"],
        exclude_targets={"slow.example"},
    )
    assert [job.target for job in claimed] == ["fast.example"]
    assert await store.claim(worker="w", now=NOW, limit=5, lease=LEASE, queues=[]) == []
    later = NOW + timedelta(seconds=20)
    held = await store.renew_leases(
        worker="w", job_ids=[claimed[0].id, 10**12], now=later, lease=LEASE
    )
    assert held == {claimed[0].id}
    assert (
        await store.renew_leases(worker="x", job_ids=[claimed[0].id], now=later, lease=LEASE)
        == set()
    )
    renewed = await store.get_job(claimed[0].id)
    assert renewed is not None and renewed.lease_expires_at == later + LEASE
    assert await store.release(worker="x", job_ids=[claimed[0].id], run_at=later, now=later) == 0
    assert await store.release(worker="w", job_ids=[claimed[0].id], run_at=later, now=later) == 1
    released = await store.get_job(claimed[0].id)
    assert released is not None
    assert (released.state, released.run_at, released.attempts) == (JobState.SCHEDULED, later, 0)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        ({"worker": ""}, "worker"),
        ({"limit": 0}, "limit"),
        ({"lease": timedelta(0)}, "lease"),
        ({"now": datetime(2026, 3, 1)}, "now"),
        ({"queues": "notify"}, "queues"),
        ({"exclude_targets": "slow.example"}, "exclude_targets"),
    ],
)
async def test_bad_claim_arguments_name_the_field(
    store: PostgresStore, call: dict[str, Any], field: str
) -> None:
    await store.enqueue([new_job(1)], NOW)
    arguments: dict[str, Any] = {"worker": "w", "now": NOW, "limit": 1, "lease": LEASE, **call}
    with pytest.raises(InvalidInput) as caught:
        await store.claim(**arguments)
    assert caught.value.field == field
    assert (await store.state_counts()).by_state == {JobState.SCHEDULED: 1}


async def test_a_bad_outcome_in_a_batch_changes_nothing(store: PostgresStore) -> None:
    await store.enqueue([new_job(1), new_job(2)], NOW)
    first, second = await store.claim(worker="w", now=NOW, limit=2, lease=LEASE)
    bad = outcome(second, "w", JobState.SCHEDULED, run_at=None)
    with pytest.raises(InvalidInput) as caught:
        await store.record_outcomes([outcome(first, "w", JobState.SUCCEEDED), bad], NOW)
    assert caught.value.field == "run_at"
    assert await store.list_attempts(first.id) == []
    assert (await store.state_counts()).by_state == {JobState.RUNNING: 2}
