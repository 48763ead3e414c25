"""Domain records on PostgreSQL: the record half of ``Store.write``, and rows to values.

``PostgresStore.write`` checks everything first, opens one transaction, calls
``write_records`` here and then the jobs' own ``submit.insert_jobs`` on the same
cursor, so records and jobs commit together. A REPLACE that finds the record
missing or at another version raises, and leaving the transaction block with an
exception rolls all of it back. The SQL is in ``queries/records.sql``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncCursor
from psycopg.rows import DictRow

from ringback.core.errors import Conflict, NotFound, StoreError
from ringback.core.store.contract import Record, RecordResult, WriteMode
from ringback.core.store.postgres.named_queries import Queries
from ringback.core.store.postgres.rows import Row
from ringback.core.store.record_input import CheckedWrite, RecordQuery


async def write_records(
    cur: AsyncCursor[DictRow], queries: Queries, writes: Sequence[CheckedWrite], now: datetime
) -> list[RecordResult]:
    """Write the checked records in order on ``cur``, inside its transaction."""
    return [await _write_one(cur, queries, write, now) for write in writes]


async def _write_one(
    cur: AsyncCursor[DictRow], queries: Queries, write: CheckedWrite, now: datetime
) -> RecordResult:
    params = _params(write, now)
    if write.mode is WriteMode.INSERT:
        await cur.execute(queries["insert_record"], params)
        row = await cur.fetchone()
        if row is not None:
            return RecordResult(record=record_from_row(row), created=True)
        existing = await _get(cur, queries, write)
        if existing is None:
            # Only possible when the clashing row is invisible to this transaction
            # (REPEATABLE READ or SERIALIZABLE began before it committed).
            raise StoreError(
                f"record {write.namespace}/{write.key} exists but is not visible to this "
                "transaction; retry it in a new transaction"
            )
        return RecordResult(record=existing, created=False)
    if write.mode is WriteMode.UPSERT:
        await cur.execute(queries["upsert_record"], params)
        record = record_from_row(await _one(cur))
        return RecordResult(record=record, created=record.version == 1)
    await cur.execute(queries["replace_record"], {**params, "expect_version": write.expect_version})
    row = await cur.fetchone()
    if row is None:
        raise await _replace_failure(cur, queries, write)
    return RecordResult(record=record_from_row(row), created=False)


async def _replace_failure(
    cur: AsyncCursor[DictRow], queries: Queries, write: CheckedWrite
) -> Exception:
    current = await _get(cur, queries, write)
    if current is None:
        return NotFound(f"record {write.namespace}/{write.key} does not exist", field="key")
    return Conflict(
        f"record {write.namespace}/{write.key} is at version {current.version}, "
        f"not {write.expect_version}",
        field="expect_version",
    )


async def _get(cur: AsyncCursor[DictRow], queries: Queries, write: CheckedWrite) -> Record | None:
    await cur.execute(queries["get_record"], {"namespace": write.namespace, "key": write.key})
    row = await cur.fetchone()
    return None if row is None else record_from_row(row)


async def _one(cur: AsyncCursor[DictRow]) -> DictRow:
    row = await cur.fetchone()
    if row is None:  # an upsert always returns its row
        raise StoreError("the record upsert returned no row")
    return row


def _params(write: CheckedWrite, now: datetime) -> dict[str, Any]:
    return {
        "namespace": write.namespace,
        "key": write.key,
        "group_name": write.group,
        "ref_time": write.ref_time,
        "data": write.data_json,
        "now": now,
    }


def query_params(query: RecordQuery) -> dict[str, Any]:
    """Parameters of ``part_record_filter`` and the listing cursor; None switches off."""
    before_time, before_key = query.before if query.before is not None else (None, None)
    return {
        "namespace": query.namespace,
        "group_name": query.group,
        "ref_from": query.ref_from,
        "ref_to": query.ref_to,
        "before_time": before_time,
        "before_key": before_key,
    }


def record_from_row(row: Row) -> Record:
    return Record(
        namespace=row["namespace"],
        key=row["key"],
        data=row["data"],
        ref_time=row["ref_time"].astimezone(UTC),
        group=row["group_name"],
        version=int(row["version"]),
        created_at=row["created_at"].astimezone(UTC),
        updated_at=row["updated_at"].astimezone(UTC),
    )
