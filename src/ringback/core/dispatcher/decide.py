"""The pure decision: an attempt's result becomes an ``Outcome`` for the store.

No I/O here, so every rule (success, give up, Retry-After, deadlines) is tested
without a database or a network.
"""

from __future__ import annotations

from datetime import datetime

from ringback.core.executors.base import ExecutionResult, ResultKind
from ringback.core.jobs import Attempt, AttemptOutcome, Job, JobState, Outcome
from ringback.core.policies import GiveUp, Policy


def decide_outcome(
    job: Job,
    result: ExecutionResult,
    *,
    policy: Policy,
    worker: str,
    started_at: datetime,
    finished_at: datetime,
) -> Outcome:
    number = job.attempts + 1

    def attempt(outcome: AttemptOutcome, error: str | None) -> Attempt:
        return Attempt(
            job_id=job.id,
            series=job.series,
            number=number,
            started_at=started_at,
            finished_at=finished_at,
            outcome=outcome,
            worker=worker,
            status_code=result.status_code,
            response_excerpt=result.response_excerpt,
            error=error,
        )

    if result.kind is ResultKind.SUCCESS:
        return Outcome(
            job_id=job.id,
            worker=worker,
            attempt=attempt(AttemptOutcome.SUCCESS, None),
            state=JobState.SUCCEEDED,
            run_at=None,
        )
    error = result.error or "failed"
    if result.kind is ResultKind.FAIL:
        return Outcome(
            job_id=job.id,
            worker=worker,
            attempt=attempt(AttemptOutcome.FAILED, error),
            state=JobState.DEAD,
            run_at=None,
            last_error=error,
        )
    decision = policy.decide(
        attempts=number,
        series_started_at=job.series_started_at,
        now=finished_at,
        retry_after=result.retry_after,
        salt=job.id,
    )
    if isinstance(decision, GiveUp):
        last_error = f"{error}; gave up: {decision.reason}"
        return Outcome(
            job_id=job.id,
            worker=worker,
            attempt=attempt(AttemptOutcome.GAVE_UP, error),
            state=JobState.DEAD,
            run_at=None,
            last_error=last_error,
        )
    return Outcome(
        job_id=job.id,
        worker=worker,
        attempt=attempt(AttemptOutcome.RETRY, error),
        state=JobState.SCHEDULED,
        run_at=decision.when,
        last_error=error,
    )
