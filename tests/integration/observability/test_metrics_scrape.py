"""What the API measures at scrape time: job states, queue depth, due lag, restarts."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import ringback
from ringback.core.clock import FakeClock
from ringback.core.executors.http import HttpExecutor
from ringback.core.jobs import JobState
from ringback.core.store.sqlite import SqliteStore
from ringback.core.supervisor.slots import Slot, state_document
from ringback.core.supervisor.spec import ChildSpec
from ringback.core.supervisor.state import MASTER_STATE_FILE, write_json_atomic
from ringback.interfaces.observability.metrics_process import Instruments

from .support import T0, http_job, metrics_client, scrape

ONCE = {"type": "schedule", "delays": ["0s"]}


async def test_an_overdue_job_shows_as_queue_depth_and_due_lag(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor, instruments: Instruments
) -> None:
    url = "http://127.0.0.1:9/notify"
    await store.enqueue(
        [
            http_job(http_executor, url, ONCE, T0, queue="payments"),
            http_job(http_executor, url, ONCE, T0 + timedelta(hours=1), queue="payments"),
            http_job(http_executor, url, ONCE, T0 + timedelta(hours=2), queue="statements"),
        ],
        T0,
    )
    clock.set(T0 + timedelta(seconds=90))  # no worker runs: the first job waits
    async with metrics_client(store, http_executor, clock, instruments.registry) as client:
        scraped = await scrape(client)

    assert scraped.value("ringback_due_lag_seconds") == 90
    assert scraped.samples("ringback_queue_depth") == {
        (("queue", "payments"),): 2,
        (("queue", "statements"),): 1,
    }
    jobs = scraped.samples("ringback_jobs")
    assert len(jobs) == 2 * len(JobState)  # every state of every queue, zeros included
    assert jobs[(("queue", "payments"), ("state", "scheduled"))] == 2
    assert jobs[(("queue", "statements"), ("state", "dead"))] == 0
    assert scraped.value("ringback_store_up") == 1
    assert scraped.value("ringback_build_info", version=ringback.__version__) == 1


async def test_an_empty_store_has_no_lag_and_no_queues(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor, instruments: Instruments
) -> None:
    async with metrics_client(store, http_executor, clock, instruments.registry) as client:
        scraped = await scrape(client)
    assert scraped.value("ringback_due_lag_seconds") == 0
    assert scraped.samples("ringback_jobs") == {}
    assert scraped.samples("ringback_worker_restarts_total") == {}


async def test_a_store_that_does_not_answer_still_gives_a_scrape(
    tmp_path: Path, clock: FakeClock, http_executor: HttpExecutor, instruments: Instruments
) -> None:
    instruments.dispatch.attempts.labels(kind="http", outcome="retry").inc(3)
    store = SqliteStore(tmp_path / "ringback.db")
    await store.open()
    await store.close()  # every query now fails
    async with metrics_client(store, http_executor, clock, instruments.registry) as client:
        scraped = await scrape(client)
    assert scraped.value("ringback_store_up") == 0
    assert scraped.value("ringback_attempts_total", kind="http", outcome="retry") == 3
    assert "ringback_jobs" not in scraped.families


async def test_restarts_and_crashes_come_from_the_supervisor_state(
    tmp_path: Path,
    store: SqliteStore,
    clock: FakeClock,
    http_executor: HttpExecutor,
    instruments: Instruments,
) -> None:
    state_dir = tmp_path / "state"
    slots = [
        Slot(ChildSpec(name="api", argv=["x"], title="ringback: api")),
        Slot(ChildSpec(name="worker-1", argv=["x"], title="ringback: worker 1"), restarts=3),
        Slot(
            ChildSpec(name="worker-2", argv=["x"], title="ringback: worker 2"),
            restarts=2,
            crashes=2,
        ),
    ]
    document = state_document(
        master_pid=os.getpid(),
        started_at=T0,
        stopped_at=None,
        reloads=0,
        reload_failures=0,
        slots=slots,
    )
    write_json_atomic(state_dir / MASTER_STATE_FILE, document)
    async with metrics_client(
        store, http_executor, clock, instruments.registry, state_dir=state_dir
    ) as client:
        scraped = await scrape(client)
    assert scraped.samples("ringback_worker_restarts_total") == {
        (("process", "api"),): 0,
        (("process", "worker-1"),): 3,
        (("process", "worker-2"),): 2,
    }
    assert scraped.value("ringback_worker_crashes_total", process="worker-2") == 2


async def test_a_broken_state_file_leaves_restarts_out(
    tmp_path: Path,
    store: SqliteStore,
    clock: FakeClock,
    http_executor: HttpExecutor,
    instruments: Instruments,
) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    (state_dir / MASTER_STATE_FILE).write_text("{not json")
    async with metrics_client(
        store, http_executor, clock, instruments.registry, state_dir=state_dir
    ) as client:
        scraped = await scrape(client)
    assert "ringback_worker_restarts" not in scraped.families
    assert scraped.value("ringback_store_up") == 1
