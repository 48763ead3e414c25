"""Enqueueing: one write transaction per batch, idempotent by key.

Within the transaction (which holds SQLite's single write lock):

1. repeats of a key inside the batch are folded onto its first occurrence;
2. the rows are inserted with ``executemany`` under ids allocated here
   (``next_job_id`` onward; AUTOINCREMENT's sequence follows them, so ids are never
   reused), and a row whose key already names a job is skipped by ``ON CONFLICT``;
3. only if fewer rows went in than were sent are the batch's keys looked up, to find
   the existing jobs. The common case costs no lookup at all.

Knowing the ids up front means nothing has to be read back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ringback.core.jobs import Job, NewJob
from ringback.core.store.contract import EnqueueResult
from ringback.core.store.sqlite.codec import job_from_row, json_list, to_micros
from ringback.core.store.sqlite.connection import write_transaction
from ringback.core.store.sqlite.newjobs import ID, KEY, NewRow, created_jobs, encode_new_jobs
from ringback.core.store.sqlite.queries import SQL


def enqueue(
    connection: sqlite3.Connection, jobs: Sequence[NewJob], now: datetime
) -> tuple[list[EnqueueResult], int]:
    """Store ``jobs`` in one transaction; return the results and how many were created."""
    # Encode (and so validate) everything before the transaction: bad input changes nothing.
    encoded = encode_new_jobs(jobs, to_micros(now, "now"))
    if not encoded:
        return [], 0
    with write_transaction(connection):
        inserted = insert_encoded(connection, encoded)
    return inserted.results()


@dataclass(frozen=True, slots=True)
class InsertedJobs:
    """What ``insert_encoded`` did. The results are built from it after the commit, so
    the write lock is not held while the returned jobs are decoded."""

    rows: list[NewRow]
    row_of_job: list[int]
    existing: dict[str, Job]

    def results(self) -> tuple[list[EnqueueResult], int]:
        """The results in submission order, and how many jobs were created."""
        existing = self.existing
        new_rows = [row for row in self.rows if row[KEY] not in existing]
        created = iter(created_jobs(new_rows))
        outcome_of_row = [
            (existing[row[KEY]], False) if row[KEY] in existing else (next(created), True)
            for row in self.rows
        ]
        results: list[EnqueueResult] = []
        reported: set[int] = set()
        for index in self.row_of_job:
            job, created_now = outcome_of_row[index]
            results.append(EnqueueResult(job=job, created=created_now and index not in reported))
            reported.add(index)
        return results, len(new_rows)


def insert_encoded(connection: sqlite3.Connection, encoded: list[NewRow]) -> InsertedJobs:
    """Insert ``encode_new_jobs`` rows inside the caller's write transaction: ``enqueue``'s
    own, or ``Store.write``'s, where records commit together with the jobs."""
    rows, row_of_job = _fold_repeated_keys(encoded)
    next_id = int(connection.execute(SQL["next_job_id"]).fetchone()[0])
    for offset, row in enumerate(rows):
        row[ID] = next_id + offset
    inserted = connection.executemany(SQL["insert_job"], rows).rowcount
    existing = _existing_jobs(connection, rows) if inserted < len(rows) else {}
    return InsertedJobs(rows, row_of_job, existing)


def _fold_repeated_keys(encoded: list[NewRow]) -> tuple[list[NewRow], list[int]]:
    """The rows to insert, and for each submitted job the index of its row."""
    rows: list[NewRow] = []
    row_of_job: list[int] = []
    row_of_key: dict[str, int] = {}
    for params in encoded:
        key = params[KEY]
        if key is not None and key in row_of_key:
            row_of_job.append(row_of_key[key])
            continue
        if key is not None:
            row_of_key[key] = len(rows)
        row_of_job.append(len(rows))
        rows.append(params)
    return rows, row_of_job


def _existing_jobs(connection: sqlite3.Connection, rows: list[NewRow]) -> dict[str, Job]:
    """The jobs, by key, that were there before this batch (not the ids we just used)."""
    ids_by_key = {row[KEY]: row[ID] for row in rows if row[KEY] is not None}
    found = connection.execute(SQL["jobs_by_keys"], {"keys": json_list(ids_by_key)})
    return {row["key"]: job_from_row(row) for row in found if row["id"] != ids_by_key[row["key"]]}
