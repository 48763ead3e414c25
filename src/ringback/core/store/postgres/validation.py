"""Checks on what callers hand the PostgreSQL store, made before any SQL runs.

Every check raises ``InvalidInput`` naming the field, so a bad batch changes
nothing. Some limits are PostgreSQL's own: ``jsonb`` and ``text`` cannot hold the
NUL character, and ``jsonb`` has no NaN or Infinity; catching those here turns a
database error into an answer the caller can act on.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from ringback.core.errors import InvalidInput
from ringback.core.jobs import AttemptOutcome, JobState, Outcome

OUTCOME_STATES = frozenset({JobState.SCHEDULED, JobState.SUCCEEDED, JobState.DEAD})


def check_time(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a datetime", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} must be timezone-aware (UTC)", field=field)
    return value


def check_positive_int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{field} must be a positive integer", field=field)
    return value


def check_text(value: object, field: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{field} must be a non-empty string", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} must not contain the NUL character", field=field)
    return value


def check_lease(lease: object) -> timedelta:
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        raise InvalidInput("lease must be a positive duration", field="lease")
    return lease


_MAX_ID = 2**63 - 1  # bigserial


def could_be_id(value: object, field: str) -> bool:
    """Whether ``value`` may name a stored job: an integer that is not one is simply
    unknown (as with SQLite), while a non-integer is bad input."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be an integer", field=field)
    return 1 <= value <= _MAX_ID


def check_ids(job_ids: object, field: str = "job_ids") -> list[int]:
    """The ids that may name stored jobs (others cannot be held by anyone)."""
    if isinstance(job_ids, str | bytes) or not isinstance(job_ids, Sequence | set | frozenset):
        raise InvalidInput(f"{field} must be a sequence of job ids", field=field)
    return [job_id for job_id in job_ids if could_be_id(job_id, field)]


def check_names(names: Collection[str] | None, field: str) -> list[str] | None:
    """Queue or target names as a sorted list; a bare string is refused, since it is
    iterable and would silently mean its characters."""
    if names is None:
        return None
    if isinstance(names, str) or not isinstance(names, Collection):
        raise InvalidInput(f"{field} must be a collection of names", field=field)
    return sorted({str(check_text(name, field)) for name in names})


def json_text(value: object, field: str) -> str:
    """The compact JSON text of a JSON object, or InvalidInput naming ``field``."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{field} must be a JSON object", field=field)
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{field} is not valid JSON: {exc}", field=field) from None
    # json.dumps writes NUL as \u0000; the walk tells it from a literal backslash-u.
    if "\\u0000" in text and _holds_nul(value):
        raise InvalidInput(f"{field} must not contain the NUL character", field=field)
    return text


def check_labels(labels: object) -> dict[str, str]:
    if not isinstance(labels, Mapping):
        raise InvalidInput("labels must be a mapping of strings to strings", field="labels")
    for name, value in labels.items():
        check_text(name, "labels")
        if not isinstance(value, str) or "\x00" in value:
            raise InvalidInput(f"label {name!r} must be a string without NUL", field="labels")
    return dict(labels)


def check_outcome(outcome: object) -> Outcome:
    if not isinstance(outcome, Outcome):
        raise InvalidInput("outcomes must be Outcome values", field="outcomes")
    if outcome.state not in OUTCOME_STATES:
        raise InvalidInput("an outcome's state must be scheduled, succeeded or dead", field="state")
    if outcome.state is JobState.SCHEDULED or outcome.run_at is not None:
        check_time(outcome.run_at, "run_at")
    check_text(outcome.worker, "worker")
    attempt = outcome.attempt
    if attempt.job_id != outcome.job_id:
        raise InvalidInput("the attempt belongs to another job", field="attempt.job_id")
    check_time(attempt.started_at, "attempt.started_at")
    check_time(attempt.finished_at, "attempt.finished_at")
    check_positive_int(attempt.series, "attempt.series")
    check_positive_int(attempt.number, "attempt.number")
    check_text(attempt.worker, "attempt.worker")
    try:
        AttemptOutcome(attempt.outcome)
    except ValueError:
        raise InvalidInput(
            f"unknown attempt outcome {attempt.outcome!r}", field="outcome"
        ) from None
    return outcome


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False
