"""Which operator actions each job state allows (pure decisions, no I/O).

The store locks the row, asks here, and writes only when the answer is yes, so the
rule lives in one place instead of in three ``WHERE`` clauses.
"""

from __future__ import annotations

from ringback.core.errors import Conflict
from ringback.core.jobs import Job, JobState

_CANCELLABLE = frozenset({JobState.SCHEDULED, JobState.RUNNING})
_RETRYABLE = frozenset({JobState.DEAD, JobState.CANCELLED})
_RESCHEDULABLE = frozenset({JobState.SCHEDULED})


def ensure_cancellable(job: Job) -> None:
    if job.state not in _CANCELLABLE:
        raise Conflict(f"job {job.id} is {job.state} and cannot be cancelled", field="state")


def ensure_retryable(job: Job) -> None:
    if job.state not in _RETRYABLE:
        raise Conflict(
            f"job {job.id} is {job.state}; only dead or cancelled jobs can be retried",
            field="state",
        )


def ensure_reschedulable(job: Job) -> None:
    if job.state not in _RESCHEDULABLE:
        raise Conflict(
            f"job {job.id} is {job.state}; only scheduled jobs can be rescheduled",
            field="state",
        )
