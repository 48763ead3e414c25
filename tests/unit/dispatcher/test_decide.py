"""The pure decision from an attempt's result to the outcome the store applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ringback.core.dispatcher import decide_outcome
from ringback.core.executors.base import ExecutionResult, ResultKind
from ringback.core.jobs import AttemptOutcome, Job, JobKind, JobState, Outcome
from ringback.core.policies import parse_policy

T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
ALIPAY = parse_policy({"preset": "alipay"})


def job(attempts: int = 0, series_started_at: datetime = T0) -> Job:
    return Job(
        id=7,
        kind=JobKind.HTTP,
        queue="default",
        key=None,
        target="merchant.example:443",
        labels={},
        payload={"url": "https://merchant.example/notify"},
        policy=ALIPAY.to_spec(),
        state=JobState.RUNNING,
        run_at=T0,
        attempts=attempts,
        series=1,
        series_started_at=series_started_at,
        created_at=T0,
        updated_at=T0,
    )


def decide(j: Job, result: ExecutionResult, now: datetime) -> Outcome:
    started_at = now - timedelta(seconds=1)
    return decide_outcome(
        j, result, policy=ALIPAY, worker="w1", started_at=started_at, finished_at=now
    )


def test_success_finishes_the_job() -> None:
    outcome = decide(job(), ExecutionResult(ResultKind.SUCCESS, status_code=200), T0)
    assert outcome.state is JobState.SUCCEEDED
    assert outcome.run_at is None
    assert outcome.attempt.outcome is AttemptOutcome.SUCCESS
    assert outcome.attempt.number == 1
    assert outcome.attempt.status_code == 200


def test_retry_follows_the_schedule() -> None:
    result = ExecutionResult(ResultKind.RETRY, status_code=500, error="HTTP 500")
    outcome = decide(job(), result, T0)
    assert outcome.state is JobState.SCHEDULED
    assert outcome.run_at == T0 + timedelta(minutes=2)
    assert outcome.attempt.outcome is AttemptOutcome.RETRY
    assert outcome.last_error == "HTTP 500"


def test_receiver_retry_after_pushes_the_next_attempt_later() -> None:
    result = ExecutionResult(ResultKind.RETRY, status_code=503, retry_after=timedelta(minutes=30))
    outcome = decide(job(), result, T0)
    assert outcome.run_at == T0 + timedelta(minutes=30)


def test_the_eighth_failure_gives_up_and_kills_the_job() -> None:
    outcome = decide(job(attempts=7), ExecutionResult(ResultKind.RETRY, error="HTTP 500"), T0)
    assert outcome.state is JobState.DEAD
    assert outcome.attempt.outcome is AttemptOutcome.GAVE_UP
    assert outcome.attempt.number == 8
    assert outcome.last_error is not None and "gave up" in outcome.last_error


def test_a_final_failure_is_dead_at_once() -> None:
    outcome = decide(job(), ExecutionResult(ResultKind.FAIL, status_code=410, error="gone"), T0)
    assert outcome.state is JobState.DEAD
    assert outcome.attempt.outcome is AttemptOutcome.FAILED
    assert outcome.last_error == "gone"
