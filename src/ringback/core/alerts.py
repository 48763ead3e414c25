"""Dead-job alerts: when a job dies, ringback calls the operator back, the ringback way.

The alert is itself a job: an HTTP callback to ``[alerts] callback_url``, stored
durably, retried with backoff and signed with Standard Webhooks like every other
callback. Its key (``alert-dead-<job id>-<series>``) makes it idempotent and is the
``webhook-id`` the receiver sees, so a redelivered alert is recognisable.

Alert jobs carry the label ``ringback.alert=1`` and are never alerted about: a dead
alert receiver must not set off alerts about alerts.

The alert is a follow-up of the outcome that kills the job: the store enqueues it
in the same transaction that records the death, and only if that outcome is applied.
A worker killed at any instant leaves either both (the death and its alert) or
neither (the job is still running under its lease, and dies again later).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from ringback.core.clock import Clock
from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.executors.base import Executor
from ringback.core.jobs import Job, JobKind, JobState, JsonObject, NewJob, Outcome
from ringback.core.service import JobService, SubmitRequest
from ringback.core.store.contract import Store

log = logging.getLogger("ringback.alerts")

ALERT_LABEL = "ringback.alert"
ALERT_FOR_LABEL = "ringback.alert_for"  # the dead job's id, to find its alert
ALERT_QUEUE = "alerts"
ALERT_POLICY: JsonObject = {
    "type": "exponential",
    "base": "10s",
    "factor": 2,
    "cap": "1h",
    "max_attempts": 20,
}
EVENT_TYPE = "job.dead"


def is_alert(job: Job) -> bool:
    return job.labels.get(ALERT_LABEL) == "1"


def alert_key(job_id: int, series: int) -> str:
    return f"alert-dead-{job_id}-{series}"


def iso_z(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dead_job_body(job: Job, outcome: Outcome) -> JsonObject:
    """The alert's JSON body. No payload: it may hold the receiver's credentials."""
    return {
        "type": EVENT_TYPE,
        "job_id": job.id,
        "kind": job.kind.value,
        "queue": job.queue,
        "key": job.key,
        "target": job.target,
        "series": job.series,
        "attempts": outcome.attempt.number,
        "last_error": outcome.last_error,
        "labels": dict(job.labels),
        "at": iso_z(outcome.attempt.finished_at),
    }


def alert_request(
    callback_url: str,
    job: Job,
    outcome: Outcome,
    *,
    queue: str = ALERT_QUEUE,
    policy: JsonObject = ALERT_POLICY,
) -> SubmitRequest:
    return SubmitRequest(
        kind=JobKind.HTTP,
        payload={"url": callback_url, "method": "POST", "json": dead_job_body(job, outcome)},
        policy=policy,
        key=alert_key(job.id, job.series),
        queue=queue,
        labels={ALERT_LABEL: "1", ALERT_FOR_LABEL: str(job.id)},
    )


class AlertObserver:
    """A ``DispatchObserver`` and ``FollowUpSource``: adds an alert job to every
    outcome that kills a job (the store writes it in the death's transaction).

    ``http`` is the HTTP executor whose ``prepare`` checks and normalises the alert's
    payload (the worker's own executor then delivers it). The callback URL is
    checked once here, so a URL that could never be called stops start-up.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        callback_url: str,
        *,
        http: Executor,
        queue: str = ALERT_QUEUE,
        policy: JsonObject = ALERT_POLICY,
    ) -> None:
        self._service = JobService(store, clock, {JobKind.HTTP: http})
        self._callback_url = callback_url
        self._queue = queue
        self._policy = policy
        self._check_config()

    def _check_config(self) -> None:
        probe = SubmitRequest(
            kind=JobKind.HTTP,
            payload={"url": self._callback_url, "method": "POST", "json": {}},
            policy=self._policy,
            key=alert_key(1, 1),
            queue=self._queue,
            labels={ALERT_LABEL: "1"},
        )
        try:
            self._service.validate(probe)
        except InvalidInput as exc:
            raise ConfigError(
                f"alerts cannot be sent: {exc.field}: {exc.message}", field="alerts.callback_url"
            ) from None

    def follow_ups(self, job: Job, outcome: Outcome) -> Sequence[NewJob]:
        if outcome.state is not JobState.DEAD or is_alert(job):
            return ()
        request = alert_request(
            self._callback_url, job, outcome, queue=self._queue, policy=self._policy
        )
        try:
            return (self._service.validate(request),)
        except InvalidInput:  # e.g. labels the dead job carries that no longer pass
            log.exception("alert for dead job %s refused", job.id, extra={"job_id": job.id})
            return ()

    def on_start(self, job: Job, started_at: datetime) -> None:
        return None

    def on_outcome(self, job: Job, outcome: Outcome, *, applied: bool) -> None:
        if applied and any(is_alert_for(new, job) for new in outcome.follow_ups):
            log.info("alert enqueued for dead job %s", job.id, extra={"job_id": job.id})


def is_alert_for(new: NewJob, job: Job) -> bool:
    return new.labels.get(ALERT_FOR_LABEL) == str(job.id)
