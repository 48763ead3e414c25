"""The worker's side: claiming under a lease, renewing, recording outcomes, releasing.

Every operation is one ``BEGIN IMMEDIATE`` transaction. SQLite admits one writer at a
time across all processes, so a job picked and marked RUNNING inside one of these
transactions cannot be picked by anyone else: two claimers never get the same job.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from ringback.core.errors import InvalidInput
from ringback.core.jobs import FINAL_STATES, Job, JobState, Outcome
from ringback.core.store.sqlite.codec import (
    ATTEMPT_COLUMNS,
    SqlParams,
    encode_attempt,
    job_from_row,
    json_list,
    name_list,
    optional_micros,
    to_micros,
)
from ringback.core.store.sqlite.connection import write_transaction
from ringback.core.store.sqlite.newjobs import NewRow, encode_new_jobs
from ringback.core.store.sqlite.queries import SQL
from ringback.core.store.sqlite.read import check_limit
from ringback.core.store.sqlite.submit import insert_encoded

# Compact JSON for the batch parameters; NaN cannot occur (no floats in an outcome).
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_OUTCOME_STATES = frozenset({JobState.SCHEDULED, JobState.SUCCEEDED, JobState.DEAD})


def claim(
    connection: sqlite3.Connection,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    queues: Sequence[str] | None,
    exclude_targets: Collection[str],
) -> list[Job]:
    check_limit(limit)
    _check_worker(worker)
    if lease <= timedelta(0):
        raise InvalidInput("lease must be positive", field="lease")
    params: SqlParams = {
        "worker": worker,
        "now": to_micros(now, "now"),
        "lease_expires_at": to_micros(now + lease, "lease"),
        "limit": limit,
        "exclude_targets": name_list(exclude_targets, "exclude_targets"),
    }
    queue_names = name_list(queues, "queues")
    with write_transaction(connection):
        if queue_names is None:
            rows = connection.execute(SQL["claim_due"], params).fetchall()
        else:
            ids = _due_ids_in_queues(connection, params, queue_names)
            rows = connection.execute(
                SQL["claim_ids"], {**params, "ids": json_list(ids)}
            ).fetchall()
    jobs = [job_from_row(row) for row in rows]
    # RETURNING gives no order; the contract promises earliest run_at first.
    return sorted(jobs, key=lambda job: (job.run_at, job.id))


def _due_ids_in_queues(
    connection: sqlite3.Connection, params: SqlParams, queue_names: str
) -> list[int]:
    """The ``limit`` earliest due ids across the queues: one bounded index range per queue."""
    candidates: list[tuple[int, int]] = []
    for queue in json.loads(queue_names):
        rows = connection.execute(SQL["due_scheduled_in_queue"], {**params, "queue": queue})
        candidates.extend((row["run_at"], row["id"]) for row in rows)
    expired = connection.execute(SQL["expired_leases_in_queues"], {**params, "queues": queue_names})
    candidates.extend((row["run_at"], row["id"]) for row in expired)
    return [job_id for _, job_id in sorted(candidates)[: params["limit"]]]


def renew_leases(
    connection: sqlite3.Connection,
    *,
    worker: str,
    job_ids: Sequence[int],
    now: datetime,
    lease: timedelta,
) -> set[int]:
    _check_worker(worker)
    if not job_ids:
        return set()
    params = {
        "worker": worker,
        "ids": json_list(job_ids),
        "now": to_micros(now, "now"),
        "lease_expires_at": to_micros(now + lease, "lease"),
    }
    with write_transaction(connection):
        rows = connection.execute(SQL["renew_leases"], params).fetchall()
    return {row["id"] for row in rows}


def record_outcomes(
    connection: sqlite3.Connection, outcomes: Sequence[Outcome], now: datetime
) -> tuple[set[int], int]:
    """Insert every attempt; apply each outcome only where its worker holds the lease,
    and enqueue the follow-ups of those applied. The ids applied, and how many
    follow-up jobs were created."""
    now_us = to_micros(now, "now")
    prepared = [_prepare_outcome(outcome, now_us) for outcome in outcomes]
    follow_ups = [
        encode_new_jobs(outcome.follow_ups, now_us) if outcome.follow_ups else []
        for outcome in outcomes
    ]
    if not prepared:
        return set(), 0
    with write_transaction(connection):
        if len({outcome.job_id for outcome in outcomes}) < len(outcomes):
            # Two outcomes of one job: the first applies and the second finds the job no
            # longer running; only the one-by-one path keeps that order.
            applied_at = _apply_one_by_one(connection, prepared, now_us)
        else:
            applied_at = _apply_batch(connection, prepared, now_us)
        rows = [row for index in applied_at for row in follow_ups[index]]
        created = _insert_follow_ups(connection, rows)
    return {outcomes[index].job_id for index in applied_at}, created


def _apply_batch(
    connection: sqlite3.Connection, prepared: list[tuple[list[object], list[object]]], now_us: int
) -> list[int]:
    """Apply a batch of outcomes of distinct jobs; the indexes of those applied."""
    attempts = _ENCODER.encode([attempt for attempt, _ in prepared])
    changes = _ENCODER.encode([change for _, change in prepared])
    connection.execute(SQL["insert_attempts"], {"attempts": attempts})
    rows = connection.execute(SQL["apply_outcomes"], {"outcomes": changes, "now": now_us})
    applied = {row[0] for row in rows}
    return [index for index, (_, change) in enumerate(prepared) if change[0] in applied]


def _apply_one_by_one(
    connection: sqlite3.Connection, prepared: list[tuple[list[object], list[object]]], now_us: int
) -> list[int]:
    applied_at: list[int] = []
    for index, (attempt, change) in enumerate(prepared):
        connection.execute(SQL["insert_attempts"], {"attempts": _ENCODER.encode([attempt])})
        rows = connection.execute(
            SQL["apply_outcomes"], {"outcomes": _ENCODER.encode([change]), "now": now_us}
        ).fetchall()
        if rows:
            applied_at.append(index)
    return applied_at


def _insert_follow_ups(connection: sqlite3.Connection, rows: list[NewRow]) -> int:
    if not rows:
        return 0
    _, created = insert_encoded(connection, rows).results()
    return created


def _prepare_outcome(outcome: Outcome, now_us: int) -> tuple[list[object], list[object]]:
    """Validate and encode one outcome (before the transaction: bad input changes nothing).

    The two lists are rows of ``insert_attempts`` and ``apply_outcomes``, in their order.
    """
    if outcome.state not in _OUTCOME_STATES:
        raise InvalidInput(
            f"an outcome moves a job to scheduled, succeeded or dead, not {outcome.state}",
            field="state",
        )
    if outcome.state is JobState.SCHEDULED and outcome.run_at is None:
        raise InvalidInput("a retry outcome needs run_at", field="run_at")
    if outcome.attempt.job_id != outcome.job_id:
        raise InvalidInput("the attempt belongs to another job", field="attempt")
    attempt = encode_attempt(outcome.attempt)
    change: list[object] = [
        outcome.job_id,
        outcome.worker,
        outcome.attempt.series,
        outcome.state.value,
        optional_micros(outcome.run_at, "run_at") if outcome.state is JobState.SCHEDULED else None,
        outcome.last_error,
        now_us if outcome.state in FINAL_STATES else None,
    ]
    return [attempt[column] for column in ATTEMPT_COLUMNS], change


def release(
    connection: sqlite3.Connection,
    *,
    worker: str,
    job_ids: Sequence[int],
    run_at: datetime,
    now: datetime,
) -> int:
    _check_worker(worker)
    if not job_ids:
        return 0
    params = {
        "worker": worker,
        "ids": json_list(job_ids),
        "run_at": to_micros(run_at, "run_at"),
        "now": to_micros(now, "now"),
    }
    with write_transaction(connection):
        return connection.execute(SQL["release_leases"], params).rowcount


def _check_worker(worker: str) -> None:
    if not isinstance(worker, str) or not worker:
        raise InvalidInput("worker must be a non-empty string", field="worker")
