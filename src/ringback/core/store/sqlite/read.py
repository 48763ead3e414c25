"""Reads: single jobs, filtered pages, attempts, counts and due times."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from ringback.core.errors import InvalidInput
from ringback.core.jobs import Attempt, Job, JobState
from ringback.core.store.contract import JobFilter, JobPage, StateCounts
from ringback.core.store.sqlite.codec import (
    SqlParams,
    attempt_from_row,
    from_micros,
    job_from_row,
    name_list,
)
from ringback.core.store.sqlite.connection import read_transaction
from ringback.core.store.sqlite.filters import filtered, split_by_state
from ringback.core.store.sqlite.queries import SQL


def get_job(connection: sqlite3.Connection, job_id: int) -> Job | None:
    row = connection.execute(SQL["get_job"], {"id": job_id}).fetchone()
    return None if row is None else job_from_row(row)


def get_job_by_key(connection: sqlite3.Connection, key: str) -> Job | None:
    row = connection.execute(SQL["get_job_by_key"], {"key": key}).fetchone()
    return None if row is None else job_from_row(row)


def list_jobs(
    connection: sqlite3.Connection, where: JobFilter, limit: int, before_id: int | None
) -> JobPage:
    """Newest first; the cursor is an id, so jobs added meanwhile never shift a page."""
    check_limit(limit)
    # One row more than asked tells whether another page exists without a second query.
    parts = split_by_state(where) or [where]
    with read_transaction(connection):
        rows = [row for part in parts for row in _page_rows(connection, part, limit + 1, before_id)]
    if len(parts) > 1:
        rows = sorted(rows, key=lambda row: row["id"], reverse=True)[: limit + 1]
    jobs = [job_from_row(row) for row in rows[:limit]]
    next_cursor = jobs[-1].id if len(rows) > limit else None
    return JobPage(jobs=jobs, next_cursor=next_cursor)


def _page_rows(
    connection: sqlite3.Connection, where: JobFilter, limit: int, before_id: int | None
) -> list[sqlite3.Row]:
    sql, params = filtered("list_jobs", where, before_id)
    return connection.execute(sql, {**params, "limit": limit}).fetchall()


def count_jobs(connection: sqlite3.Connection, where: JobFilter) -> int:
    sql, params = filtered("count_jobs", where)
    return int(connection.execute(sql, params).fetchone()[0])


def list_attempts(connection: sqlite3.Connection, job_id: int) -> list[Attempt]:
    rows = connection.execute(SQL["list_attempts"], {"job_id": job_id})
    return [attempt_from_row(row) for row in rows]


def state_counts(connection: sqlite3.Connection) -> StateCounts:
    by_state: dict[JobState, int] = {}
    by_queue_state: dict[tuple[str, JobState], int] = {}
    for row in connection.execute(SQL["state_counts"]):
        state = JobState(row["state"])
        by_queue_state[(row["queue"], state)] = row["n"]
        by_state[state] = by_state.get(state, 0) + row["n"]
    return StateCounts(by_state=by_state, by_queue_state=by_queue_state)


def next_due_at(
    connection: sqlite3.Connection,
    queues: Sequence[str] | None,
    exclude_targets: Collection[str],
) -> datetime | None:
    """The earliest scheduled run_at or running lease expiry, skipping excluded targets."""
    queue_names = name_list(queues, "queues")
    params = {"exclude_targets": name_list(exclude_targets, "exclude_targets")}
    with read_transaction(connection):
        if queue_names is None:
            candidates = [
                _first_value(connection, "next_scheduled_at", params),
                _first_value(connection, "next_lease_expiry", params),
            ]
        else:
            # One ordered index range per queue beats one walk over a queue IN (...) set.
            candidates = [
                _first_value(connection, "next_scheduled_at_in_queue", {**params, "queue": queue})
                for queue in json.loads(queue_names)
            ]
            candidates.append(
                _first_value(
                    connection, "next_lease_expiry_in_queues", {**params, "queues": queue_names}
                )
            )
    present = [micros for micros in candidates if micros is not None]
    return from_micros(min(present)) if present else None


def _first_value(connection: sqlite3.Connection, query: str, params: SqlParams) -> int | None:
    row = connection.execute(SQL[query], params).fetchone()
    return None if row is None else row[0]


def list_due(connection: sqlite3.Connection, limit: int) -> list[Job]:
    """Pending jobs by due time: run_at when scheduled, lease expiry when running."""
    check_limit(limit)
    with read_transaction(connection):
        scheduled = [
            job_from_row(row) for row in connection.execute(SQL["due_scheduled"], {"limit": limit})
        ]
        running = [
            job_from_row(row) for row in connection.execute(SQL["due_running"], {"limit": limit})
        ]
    return sorted(scheduled + running, key=lambda job: (due_time(job), job.id))[:limit]


def due_time(job: Job) -> datetime:
    if job.state is JobState.RUNNING and job.lease_expires_at is not None:
        return job.lease_expires_at
    return job.run_at


def check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput("limit must be a positive integer", field="limit")
