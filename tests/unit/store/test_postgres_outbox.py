"""Enqueue inside the caller's own transaction: the job lives or dies with the caller's rows."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JobState, NewJob
from ringback.core.store.contract import JobFilter
from ringback.core.store.postgres import PostgresStore, enqueue, enqueue_sync

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PATIENCE_S = 10.0
QUIET_S = 0.05


@pytest.fixture
async def store(pg_database_url: str) -> AsyncIterator[PostgresStore]:
    """The ringback store, plus the application's own payments table beside it."""
    schema = f"t_{uuid.uuid4().hex}"
    opened = PostgresStore.from_url(pg_database_url, schema=schema)
    await opened.open()
    payments = sql.Identifier(schema, "payments")
    async with await psycopg.AsyncConnection.connect(pg_database_url, autocommit=True) as conn:
        await conn.execute(
            sql.SQL("CREATE TABLE {} (id text PRIMARY KEY, amount_minor bigint NOT NULL)").format(
                payments
            )
        )
    yield opened
    await opened.close()
    async with await psycopg.AsyncConnection.connect(pg_database_url, autocommit=True) as conn:
        await conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def insert_payment(schema: str) -> sql.Composed:
    return sql.SQL("INSERT INTO {} (id, amount_minor) VALUES (%s, %s)").format(
        sql.Identifier(schema, "payments")
    )


def count_payments(schema: str) -> sql.Composed:
    return sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, "payments"))


def notify_job(payment_id: str, **changes: Any) -> NewJob:
    job = NewJob(
        kind=JobKind.HTTP,
        payload={"url": "https://merchant.example/notify", "body": f"payment={payment_id}"},
        policy={"kind": "schedule", "delays": ["2m", "10m", "10m", "1h"]},
        run_at=NOW,
        key=f"notify:{payment_id}",
        target="merchant.example",
    )
    return replace(job, **changes)


async def test_the_job_commits_with_the_callers_row(
    store: PostgresStore, pg_database_url: str
) -> None:
    async with await psycopg.AsyncConnection.connect(pg_database_url) as conn:
        async with conn.transaction():
            await conn.execute(insert_payment(store.schema), ["pay-1", 125_00])
            result = await enqueue(conn, notify_job("pay-1"), schema=store.schema, now=NOW)
            assert result.created
            # Not committed by enqueue: invisible to everyone else until the caller commits.
            assert await store.get_job(result.job.id) is None
            assert await store.wait_for_jobs(QUIET_S) is False
        assert await store.wait_for_jobs(PATIENCE_S) is True  # NOTIFY arrives at commit
        (payments,) = await (await conn.execute(count_payments(store.schema))).fetchone()  # type: ignore[misc]
    assert payments == 1
    stored = await store.get_job(result.job.id)
    assert stored == result.job
    assert stored.state is JobState.SCHEDULED
    assert stored.created_at == NOW
    claimed = await store.claim(worker="w", now=NOW, limit=5, lease=timedelta(seconds=30))
    assert [job.id for job in claimed] == [result.job.id]


async def test_the_job_rolls_back_with_the_callers_row(
    store: PostgresStore, pg_database_url: str
) -> None:
    async with await psycopg.AsyncConnection.connect(pg_database_url) as conn:
        await conn.execute(insert_payment(store.schema), ["pay-2", 99])
        await enqueue(conn, notify_job("pay-2"), schema=store.schema, now=NOW)
        await conn.rollback()
        (payments,) = await (await conn.execute(count_payments(store.schema))).fetchone()  # type: ignore[misc]
    assert payments == 0
    assert await store.count_jobs(JobFilter()) == 0
    assert await store.wait_for_jobs(QUIET_S) is False  # no wake-up for a job that never was


def test_the_sync_twin_commits_and_rolls_back_with_the_caller(
    store: PostgresStore, pg_database_url: str
) -> None:
    with psycopg.connect(pg_database_url) as conn:
        with conn.transaction():
            conn.execute(insert_payment(store.schema), ["pay-3", 1])
            kept = enqueue_sync(conn, notify_job("pay-3"), schema=store.schema)
        try:
            with conn.transaction():
                conn.execute(insert_payment(store.schema), ["pay-4", 2])
                enqueue_sync(conn, notify_job("pay-4"), schema=store.schema)
                raise RuntimeError("the payment failed after the enqueue")
        except RuntimeError:
            pass
        ids = conn.execute(
            sql.SQL("SELECT key FROM {} ORDER BY id").format(sql.Identifier(store.schema, "jobs"))
        ).fetchall()
    assert ids == [("notify:pay-3",)]
    assert kept.created
    assert kept.job.created_at.tzinfo is UTC


async def test_the_outbox_is_idempotent_by_key(store: PostgresStore, pg_database_url: str) -> None:
    (first,) = await store.enqueue([notify_job("pay-5")], NOW)
    async with await psycopg.AsyncConnection.connect(pg_database_url) as conn:
        again = await enqueue(conn, notify_job("pay-5"), schema=store.schema, now=NOW)
        await conn.commit()
    assert again.created is False
    assert again.job == first.job
    assert await store.count_jobs(JobFilter()) == 1


async def test_bad_input_leaves_the_callers_transaction_usable(
    store: PostgresStore, pg_database_url: str
) -> None:
    async with await psycopg.AsyncConnection.connect(pg_database_url) as conn:
        await conn.execute(insert_payment(store.schema), ["pay-6", 5])
        naive = notify_job("pay-6", run_at=datetime(2026, 3, 1, 12, 0))
        with pytest.raises(InvalidInput) as caught:
            await enqueue(conn, naive, schema=store.schema)
        assert caught.value.field == "run_at"
        with pytest.raises(InvalidInput) as caught:
            await enqueue(conn, notify_job("pay-6"), schema="Robert'); DROP TABLE x;--")
        assert caught.value.field == "schema"
        await conn.commit()  # the caller's own row still commits
        (payments,) = await (await conn.execute(count_payments(store.schema))).fetchone()  # type: ignore[misc]
    assert payments == 1
    assert await store.count_jobs(JobFilter()) == 0
