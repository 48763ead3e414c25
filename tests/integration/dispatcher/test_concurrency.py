"""Wake-ups, per-target limits, lease hand-back: the dispatcher under real timing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from ringback.core.clock import FakeClock, SystemClock
from ringback.core.executors.http import HttpExecutor
from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite import SqliteStore
from tests.job_waits import is_final, wait_for

from .conftest import T0, dispatching, http_job, receiving

ONCE = {"type": "schedule", "delays": ["0s"]}


async def ok(request: web.Request) -> web.Response:
    return web.Response(text="success")


async def test_a_job_submitted_for_now_starts_without_waiting_for_a_scan(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor
) -> None:
    # With a fake clock that never moves, only a wake-up can start the job: the
    # dispatcher is asleep until "next due" (nothing) or idle_wait (a fake hour).
    async with (
        receiving(ok) as receiver,
        dispatching(store, http_executor, clock, idle_wait=timedelta(hours=1)),
    ):
        await asyncio.sleep(0.05)  # let it fall asleep
        other = SqliteStore(store.path)  # a second process would use its own instance
        await other.open()
        try:
            [result] = await other.enqueue([http_job(receiver.url, ONCE, T0)], T0)
        finally:
            await other.close()
        job = await wait_for(store, result.job.id, is_final)
    assert job.state is JobState.SUCCEEDED
    assert receiver.calls == 1


async def test_a_hung_receiver_does_not_slow_the_others(
    store: SqliteStore, http_executor: HttpExecutor
) -> None:
    release = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="success")

    clock = SystemClock()
    async with receiving(hang) as slow, receiving(ok) as fast:
        now = clock.now()
        jobs = [http_job(slow.url, ONCE, now) for _ in range(20)]
        jobs += [http_job(fast.url, ONCE, now) for _ in range(40)]
        await store.enqueue(jobs, now)
        async with dispatching(
            store, http_executor, clock, concurrency=8, per_target_limit=3, batch_size=8
        ):
            fast_done = JobFilter(
                states=frozenset({JobState.SUCCEEDED}), target=fast.url.split("/")[2]
            )
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while await store.count_jobs(fast_done) < 40:
                assert loop.time() < deadline, "fast receiver's jobs did not finish"
                await asyncio.sleep(0.01)
            # Every fast job finished while the slow receiver still held its slots.
            assert slow.max_in_flight <= 3
            assert slow.calls <= 3
            release.set()
    assert fast.calls == 40


async def test_graceful_stop_hands_back_unfinished_jobs(
    store: SqliteStore, http_executor: HttpExecutor
) -> None:
    started = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        started.set()
        await asyncio.sleep(30)
        return web.Response(text="success")

    clock = SystemClock()
    async with receiving(hang) as receiver:
        now = clock.now()
        [result] = await store.enqueue([http_job(receiver.url, ONCE, now)], now)
        async with dispatching(store, http_executor, clock) as dispatcher:
            await asyncio.wait_for(started.wait(), 5)
            dispatcher.stop(timedelta(milliseconds=100))
    job = await store.get_job(result.job.id)
    assert job is not None
    assert job.state is JobState.SCHEDULED  # due again, not lost
    assert job.lease_owner is None
    assert job.attempts == 0


async def test_an_expired_lease_is_claimed_again(
    store: SqliteStore, http_executor: HttpExecutor
) -> None:
    clock = SystemClock()
    async with receiving(ok) as receiver:
        now = clock.now()
        [result] = await store.enqueue([http_job(receiver.url, ONCE, now)], now)
        # A worker that claims and then dies (never renews, never records).
        [claimed] = await store.claim(
            worker="dead-worker", now=now, limit=1, lease=timedelta(milliseconds=200)
        )
        assert claimed.id == result.job.id
        async with dispatching(store, http_executor, clock):
            job = await wait_for(store, result.job.id, is_final)
    assert job.state is JobState.SUCCEEDED
    assert receiver.calls == 1


async def test_a_retry_due_before_the_lease_expiry_is_not_held_back(
    store: SqliteStore, http_executor: HttpExecutor
) -> None:
    # The dispatcher planned its sleep while the first attempt ran (the job was due
    # again only at its 60 s lease expiry); the written outcome must wake it.
    answers = iter([500, 200])

    async def flaky(request: web.Request) -> web.Response:
        return web.Response(status=next(answers), text="success")

    clock = SystemClock()
    async with (
        receiving(flaky) as receiver,
        dispatching(store, http_executor, clock, lease=timedelta(seconds=60)),
    ):
        now = clock.now()
        policy = {"type": "schedule", "delays": ["0s", "200ms"]}
        [result] = await store.enqueue([http_job(receiver.url, policy, now)], now)
        job = await wait_for(store, result.job.id, is_final, timeout_s=5)
    assert job.state is JobState.SUCCEEDED
    first, second = await store.list_attempts(job.id)
    assert second.started_at - first.finished_at < timedelta(seconds=3)
