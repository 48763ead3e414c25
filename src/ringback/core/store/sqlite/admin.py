"""Operator actions (cancel, retry, reschedule) and retention (purge)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ringback.core.errors import Conflict, InvalidInput, NotFound
from ringback.core.jobs import Job, JobState
from ringback.core.store.sqlite.codec import SqlParams, job_from_row, to_micros
from ringback.core.store.sqlite.connection import write_transaction
from ringback.core.store.sqlite.queries import SQL


def cancel(connection: sqlite3.Connection, job_id: int, now: datetime) -> Job:
    return _transition(
        connection, "cancel_job", {"id": job_id, "now": to_micros(now, "now")}, "cancel"
    )


def retry(connection: sqlite3.Connection, job_id: int, run_at: datetime, now: datetime) -> Job:
    params = {"id": job_id, "run_at": to_micros(run_at, "run_at"), "now": to_micros(now, "now")}
    return _transition(connection, "retry_job", params, "retry")


def reschedule(connection: sqlite3.Connection, job_id: int, run_at: datetime, now: datetime) -> Job:
    params = {"id": job_id, "run_at": to_micros(run_at, "run_at"), "now": to_micros(now, "now")}
    return _transition(connection, "reschedule_job", params, "reschedule")


def _transition(connection: sqlite3.Connection, query: str, params: SqlParams, action: str) -> Job:
    """Run a guarded UPDATE; when it matches nothing, tell NotFound from Conflict."""
    with write_transaction(connection):
        row = connection.execute(SQL[query], params).fetchone()
        if row is not None:
            return job_from_row(row)
        current = connection.execute(SQL["job_state"], {"id": params["id"]}).fetchone()
    if current is None:
        raise NotFound(f"job {params['id']} does not exist", field="id")
    raise Conflict(f"cannot {action} job {params['id']}: it is {JobState(current['state'])}")


def purge_finished(connection: sqlite3.Connection, *, older_than: datetime, batch_size: int) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInput("batch_size must be a positive integer", field="batch_size")
    params = {"older_than": to_micros(older_than, "older_than"), "batch_size": batch_size}
    with write_transaction(connection):
        return connection.execute(SQL["purge_finished"], params).rowcount
