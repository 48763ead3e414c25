"""The job and attempt records that every layer shares.

These are plain immutable values. The store persists them, the dispatcher turns
claimed jobs into ``Outcome`` values, and interfaces render them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JsonObject = dict[str, Any]


class JobState(enum.StrEnum):
    SCHEDULED = "scheduled"  # waiting for run_at
    RUNNING = "running"  # claimed by a worker under a lease
    SUCCEEDED = "succeeded"
    DEAD = "dead"  # the policy gave up, or the job failed for good
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.DEAD, JobState.CANCELLED})


class JobKind(enum.StrEnum):
    HTTP = "http"  # an HTTP callback
    TASK = "task"  # a registered Python callable
    COMMAND = "command"  # a command defined in the configuration


class AttemptOutcome(enum.StrEnum):
    SUCCESS = "success"
    RETRY = "retry"  # failed, and the policy will try again
    GAVE_UP = "gave_up"  # failed, and the policy gave up: the job is dead
    FAILED = "failed"  # failed for good (not retryable): the job is dead
    LEASE_LOST = "lease_lost"  # the worker stopped before finishing; handed back


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job as submitted, before the store gives it an id."""

    kind: JobKind
    payload: JsonObject  # kind-specific: for HTTP the request, for a task its args
    policy: JsonObject  # a policy spec, see ringback.core.policies
    run_at: datetime  # first attempt time
    queue: str = "default"
    key: str | None = None  # idempotency key, unique across all jobs
    target: str | None = None  # what concurrency is limited by (HTTP: the host)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: JobKind
    queue: str
    key: str | None
    target: str | None
    labels: dict[str, str]
    payload: JsonObject
    policy: JsonObject
    state: JobState
    run_at: datetime  # next attempt (scheduled) or the attempt under way (running)
    attempts: int  # attempts made in the current series
    series: int  # 1 for the first series; each manual retry starts a new one
    series_started_at: datetime  # when the current series began (deadlines count from it)
    created_at: datetime
    updated_at: datetime
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at a job, as recorded."""

    job_id: int
    series: int
    number: int  # 1-based within the series
    started_at: datetime
    finished_at: datetime
    outcome: AttemptOutcome
    worker: str
    status_code: int | None = None  # HTTP status, or a command's exit code
    response_excerpt: str | None = None  # first 2 KB of the answer or output
    error: str | None = None
    id: int | None = None  # set by the store

    @property
    def duration_ms(self) -> int:
        return int((self.finished_at - self.started_at).total_seconds() * 1000)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a worker decided about one claimed job; the store applies it atomically.

    The store applies it only if ``worker`` still holds the job's lease; otherwise
    the outcome is dropped (another worker has the job now) and the attempt is
    still recorded for the log.
    """

    job_id: int
    worker: str
    attempt: Attempt
    state: JobState  # SCHEDULED (retry), SUCCEEDED or DEAD
    run_at: datetime | None  # the next attempt when state is SCHEDULED
    last_error: str | None = None
    # Jobs enqueued in the same transaction, and only if the outcome is applied (a
    # dead-job alert): a crash cannot separate the two. Their keys make them idempotent.
    follow_ups: tuple[NewJob, ...] = ()


ATTEMPT_EXCERPT_BYTES = 2048
