"""A real dispatcher with the MetricsObserver, scraped through the real app."""

from __future__ import annotations

from datetime import timedelta

from ringback.core.clock import FakeClock
from ringback.core.executors.http import HttpExecutor
from ringback.core.jobs import JobState
from ringback.core.store.sqlite import SqliteStore
from ringback.interfaces.observability.metrics import MetricsObserver
from ringback.interfaces.observability.metrics_process import Instruments
from tests.job_waits import is_final, is_state, wait_for

from .support import T0, dispatching, http_job, metrics_client, receiving, scrape

TWO_TRIES = {"type": "schedule", "delays": ["0s", "1m"]}


async def test_attempts_lateness_deaths_and_job_states_reach_the_scrape(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor, instruments: Instruments
) -> None:
    observer = MetricsObserver(instruments.dispatch)
    async with (
        receiving() as receiver,
        dispatching(store, http_executor, clock, [observer]),
        metrics_client(store, http_executor, clock, instruments.registry) as client,
    ):
        jobs = [
            http_job(http_executor, receiver.url("/ok"), TWO_TRIES, T0),
            # Due 30 s before the dispatcher's "now": it starts 30 s late.
            http_job(http_executor, receiver.url("/ok"), TWO_TRIES, T0 - timedelta(seconds=30)),
            http_job(http_executor, receiver.url("/down"), TWO_TRIES, T0),
            http_job(http_executor, receiver.url("/gone"), TWO_TRIES, T0, queue="refunds"),
        ]
        ok, late, flaky, gone = [r.job.id for r in await store.enqueue(jobs, T0)]
        for job_id in (ok, late, gone):
            await wait_for(store, job_id, is_final)
        await wait_for(store, flaky, lambda j: j.attempts == 1)

        midway = await scrape(client)
        assert midway.value("ringback_queue_depth", queue="default") == 1
        assert midway.value("ringback_jobs", state="scheduled", queue="default") == 1
        assert midway.value("ringback_jobs", state="succeeded", queue="default") == 2
        assert midway.value("ringback_jobs", state="dead", queue="refunds") == 1
        assert midway.value("ringback_jobs", state="running", queue="refunds") == 0
        assert midway.value("ringback_attempts_total", kind="http", outcome="retry") == 1

        # The retry is due at T0+1m; the worker's clock reaches T0+1m5s: 5 s late.
        clock.set(T0 + timedelta(minutes=1, seconds=5))
        await wait_for(store, flaky, is_state(JobState.DEAD))
        final = await scrape(client)

    attempts = final.samples("ringback_attempts_total")
    assert attempts == {
        (("kind", "http"), ("outcome", "success")): 2,
        (("kind", "http"), ("outcome", "retry")): 1,
        (("kind", "http"), ("outcome", "gave_up")): 1,
        (("kind", "http"), ("outcome", "failed")): 1,
    }
    assert final.samples("ringback_jobs_dead_total") == {
        (("kind", "http"), ("queue", "default")): 1,
        (("kind", "http"), ("queue", "refunds")): 1,
    }
    assert final.value("ringback_delivery_seconds_count", kind="http") == 5

    # Five starts in queue default (0 s, 30 s, 0 s, then 5 s) and refunds (0 s).
    assert final.value("ringback_lateness_seconds_count", queue="default") == 4
    assert final.value("ringback_lateness_seconds_sum", queue="default") == 35
    assert final.value("ringback_lateness_seconds_bucket", queue="default", le="0.001") == 2
    assert final.value("ringback_lateness_seconds_bucket", queue="default", le="5.0") == 3
    assert final.value("ringback_lateness_seconds_bucket", queue="default", le="10.0") == 3
    assert final.value("ringback_lateness_seconds_bucket", queue="default", le="30.0") == 4
    assert final.value("ringback_lateness_seconds_bucket", queue="default", le="3600.0") == 4
    assert final.value("ringback_lateness_seconds_count", queue="refunds") == 1

    assert final.value("ringback_queue_depth", queue="default") == 0
    assert final.value("ringback_jobs", state="dead", queue="default") == 1
    assert final.value("ringback_jobs", state="succeeded", queue="default") == 2
    assert final.value("ringback_store_up") == 1
    assert len(receiver.requests) == 5


async def test_metrics_need_the_bearer_token(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor, instruments: Instruments
) -> None:
    async with metrics_client(store, http_executor, clock, instruments.registry) as client:
        bare = await client.get("/metrics", headers={"Authorization": ""})
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await client.get("/metrics")
    assert bare.status_code == 401
    assert wrong.status_code == 401
    assert right.status_code == 200


async def test_openmetrics_is_served_when_asked_for(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor, instruments: Instruments
) -> None:
    instruments.dispatch.attempts.labels(kind="http", outcome="success").inc()
    async with metrics_client(store, http_executor, clock, instruments.registry) as client:
        response = await client.get(
            "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
        )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")
    assert 'ringback_attempts_total{kind="http",outcome="success"} 1.0' in response.text
