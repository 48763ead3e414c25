"""Dead-job alerts: a real dispatcher over a real SQLite file kills a job, the
AlertObserver adds an alert job to the death's outcome (stored in the same
transaction), and the same dispatcher delivers it, signed, to a loopback receiver."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from standardwebhooks import Webhook

from ringback.core.alerts import ALERT_LABEL, AlertObserver, alert_key
from ringback.core.clock import FakeClock
from ringback.core.config import Settings
from ringback.core.errors import ConfigError
from ringback.core.executors.http import HttpExecutor
from ringback.core.jobs import Job, JobState, Outcome
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite import SqliteStore
from ringback.interfaces.observability.metrics import MetricsObserver
from ringback.interfaces.runtime.observers import alert_observers
from tests.job_waits import is_final, is_state, wait_for

from .support import T0, dispatching, http_job, receiving

ONCE = {"type": "schedule", "delays": ["0s"]}


class Capture:
    """Keeps what the dispatcher reported, to replay an outcome."""

    def __init__(self) -> None:
        self.outcomes: list[tuple[Job, Outcome]] = []

    def on_start(self, job: Job, started_at: datetime) -> None:
        return None

    def on_outcome(self, job: Job, outcome: Outcome, *, applied: bool) -> None:
        self.outcomes.append((job, outcome))


async def alert_jobs(store: SqliteStore) -> list[Job]:
    page = await store.list_jobs(JobFilter(label=(ALERT_LABEL, "1")), limit=50)
    return page.jobs


async def test_a_dead_job_raises_one_signed_alert(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor, signing_secret: str
) -> None:
    capture = Capture()
    async with receiving() as receiver:
        alerts = AlertObserver(store, clock, receiver.url("/ok/alerts"), http=http_executor)
        async with dispatching(store, http_executor, clock, [alerts, capture]):
            fine = http_job(http_executor, receiver.url("/ok"), ONCE, T0)
            doomed = http_job(
                http_executor, receiver.url("/down"), ONCE, T0, labels={"order": "A1"}
            )
            [fine_id, doomed_id] = [r.job.id for r in await store.enqueue([fine, doomed], T0)]
            await wait_for(store, fine_id, is_final)
            dead = await wait_for(store, doomed_id, is_state(JobState.DEAD))
            [alert] = await alert_jobs(store)
            alert = await wait_for(store, alert.id, is_final)

            # The same death written again (a replayed outcome) is not applied: the
            # job is no longer running. Its alert is not enqueued a second time.
            [outcome] = [o for j, o in capture.outcomes if j.id == doomed_id]
            assert len(outcome.follow_ups) == 1
            assert await store.record_outcomes([outcome], clock.now()) == set()

    expected = {
        "type": "job.dead",
        "job_id": doomed_id,
        "kind": "http",
        "queue": "default",
        "key": None,
        "target": dead.target,
        "series": 1,
        "attempts": 1,
        "last_error": dead.last_error,
        "labels": {"order": "A1"},
        "at": "2026-11-24T16:00:00Z",
    }
    assert dead.last_error is not None and "HTTP 500" in dead.last_error
    assert [a.id for a in await alert_jobs(store)] == [alert.id]
    assert alert.state is JobState.SUCCEEDED
    assert alert.queue == "alerts"
    assert alert.key == alert_key(doomed_id, 1) == f"alert-dead-{doomed_id}-1"
    assert alert.labels == {ALERT_LABEL: "1", "ringback.alert_for": str(doomed_id)}
    assert alert.policy["type"] == "exponential" and alert.policy["max_attempts"] == 20
    assert alert.payload["json"] == expected

    [delivered] = [r for r in receiver.requests if r.path == "/ok/alerts"]
    assert json.loads(delivered.body) == expected
    assert delivered.headers["webhook-id"] == alert.key
    # A normal ringback callback: any Standard Webhooks library verifies it.
    assert Webhook(signing_secret).verify(delivered.body, delivered.headers) == expected


async def test_an_alert_that_dies_raises_no_alert(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor
) -> None:
    async with receiving() as receiver:
        alerts = AlertObserver(
            store, clock, receiver.url("/down/alerts"), http=http_executor, policy=ONCE
        )
        async with dispatching(store, http_executor, clock, [alerts]):
            [result] = await store.enqueue(
                [http_job(http_executor, receiver.url("/down"), ONCE, T0)], T0
            )
            await wait_for(store, result.job.id, is_state(JobState.DEAD))
            [alert] = await alert_jobs(store)
            await wait_for(store, alert.id, is_state(JobState.DEAD))

    assert [a.id for a in await alert_jobs(store)] == [alert.id]
    assert await store.get_job_by_key(alert_key(alert.id, 1)) is None
    assert await store.count_jobs(JobFilter()) == 2


async def test_a_retried_job_that_dies_again_raises_a_second_alert(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor
) -> None:
    async with receiving() as receiver:
        alerts = AlertObserver(store, clock, receiver.url("/ok/alerts"), http=http_executor)
        async with dispatching(store, http_executor, clock, [alerts]):
            [result] = await store.enqueue(
                [http_job(http_executor, receiver.url("/down"), ONCE, T0)], T0
            )
            job_id = result.job.id
            await wait_for(store, job_id, is_state(JobState.DEAD))
            await store.retry(job_id, T0, T0)  # an operator's retry: series 2
            await wait_for(store, job_id, lambda j: j.series == 2 and j.state is JobState.DEAD)

    keys = sorted(a.key or "" for a in await alert_jobs(store))
    assert keys == [alert_key(job_id, 1), alert_key(job_id, 2)]
    second = await store.get_job_by_key(alert_key(job_id, 2))
    assert second is not None and second.payload["json"]["series"] == 2


def settings_with(signing_secret: str, **alerts: str) -> Settings:
    return Settings.model_validate(
        {"alerts": alerts, "http": {"allow_private": True, "signing_secret": signing_secret}}
    )


async def test_observers_follow_the_settings(
    store: SqliteStore, clock: FakeClock, signing_secret: str
) -> None:
    without = alert_observers(settings_with(signing_secret), store, clock)
    with_url = alert_observers(
        settings_with(signing_secret, callback_url="http://127.0.0.1:9/alerts"), store, clock
    )
    assert [type(o) for o in without] == [MetricsObserver]
    assert [type(o) for o in with_url] == [MetricsObserver, AlertObserver]


async def test_an_alert_url_that_can_never_be_called_stops_start_up(
    store: SqliteStore, clock: FakeClock, signing_secret: str
) -> None:
    settings = Settings.model_validate(
        {
            "alerts": {"callback_url": "http://10.0.0.5/alerts"},
            "http": {"allow_private": False, "signing_secret": signing_secret},
        }
    )
    with pytest.raises(ConfigError) as caught:
        alert_observers(settings, store, clock)
    assert caught.value.field == "alerts.callback_url"
    assert "private" in caught.value.message
