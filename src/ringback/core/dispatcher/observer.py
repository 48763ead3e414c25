"""Hooks the dispatcher calls after each recorded attempt, for logs, metrics and alerts.

Observers must be quick and must not raise: they run on the dispatcher's loop. An
observer that also has ``follow_ups`` (a ``FollowUpSource``) adds jobs to an outcome
before it is written; the store enqueues them in the outcome's own transaction, and
only if the outcome is applied, so no crash can separate the two.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from ringback.core.jobs import Job, JobState, NewJob, Outcome

log = logging.getLogger("ringback.dispatcher")


class DispatchObserver(Protocol):
    def on_start(self, job: Job, started_at: datetime) -> None:
        """Called as an attempt starts (lateness = started_at - job.run_at)."""
        ...

    def on_outcome(self, job: Job, outcome: Outcome, *, applied: bool) -> None:
        """Called once the outcome is stored; ``applied`` is False when the lease
        had been lost (the attempt is recorded, the job row was left alone)."""
        ...


@runtime_checkable
class FollowUpSource(Protocol):
    def follow_ups(self, job: Job, outcome: Outcome) -> Sequence[NewJob]:
        """Jobs to enqueue with ``outcome`` if it is applied (already validated: one
        the store refuses costs the whole batch its follow-ups, see the recorder)."""
        ...


class LoggingObserver:
    """One line per attempt, and one more when the job reaches a final state."""

    def on_start(self, job: Job, started_at: datetime) -> None:
        return None

    def on_outcome(self, job: Job, outcome: Outcome, *, applied: bool) -> None:
        attempt = outcome.attempt
        extra = {"job_id": job.id, "attempt": attempt.number, "outcome": attempt.outcome.value}
        if log.isEnabledFor(logging.INFO):  # at warning level, skip building the line
            log.info(
                "job %s attempt %s/%s %s status=%s duration_ms=%s%s",
                job.id,
                job.series,
                attempt.number,
                attempt.outcome.value,
                "-" if attempt.status_code is None else attempt.status_code,
                attempt.duration_ms,
                "" if attempt.error is None else f" error={attempt.error!r}",
                extra=extra,
            )
        if not applied:
            log.warning("job %s outcome dropped: lease lost", job.id, extra=extra)
        elif outcome.state is JobState.SCHEDULED and outcome.run_at is not None:
            log.info(
                "job %s scheduled for %s",
                job.id,
                outcome.run_at.isoformat(),
                extra=extra,
            )
        elif outcome.state is JobState.DEAD:
            log.error("job %s dead: %s", job.id, outcome.last_error, extra=extra)
        else:
            log.info("job %s %s", job.id, outcome.state.value, extra=extra)
