"""Turn ringback's values into the parameters of the named queries.

Batches travel as one array per column and are expanded by ``unnest`` on the
server, so a batch of any size is one statement and one round trip. The arrays go
in binary (``%(name)b`` in the SQL): psycopg's text array format escapes every
element with a regular expression, which cost more than the insert itself. JSON
fields travel as ``text[]`` holding the JSON serialised once during validation. Everything here
is pure: no connection, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from ringback.core.errors import InvalidInput
from ringback.core.jobs import (
    ATTEMPT_EXCERPT_BYTES,
    AttemptOutcome,
    JobKind,
    JobState,
    NewJob,
    Outcome,
)
from ringback.core.store.contract import JobFilter
from ringback.core.store.postgres.validation import (
    check_labels,
    check_text,
    check_time,
    json_text,
)

Params = dict[str, Any]


def id_sequence(schema: str) -> str:
    """The jobs id sequence as a regclass literal (schema names are already checked)."""
    return f'"{schema}".jobs_id_seq'


@dataclass(frozen=True, slots=True)
class EncodedJob:
    """A checked ``NewJob`` with its JSON fields already serialised (once)."""

    kind: str
    queue: str
    key: str | None
    target: str | None
    labels: str
    payload: str
    policy: str
    run_at: datetime


def encode_new_job(job: object) -> EncodedJob:
    """Check every field, so a bad job is refused before any SQL runs."""
    if not isinstance(job, NewJob):
        raise InvalidInput("jobs must be NewJob values", field="jobs")
    try:
        kind = JobKind(job.kind).value
    except ValueError:
        raise InvalidInput(f"unknown job kind {job.kind!r}", field="kind") from None
    return EncodedJob(
        kind=kind,
        queue=str(check_text(job.queue, "queue")),
        key=check_text(job.key, "key", optional=True),
        target=check_text(job.target, "target", optional=True),
        labels=json_text(check_labels(job.labels), "labels"),
        payload=json_text(job.payload, "payload"),
        policy=json_text(job.policy, "policy"),
        run_at=check_time(job.run_at, "run_at"),
    )


def new_jobs_params(jobs: Sequence[EncodedJob], now: datetime, schema: str) -> Params:
    return {
        "id_sequence": id_sequence(schema),
        "kinds": [job.kind for job in jobs],
        "queues": [job.queue for job in jobs],
        "keys": [job.key for job in jobs],
        "targets": [job.target for job in jobs],
        "labels": [job.labels for job in jobs],
        "payloads": [job.payload for job in jobs],
        "policies": [job.policy for job in jobs],
        "run_ats": [job.run_at for job in jobs],
        "now": now,
    }


def attempts_params(outcomes: Sequence[Outcome]) -> Params:
    attempts = [outcome.attempt for outcome in outcomes]
    return {
        "job_ids": [attempt.job_id for attempt in attempts],
        "series": [attempt.series for attempt in attempts],
        "numbers": [attempt.number for attempt in attempts],
        "started_ats": [attempt.started_at for attempt in attempts],
        "finished_ats": [attempt.finished_at for attempt in attempts],
        "outcomes": [AttemptOutcome(attempt.outcome).value for attempt in attempts],
        "workers": [log_text(attempt.worker) for attempt in attempts],
        "status_codes": [attempt.status_code for attempt in attempts],
        "excerpts": [excerpt(attempt.response_excerpt) for attempt in attempts],
        "errors": [log_text(attempt.error) for attempt in attempts],
    }


def apply_params(outcomes: Sequence[Outcome], now: datetime) -> Params:
    """The job updates; only the first outcome per job counts, as if applied in
    order: it clears the lease, so a later one for the same job could not apply."""
    first: dict[int, Outcome] = {}
    for outcome in outcomes:
        first.setdefault(outcome.job_id, outcome)
    chosen = list(first.values())
    return {
        "job_ids": [outcome.job_id for outcome in chosen],
        "workers": [outcome.worker for outcome in chosen],
        "series": [outcome.attempt.series for outcome in chosen],
        "states": [str(outcome.state) for outcome in chosen],
        "run_ats": [
            outcome.run_at if outcome.state is JobState.SCHEDULED else None for outcome in chosen
        ],
        "errors": [log_text(outcome.last_error) for outcome in chosen],
        "now": now,
    }


def filter_params(where: JobFilter) -> Params:
    """Parameters of the ``job_filter`` predicates; None switches a predicate off."""
    if not isinstance(where, JobFilter):
        raise InvalidInput("where must be a JobFilter", field="where")
    try:
        states = sorted(JobState(state).value for state in where.states) or None
    except ValueError:
        raise InvalidInput("unknown job state in the filter", field="states") from None
    try:
        kinds = sorted(JobKind(kind).value for kind in where.kinds) or None
    except ValueError:
        raise InvalidInput("unknown job kind in the filter", field="kinds") from None
    label = None
    if where.label is not None:
        if len(where.label) != 2 or not all(isinstance(part, str) for part in where.label):
            raise InvalidInput("label must be a (name, value) pair of strings", field="label")
        name, value = where.label
        label = Jsonb({check_text(name, "label"): value})
    created_from = created_to = None
    if where.created_from is not None:
        created_from = check_time(where.created_from, "created_from")
    if where.created_to is not None:
        created_to = check_time(where.created_to, "created_to")
    return {
        "states": states,
        "kinds": kinds,
        "queue": check_text(where.queue, "queue", optional=True),
        "key": check_text(where.key, "key", optional=True),
        "target": check_text(where.target, "target", optional=True),
        "label": label,
        "created_from": created_from,
        "created_to": created_to,
    }


def log_text(text: str | None) -> str | None:
    """Text for a log column: PostgreSQL ``text`` cannot hold NUL, which an HTTP
    body or a command's output may contain; U+FFFD marks where it was."""
    return None if text is None else text.replace("\x00", "\ufffd")


def excerpt(text: str | None) -> str | None:
    """At most ``ATTEMPT_EXCERPT_BYTES`` of UTF-8, cut on a character boundary."""
    if text is None:
        return None
    cut = text.encode("utf-8")[:ATTEMPT_EXCERPT_BYTES].decode("utf-8", errors="ignore")
    return log_text(cut)
