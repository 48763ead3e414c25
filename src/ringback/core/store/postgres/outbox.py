"""Enqueue a job inside the caller's own PostgreSQL transaction (the outbox pattern).

A payment service that commits "payment captured" and then enqueues "notify the
merchant" can crash in between, and the merchant is never told; enqueueing first
can notify about a payment that then rolls back. Writing the job with the caller's
connection, in the caller's transaction, makes both durable together or not at all::

    with psycopg.connect(url) as conn, conn.transaction():
        conn.execute("INSERT INTO payments ...")
        enqueue_sync(conn, NewJob(...))   # committed with the payment, or not at all

These functions never commit or roll back; they only add statements to the open
transaction. The wake-up NOTIFY is part of it too, so workers are woken at commit
and never for a job that was rolled back. On an autocommit connection outside a
transaction block each statement commits by itself, which is a plain enqueue.
The ringback schema must exist (a ``PostgresStore`` has been opened once).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from ringback.core.jobs import NewJob
from ringback.core.store.contract import EnqueueResult
from ringback.core.store.postgres.params import EncodedJob, encode_new_job
from ringback.core.store.postgres.settings import DEFAULT_SCHEMA, check_schema
from ringback.core.store.postgres.submit import insert_jobs, insert_jobs_sync
from ringback.core.store.postgres.validation import check_time


async def enqueue(
    conn: psycopg.AsyncConnection[Any],
    job: NewJob,
    *,
    schema: str = DEFAULT_SCHEMA,
    now: datetime | None = None,
) -> EnqueueResult:
    """Add ``job`` to the caller's open transaction on ``conn``; idempotent by key
    (an existing key gives that job back with ``created=False``)."""
    encoded, when = _checked(job, schema, now)
    async with conn.cursor(row_factory=dict_row) as cur:
        (result,) = await insert_jobs(cur, [encoded], when, schema)
    return result


def enqueue_sync(
    conn: psycopg.Connection[Any],
    job: NewJob,
    *,
    schema: str = DEFAULT_SCHEMA,
    now: datetime | None = None,
) -> EnqueueResult:
    """The blocking twin of ``enqueue``, for sync applications."""
    encoded, when = _checked(job, schema, now)
    with conn.cursor(row_factory=dict_row) as cur:
        (result,) = insert_jobs_sync(cur, [encoded], when, schema)
    return result


def _checked(job: NewJob, schema: str, now: datetime | None) -> tuple[EncodedJob, datetime]:
    """Validate everything before touching the caller's transaction: a failed
    statement would abort it, and the caller's own work with it."""
    check_schema(schema)
    encoded = encode_new_job(job)
    return encoded, datetime.now(UTC) if now is None else check_time(now, "now")
