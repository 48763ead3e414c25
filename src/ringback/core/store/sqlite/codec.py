"""Conversions between ringback's values and SQLite columns.

Times are stored as integer microseconds since the Unix epoch (UTC): exact, sortable
and index-friendly. JSON values are stored as compact TEXT. Input that cannot be stored
faithfully is refused with ``InvalidInput`` before anything is written.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from ringback.core.errors import InvalidInput
from ringback.core.jobs import (
    Attempt,
    AttemptOutcome,
    Job,
    JobKind,
    JobState,
    JsonObject,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)

SqlParams = dict[str, Any]

# One encoder for all: json.dumps with non-default options builds a new encoder per call,
# which costs more than encoding a small payload.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def to_micros(when: datetime, field: str) -> int:
    """Aware datetime -> integer microseconds since the epoch; naive times are refused."""
    try:
        return (when - EPOCH) // _ONE_MICROSECOND
    except TypeError:  # naive (or not a datetime): subtracting an aware one fails
        raise InvalidInput(f"{field} must be a timezone-aware datetime", field=field) from None


def optional_micros(when: datetime | None, field: str) -> int | None:
    return None if when is None else to_micros(when, field)


@functools.lru_cache(maxsize=4096)
def from_micros(micros: int) -> datetime:
    # Cached: a claimed batch shares its lease, update and often due times, and a
    # datetime is immutable, so one object per distinct instant is safe to share.
    return EPOCH + timedelta(microseconds=micros)


def optional_datetime(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


def dump_json(value: object, field: str) -> str:
    try:
        return _ENCODER.encode(value)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"{field} is not JSON-serialisable: {error}", field=field) from None


def json_list(values: Iterable[object]) -> str:
    """A JSON array for ``json_each`` parameters (ids, keys, queue names, states)."""
    return json.dumps(list(values))


def name_list(names: Iterable[str] | None, field: str) -> str | None:
    """A JSON array of distinct names (queues, targets) for ``json_each``.

    A bare string is refused: it is iterable, and would silently mean its characters.
    """
    if names is None:
        return None
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise InvalidInput(f"{field} must be a collection of strings", field=field)
    return json.dumps(sorted(set(names)))


# Enum lookups by value without the Enum call machinery (a claim decodes thousands).
_KINDS = {kind.value: kind for kind in JobKind}
_STATES = {state.value: state for state in JobState}


def job_from_row(row: sqlite3.Row) -> Job:
    labels = row["labels"]
    return Job(
        id=row["id"],
        kind=_KINDS.get(row["kind"]) or JobKind(row["kind"]),
        queue=row["queue"],
        key=row["key"],
        target=row["target"],
        labels={} if labels == "{}" else load_object(labels),
        payload=load_object(row["payload"]),
        policy=load_object(row["policy"]),
        state=_STATES.get(row["state"]) or JobState(row["state"]),
        run_at=from_micros(row["run_at"]),
        attempts=row["attempts"],
        series=row["series"],
        series_started_at=from_micros(row["series_started_at"]),
        created_at=from_micros(row["created_at"]),
        updated_at=from_micros(row["updated_at"]),
        lease_owner=row["lease_owner"],
        lease_expires_at=optional_datetime(row["lease_expires_at"]),
        last_error=row["last_error"],
        finished_at=optional_datetime(row["finished_at"]),
    )


# The attempts table's columns as ``encode_attempt`` names them, in the table's order.
ATTEMPT_COLUMNS = (
    "job_id",
    "series",
    "number",
    "started_at",
    "finished_at",
    "outcome",
    "worker",
    "status_code",
    "response_excerpt",
    "error",
)


def encode_attempt(attempt: Attempt) -> SqlParams:
    try:
        outcome = AttemptOutcome(attempt.outcome).value
    except ValueError:
        raise InvalidInput(
            f"unknown attempt outcome {attempt.outcome!r}", field="outcome"
        ) from None
    return {
        "job_id": attempt.job_id,
        "series": attempt.series,
        "number": attempt.number,
        "started_at": to_micros(attempt.started_at, "started_at"),
        "finished_at": to_micros(attempt.finished_at, "finished_at"),
        "outcome": outcome,
        "worker": attempt.worker,
        "status_code": attempt.status_code,
        "response_excerpt": attempt.response_excerpt,
        "error": attempt.error,
    }


def attempt_from_row(row: sqlite3.Row) -> Attempt:
    return Attempt(
        id=row["id"],
        job_id=row["job_id"],
        series=row["series"],
        number=row["number"],
        started_at=from_micros(row["started_at"]),
        finished_at=from_micros(row["finished_at"]),
        outcome=AttemptOutcome(row["outcome"]),
        worker=row["worker"],
        status_code=row["status_code"],
        response_excerpt=row["response_excerpt"],
        error=row["error"],
    )


def load_object(text: str) -> JsonObject:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("a JSON column holds a non-object value")
    return value
