"""Outcomes are written once, even when the final flush at shutdown meets a flush
already under way."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from aiohttp import web

from ringback.core.clock import FakeClock
from ringback.core.dispatcher import Dispatcher, DispatcherOptions
from ringback.core.dispatcher.decide import decide_outcome
from ringback.core.dispatcher.recorder import OutcomeRecorder
from ringback.core.executors.base import ExecutionResult, ResultKind
from ringback.core.executors.http import HttpExecutor
from ringback.core.jobs import Job, JobKind, JobState, NewJob, Outcome
from ringback.core.policies import parse_policy
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite import SqliteStore

from .conftest import T0, http_job, receiving

ONCE = {"type": "schedule", "delays": ["0s"]}


async def test_two_flushes_at_once_record_each_attempt_once(
    store: SqliteStore, clock: FakeClock
) -> None:
    results = await store.enqueue([http_job("http://a.example/n", ONCE, T0) for _ in range(50)], T0)
    claimed = await store.claim(worker="w", now=T0, limit=50, lease=timedelta(seconds=60))
    assert len(claimed) == len(results)
    recorder = OutcomeRecorder(store, clock, [], batch_size=10, flush_delay_s=0)
    success = ExecutionResult(ResultKind.SUCCESS, status_code=200)
    for job in claimed:
        outcome = decide_outcome(
            job, success, policy=parse_policy(ONCE), worker="w", started_at=T0, finished_at=T0
        )
        recorder.add(job, outcome)

    assert await asyncio.gather(recorder.flush(), recorder.flush()) == [True, True]

    for job in claimed:
        assert len(await store.list_attempts(job.id)) == 1
        stored = await store.get_job(job.id)
        assert stored is not None and stored.state is JobState.SUCCEEDED


async def _claimed_outcomes(store: SqliteStore, count: int) -> list[tuple[Job, Outcome]]:
    await store.enqueue([http_job("http://a.example/n", ONCE, T0) for _ in range(count)], T0)
    claimed = await store.claim(worker="w", now=T0, limit=count, lease=timedelta(seconds=60))
    success = ExecutionResult(ResultKind.SUCCESS, status_code=200)
    return [
        (
            job,
            decide_outcome(
                job, success, policy=parse_policy(ONCE), worker="w", started_at=T0, finished_at=T0
            ),
        )
        for job in claimed
    ]


async def _written_within(recorder: OutcomeRecorder, timeout_s: float) -> bool:
    try:
        async with asyncio.timeout(timeout_s):
            await recorder.wait_idle()
    except TimeoutError:
        return False
    return True


async def test_a_full_batch_is_written_without_waiting_out_the_delay(
    store: SqliteStore, clock: FakeClock
) -> None:
    # The batching delay is an hour: only the full batch can start the write.
    recorder = OutcomeRecorder(store, clock, [], batch_size=5, flush_delay_s=3600)
    running = asyncio.create_task(recorder.run())
    try:
        outcomes = await _claimed_outcomes(store, 5)
        for job, outcome in outcomes[:4]:
            recorder.add(job, outcome)
        assert not await _written_within(recorder, 0.05)  # 4 of 5: still batching
        job, outcome = outcomes[4]
        recorder.add(job, outcome)
        assert await _written_within(recorder, 5)
    finally:
        running.cancel()
    assert await store.count_jobs(JobFilter(states=frozenset({JobState.SUCCEEDED}))) == 5


async def test_write_soon_ends_the_batching_wait(store: SqliteStore, clock: FakeClock) -> None:
    recorder = OutcomeRecorder(store, clock, [], batch_size=100, flush_delay_s=3600)
    running = asyncio.create_task(recorder.run())
    try:
        [(job, outcome)] = await _claimed_outcomes(store, 1)
        recorder.write_soon()  # nothing pending: nothing to cut short
        recorder.add(job, outcome)
        assert not await _written_within(recorder, 0.05)
        recorder.write_soon()
        assert await _written_within(recorder, 5)
    finally:
        running.cancel()
    stored = await store.get_job(job.id)
    assert stored is not None and stored.state is JobState.SUCCEEDED


async def test_a_refused_follow_up_does_not_hold_its_outcome_back(
    store: SqliteStore, clock: FakeClock
) -> None:
    [(job, outcome)] = await _claimed_outcomes(store, 1)
    naive = datetime(2026, 1, 1)  # a run_at the store refuses
    broken = NewJob(JobKind.HTTP, {"url": "http://a.example/alert"}, ONCE, naive, key="alert")
    recorder = OutcomeRecorder(store, clock, [], batch_size=10, flush_delay_s=0)
    recorder.add(job, replace(outcome, follow_ups=(broken,)))

    assert await recorder.flush()
    stored = await store.get_job(job.id)
    assert stored is not None and stored.state is JobState.SUCCEEDED
    assert len(await store.list_attempts(job.id)) == 1
    assert await store.get_job_by_key("alert") is None


class RaisingFollowUps:
    def on_start(self, job: Job, started_at: datetime) -> None:
        return None

    def on_outcome(self, job: Job, outcome: Outcome, *, applied: bool) -> None:
        return None

    def follow_ups(self, job: Job, outcome: Outcome) -> list[NewJob]:
        raise RuntimeError("an observer bug")


class AddsOne(RaisingFollowUps):
    def follow_ups(self, job: Job, outcome: Outcome) -> list[NewJob]:
        return [NewJob(JobKind.HTTP, {"url": "http://a.example/n"}, ONCE, T0, key=f"f-{job.id}")]


async def test_follow_up_sources_add_jobs_and_a_failing_one_costs_nothing(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor
) -> None:
    async with receiving(_ok) as receiver:
        [result] = await store.enqueue([http_job(receiver.url, ONCE, T0)], T0)
        dispatcher = Dispatcher(
            store,
            {JobKind.HTTP: http_executor},
            clock=clock,
            options=DispatcherOptions(flush_delay=timedelta(0)),
            worker_id="w",
            observers=[RaisingFollowUps(), AddsOne()],
        )
        running = asyncio.create_task(dispatcher.run())
        try:
            async with asyncio.timeout(10):
                while (await store.get_job_by_key(f"f-{result.job.id}")) is None:
                    await asyncio.sleep(0.01)
        finally:
            dispatcher.stop(timedelta(seconds=1))
            await running
    done = await store.get_job(result.job.id)
    assert done is not None and done.state is JobState.SUCCEEDED


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="success")
