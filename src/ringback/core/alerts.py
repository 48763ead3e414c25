"""Dead-job alerts: when a job dies, ringback calls the operator back, the ringback way.

The alert is itself a job: an HTTP callback to ``[alerts] callback_url``, stored
durably, retried with backoff and signed with Standard Webhooks like every other
callback. Its key (``alert-dead-<job id>-<series>``) makes it idempotent and is the
``webhook-id`` the receiver sees, so a redelivered alert is recognisable.

Alert jobs carry the label ``ringback.alert=1`` and are never alerted about: a dead
alert receiver must not set off alerts about alerts.

The alert is enqueued just after the job's death is stored, not in the same
transaction; a worker killed in that instant (milliseconds) loses the alert, and
the death is still in the log and in ``ringback_jobs_dead_total``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from ringback.core.clock import Clock
from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.executors.base import Executor
from ringback.core.jobs import Job, JobKind, JobState, JsonObject, Outcome
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

# A store that fails for a moment should not cost an alert: retry the enqueue a few
# times (in real time; this is about the store, not about the job's schedule).
ENQUEUE_PAUSES_S = (0.2, 0.5, 1.0, 2.0)


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
    """A ``DispatchObserver`` that enqueues an alert job for every job that dies.

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
        self._tasks: set[asyncio.Task[None]] = set()
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

    @property
    def pending(self) -> int:
        """Alerts being enqueued right now."""
        return len(self._tasks)

    def on_start(self, job: Job, started_at: datetime) -> None:
        return None

    def on_outcome(self, job: Job, outcome: Outcome, *, applied: bool) -> None:
        if not applied or outcome.state is not JobState.DEAD or is_alert(job):
            return
        # Observers are synchronous; the store is not. The task is kept so that it
        # is not garbage-collected mid-way and so that ``drain`` can wait for it.
        task = asyncio.get_running_loop().create_task(
            self._enqueue(job, outcome), name=f"ringback-alert-{job.id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for alerts being enqueued (call before closing the store)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _enqueue(self, job: Job, outcome: Outcome) -> None:
        request = alert_request(
            self._callback_url, job, outcome, queue=self._queue, policy=self._policy
        )
        extra = {"job_id": job.id}
        for pause_s in (*ENQUEUE_PAUSES_S, None):
            try:
                result = await self._service.submit(request)
            except InvalidInput:
                log.exception("alert for dead job %s refused", job.id, extra=extra)
                return
            except Exception:
                if pause_s is None:
                    log.exception("alert for dead job %s could not be stored", job.id, extra=extra)
                    return
                log.warning("storing the alert for dead job %s failed; retrying", job.id)
                await asyncio.sleep(pause_s)
                continue
            if result.created:
                log.info("alert job %s enqueued for job %s", result.job.id, job.id, extra=extra)
            return
