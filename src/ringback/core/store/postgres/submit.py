"""Insert a batch of jobs on a given cursor, idempotent by key, and queue a wake-up.

Shared by ``PostgresStore.enqueue`` (its own pooled transaction) and the outbox
(the caller's transaction, sync or async). The jobs arrive checked and encoded
(``params.encode_new_job``). Nothing here commits: whoever owns the
transaction decides, and the NOTIFY is delivered only if it commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg import AsyncCursor, Cursor
from psycopg.rows import DictRow

from ringback.core.errors import StoreError
from ringback.core.jobs import Job
from ringback.core.store.contract import EnqueueResult
from ringback.core.store.postgres.named_queries import queries_for
from ringback.core.store.postgres.params import EncodedJob, new_jobs_params
from ringback.core.store.postgres.rows import Row, job_from_row
from ringback.core.store.postgres.settings import wake_channel


def match_results(
    jobs: Sequence[EncodedJob], created: Sequence[Row], existing: Sequence[Row]
) -> list[EnqueueResult]:
    """Pair each input with its row: created rows by position (``ord``, 1-based),
    the others by key (a keyless input is always created)."""
    created_by_ord = {int(row["ord"]): job_from_row(row) for row in created}
    existing_by_key = {str(row["key"]): job_from_row(row) for row in existing}
    results: list[EnqueueResult] = []
    for ord_, new_job in enumerate(jobs, start=1):
        made = created_by_ord.get(ord_)
        if made is not None:
            results.append(EnqueueResult(job=made, created=True))
            continue
        found: Job | None = existing_by_key.get(new_job.key) if new_job.key else None
        if found is None:
            # Only possible when the clashing row is invisible to this transaction
            # (REPEATABLE READ or SERIALIZABLE began before it committed).
            raise StoreError(
                f"job key {new_job.key!r} exists but is not visible to this transaction; "
                "retry it in a new transaction"
            )
        results.append(EnqueueResult(job=found, created=False))
    return results


def _missing_keys(jobs: Sequence[EncodedJob], created: Sequence[Row]) -> list[str]:
    made = {int(row["ord"]) for row in created}
    return [
        job.key
        for ord_, job in enumerate(jobs, start=1)
        if ord_ not in made and job.key is not None
    ]


async def insert_jobs(
    cur: AsyncCursor[DictRow], jobs: Sequence[EncodedJob], now: datetime, schema: str
) -> list[EnqueueResult]:
    """Insert on ``cur`` (its transaction); the jobs must already be validated."""
    queries = queries_for(schema)
    await cur.execute(queries["insert_jobs"], new_jobs_params(jobs, now, schema), binary=True)
    created = await cur.fetchall()
    existing: list[DictRow] = []
    missing = _missing_keys(jobs, created)
    if missing:
        await cur.execute(queries["jobs_by_keys"], {"keys": missing}, binary=True)
        existing = await cur.fetchall()
    if created:
        await cur.execute(queries["notify_wake"], _channel_params(schema))
    return match_results(jobs, created, existing)


def insert_jobs_sync(
    cur: Cursor[DictRow], jobs: Sequence[EncodedJob], now: datetime, schema: str
) -> list[EnqueueResult]:
    """The blocking twin of ``insert_jobs``, for sync callers' transactions."""
    queries = queries_for(schema)
    cur.execute(queries["insert_jobs"], new_jobs_params(jobs, now, schema), binary=True)
    created = cur.fetchall()
    existing: list[DictRow] = []
    missing = _missing_keys(jobs, created)
    if missing:
        cur.execute(queries["jobs_by_keys"], {"keys": missing}, binary=True)
        existing = cur.fetchall()
    if created:
        cur.execute(queries["notify_wake"], _channel_params(schema))
    return match_results(jobs, created, existing)


def _channel_params(schema: str) -> dict[str, Any]:
    return {"channel": wake_channel(schema)}
