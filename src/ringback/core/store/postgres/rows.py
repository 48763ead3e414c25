"""Turn rows of ``{schema}.jobs`` and ``{schema}.attempts`` into ringback's values.

Rows arrive as dicts (``psycopg.rows.dict_row``), so extra columns a query adds
(``ord``, ``due_at``) are simply ignored. Times are normalised to UTC whatever the
session time zone, because ``Job`` promises UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ringback.core.jobs import Attempt, AttemptOutcome, Job, JobKind, JobState

Row = Mapping[str, Any]


def job_from_row(row: Row) -> Job:
    return Job(
        id=int(row["id"]),
        kind=JobKind(row["kind"]),
        queue=row["queue"],
        key=row["key"],
        target=row["target"],
        labels=dict(row["labels"]),
        payload=row["payload"],
        policy=row["policy"],
        state=JobState(row["state"]),
        run_at=_utc(row["run_at"]),
        attempts=int(row["attempts"]),
        series=int(row["series"]),
        series_started_at=_utc(row["series_started_at"]),
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
        lease_owner=row["lease_owner"],
        lease_expires_at=_utc_or_none(row["lease_expires_at"]),
        last_error=row["last_error"],
        finished_at=_utc_or_none(row["finished_at"]),
    )


def attempt_from_row(row: Row) -> Attempt:
    return Attempt(
        id=int(row["id"]),
        job_id=int(row["job_id"]),
        series=int(row["series"]),
        number=int(row["number"]),
        started_at=_utc(row["started_at"]),
        finished_at=_utc(row["finished_at"]),
        outcome=AttemptOutcome(row["outcome"]),
        worker=row["worker"],
        status_code=row["status_code"],
        response_excerpt=row["response_excerpt"],
        error=row["error"],
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)
