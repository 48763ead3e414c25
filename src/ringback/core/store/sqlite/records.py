"""Domain records on SQLite: ``write`` (records and jobs in one transaction) and reads.

``write`` checks and encodes everything first (records and jobs), so bad input
changes nothing. Then, inside one ``BEGIN IMMEDIATE`` transaction, it writes the
records in order and inserts the jobs through enqueue's own code
(``submit.insert_encoded``). A REPLACE that finds the record missing or at another
version raises, and the transaction rolls back: none of the call is kept. The SQL is
in ``records.sql``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from typing import Any

from ringback.core.errors import Conflict, NotFound
from ringback.core.jobs import NewJob
from ringback.core.store.contract import (
    Record,
    RecordResult,
    RecordWrite,
    WriteMode,
    WriteResult,
)
from ringback.core.store.record_input import (
    CheckedWrite,
    RecordQuery,
    check_limit,
    check_name,
    check_record_writes,
)
from ringback.core.store.sqlite.codec import from_micros, load_object, to_micros
from ringback.core.store.sqlite.connection import write_transaction
from ringback.core.store.sqlite.newjobs import encode_new_jobs
from ringback.core.store.sqlite.queries import NamedQueries
from ringback.core.store.sqlite.submit import insert_encoded

RECORDS_SQL = NamedQueries(
    resources.files(__package__).joinpath("records.sql").read_text(encoding="utf-8")
)

# Open ends of a ref_time range (see records.sql); every datetime fits well inside.
_LOWEST_US = -(2**63)
_HIGHEST_US = 2**63 - 1


def write(
    connection: sqlite3.Connection,
    records: Sequence[RecordWrite],
    jobs: Sequence[NewJob],
    now: datetime,
) -> WriteResult:
    """Write ``records`` then enqueue ``jobs`` in one transaction (see ``Store.write``)."""
    now_us = to_micros(now, "now")
    writes = check_record_writes(records)
    encoded_jobs = encode_new_jobs(jobs, now_us)
    if not writes and not encoded_jobs:
        return WriteResult(records=[], jobs=[])
    with write_transaction(connection):
        stored = [_write_one(connection, write, now_us) for write in writes]
        inserted = insert_encoded(connection, encoded_jobs) if encoded_jobs else None
    enqueued = inserted.results()[0] if inserted is not None else []
    return WriteResult(records=stored, jobs=enqueued)


def _write_one(connection: sqlite3.Connection, write: CheckedWrite, now_us: int) -> RecordResult:
    params = _params(write, now_us)
    if write.mode is WriteMode.INSERT:
        row = connection.execute(RECORDS_SQL["insert_record"], params).fetchone()
        if row is not None:
            return RecordResult(record=record_from_row(row), created=True)
        existing = _get(connection, write.namespace, write.key)
        if existing is None:  # the write lock is ours: the clashing row cannot vanish
            raise RuntimeError(f"record {write.namespace}/{write.key} clashed yet is missing")
        return RecordResult(record=existing, created=False)
    if write.mode is WriteMode.UPSERT:
        row = connection.execute(RECORDS_SQL["upsert_record"], params).fetchone()
        record = record_from_row(row)
        return RecordResult(record=record, created=record.version == 1)
    params["expect_version"] = write.expect_version
    row = connection.execute(RECORDS_SQL["replace_record"], params).fetchone()
    if row is None:
        raise _replace_failure(connection, write)
    return RecordResult(record=record_from_row(row), created=False)


def _replace_failure(connection: sqlite3.Connection, write: CheckedWrite) -> Exception:
    current = _get(connection, write.namespace, write.key)
    if current is None:
        return NotFound(f"record {write.namespace}/{write.key} does not exist", field="key")
    return Conflict(
        f"record {write.namespace}/{write.key} is at version {current.version}, "
        f"not {write.expect_version}",
        field="expect_version",
    )


def _params(write: CheckedWrite, now_us: int) -> dict[str, Any]:
    return {
        "namespace": write.namespace,
        "key": write.key,
        "group_name": write.group,
        "ref_time": to_micros(write.ref_time, "ref_time"),
        "data": write.data_json,
        "now": now_us,
    }


def get_record(connection: sqlite3.Connection, namespace: str, key: str) -> Record | None:
    return _get(connection, check_name(namespace, "namespace"), check_name(key, "key"))


def _get(connection: sqlite3.Connection, namespace: str, key: str) -> Record | None:
    row = connection.execute(
        RECORDS_SQL["get_record"], {"namespace": namespace, "key": key}
    ).fetchone()
    return None if row is None else record_from_row(row)


def list_records(connection: sqlite3.Connection, query: RecordQuery, limit: int) -> list[Record]:
    params = _range_params(query)
    params["limit"] = check_limit(limit)
    # (ref_to, "") excludes ref_to itself, as no key sorts below the empty one.
    below: tuple[int, str] = (params.pop("ref_to"), "")
    if query.before is not None:
        before_time, before_key = query.before
        below = min(below, (to_micros(before_time, "before"), before_key))
    params["below_time"], params["below_key"] = below
    name = "list_records" if query.group is None else "list_records_in_group"
    return [record_from_row(row) for row in connection.execute(RECORDS_SQL[name], params)]


def count_records(connection: sqlite3.Connection, query: RecordQuery) -> int:
    name = "count_records" if query.group is None else "count_records_in_group"
    row = connection.execute(RECORDS_SQL[name], _range_params(query)).fetchone()
    return int(row[0])


def _range_params(query: RecordQuery) -> dict[str, Any]:
    params: dict[str, Any] = {
        "namespace": query.namespace,
        "ref_from": _LOWEST_US if query.ref_from is None else to_micros(query.ref_from, "ref_from"),
        "ref_to": _HIGHEST_US if query.ref_to is None else to_micros(query.ref_to, "ref_to"),
    }
    if query.group is not None:
        params["group_name"] = query.group
    return params


def record_from_row(row: sqlite3.Row) -> Record:
    return Record(
        namespace=row["namespace"],
        key=row["key"],
        data=load_object(row["data"]),
        ref_time=from_micros(row["ref_time"]),
        group=row["group_name"],
        version=row["version"],
        created_at=from_micros(row["created_at"]),
        updated_at=from_micros(row["updated_at"]),
    )
