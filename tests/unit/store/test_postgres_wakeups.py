"""LISTEN/NOTIFY wake-ups between PostgreSQL stores (as between hosts)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.postgres import PostgresStore

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
# Long enough never to run out on a busy machine: a woken wait returns True at once,
# so the test does not take this long unless the wake-up is missing.
PATIENCE_S = 10.0
QUIET_S = 0.05

MakeStore = Callable[[], Awaitable[PostgresStore]]


def new_job(number: int) -> NewJob:
    return NewJob(
        kind=JobKind.HTTP,
        payload={"url": f"https://merchant.example/{number}"},
        policy={"kind": "schedule"},
        run_at=NOW,
        key=f"wake-{number}",
    )


async def test_an_enqueue_on_another_host_wakes_a_waiting_store(make_store: MakeStore) -> None:
    waiter, writer = await make_store(), await make_store()
    assert await waiter.wait_for_jobs(QUIET_S) is False
    waiting = asyncio.create_task(waiter.wait_for_jobs(PATIENCE_S))
    await asyncio.sleep(0)  # let the waiter start listening before the enqueue
    await writer.enqueue([new_job(1)], NOW)
    assert await waiting is True
    assert await waiter.wait_for_jobs(QUIET_S) is False  # consumed


async def test_a_wake_up_sent_between_waits_is_not_lost(make_store: MakeStore) -> None:
    waiter, writer = await make_store(), await make_store()
    await writer.enqueue([new_job(1)], NOW)
    assert await waiter.wait_for_jobs(PATIENCE_S) is True


async def test_a_batch_of_jobs_gives_one_wake_up(make_store: MakeStore) -> None:
    # One transaction, one NOTIFY: PostgreSQL folds the repeats of a transaction.
    waiter, writer = await make_store(), await make_store()
    await writer.enqueue([new_job(number) for number in range(20)], NOW)
    assert await waiter.wait_for_jobs(PATIENCE_S) is True
    assert await waiter.wait_for_jobs(QUIET_S) is False


async def test_a_duplicate_key_enqueue_does_not_wake(make_store: MakeStore) -> None:
    waiter, writer = await make_store(), await make_store()
    await writer.enqueue([new_job(1)], NOW)
    assert await waiter.wait_for_jobs(PATIENCE_S) is True
    results = await writer.enqueue([new_job(1)], NOW)
    assert results[0].created is False
    assert await waiter.wait_for_jobs(QUIET_S) is False


async def test_retry_reschedule_and_release_wake_waiters(make_store: MakeStore) -> None:
    waiter, writer = await make_store(), await make_store()
    first, second = await writer.enqueue([new_job(1), new_job(2)], NOW)
    assert await waiter.wait_for_jobs(PATIENCE_S) is True

    await writer.reschedule(first.job.id, NOW + timedelta(hours=1), NOW)
    assert await waiter.wait_for_jobs(PATIENCE_S) is True

    await writer.cancel(first.job.id, NOW)  # makes nothing due: no wake-up
    assert await waiter.wait_for_jobs(QUIET_S) is False
    await writer.retry(first.job.id, NOW, NOW)
    assert await waiter.wait_for_jobs(PATIENCE_S) is True

    claimed = await writer.claim(worker="w", now=NOW, limit=5, lease=LEASE)
    assert await waiter.wait_for_jobs(QUIET_S) is False
    released = await writer.release(
        worker="w", job_ids=[job.id for job in claimed], run_at=NOW, now=NOW
    )
    assert released == 2
    assert await waiter.wait_for_jobs(PATIENCE_S) is True
    assert second.created


async def test_the_listener_reconnects_after_its_connection_is_killed(
    make_store: MakeStore, pg_database_url: str
) -> None:
    waiter, writer = await make_store(), await make_store()
    old_pid = waiter.listener_pid
    assert old_pid is not None
    async with await psycopg.AsyncConnection.connect(pg_database_url, autocommit=True) as admin:
        await admin.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    # Wake-ups sent while it was down are lost, so the first wait reports one.
    assert await waiter.wait_for_jobs(PATIENCE_S) is True
    assert waiter.listener_pid not in (None, old_pid)
    waiting = asyncio.create_task(waiter.wait_for_jobs(PATIENCE_S))
    await asyncio.sleep(0)
    await writer.enqueue([new_job(1)], NOW)
    assert await waiting is True


async def test_a_store_in_another_schema_does_not_wake_this_one(
    make_store: MakeStore, pg_database_url: str
) -> None:
    # A second deployment in the same database has its own schema, so its own channel.
    waiter = await make_store()
    neighbour = PostgresStore.from_url(pg_database_url, schema=f"t_{uuid.uuid4().hex}")
    await neighbour.open()
    try:
        await neighbour.enqueue([new_job(1)], NOW)
        assert await neighbour.wait_for_jobs(PATIENCE_S) is True
        assert await waiter.wait_for_jobs(QUIET_S) is False
    finally:
        await neighbour.close()
        async with await psycopg.AsyncConnection.connect(pg_database_url, autocommit=True) as conn:
            drop = sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(neighbour.schema))
            await conn.execute(drop)


async def test_a_schema_of_the_longest_allowed_name_still_gets_wake_ups(
    pg_database_url: str,
) -> None:
    schema = f"t_{uuid.uuid4().hex}".ljust(63, "x")
    waiter = PostgresStore.from_url(pg_database_url, schema=schema)
    writer = PostgresStore.from_url(pg_database_url, schema=schema)
    await waiter.open()
    await writer.open()
    try:
        await writer.enqueue([new_job(1)], NOW)
        assert await waiter.wait_for_jobs(PATIENCE_S) is True
    finally:
        await waiter.close()
        await writer.close()
        async with await psycopg.AsyncConnection.connect(pg_database_url, autocommit=True) as conn:
            await conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
