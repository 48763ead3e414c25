"""The dispatcher follows a policy's schedule exactly, with an injected clock.

The 25-hour Alipay schedule runs in milliseconds: the test moves the fake clock to
each due time and checks when every attempt started.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from ringback.core.clock import FakeClock
from ringback.core.executors.http import HttpExecutor
from ringback.core.jobs import AttemptOutcome, JobState
from ringback.core.store.sqlite import SqliteStore
from tests.job_waits import is_final, wait_for

from .conftest import T0, dispatching, http_job, receiving

ALIPAY_GAPS = [
    timedelta(0),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=15),
]


async def always_fail(request: web.Request) -> web.Response:
    return web.Response(status=500, text="down")


async def test_alipay_schedule_runs_eight_attempts_over_25_hours_then_dies(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor
) -> None:
    async with receiving(always_fail) as receiver, dispatching(store, http_executor, clock):
        [result] = await store.enqueue([http_job(receiver.url, {"preset": "alipay"}, T0)], T0)
        job_id = result.job.id
        for number in range(1, 9):
            job = await wait_for(store, job_id, lambda j, n=number: j.attempts == n)
            if number < 8:
                assert job.state is JobState.SCHEDULED
                clock.set(job.run_at)
        job = await wait_for(store, job_id, is_final)

    assert job.state is JobState.DEAD
    attempts = await store.list_attempts(job_id)
    assert [a.number for a in attempts] == list(range(1, 9))
    expected = T0
    for attempt, gap in zip(attempts, ALIPAY_GAPS, strict=True):
        expected += gap
        assert attempt.started_at == expected, attempt
    assert attempts[-1].started_at - T0 == timedelta(hours=24, minutes=22)
    assert [a.outcome for a in attempts[:-1]] == [AttemptOutcome.RETRY] * 7
    assert attempts[-1].outcome is AttemptOutcome.GAVE_UP
    assert all(a.status_code == 500 for a in attempts)
    assert receiver.calls == 8


async def test_nothing_runs_before_its_time(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor
) -> None:
    async with receiving(always_fail) as receiver, dispatching(store, http_executor, clock):
        [result] = await store.enqueue(
            [http_job(receiver.url, {"preset": "alipay"}, T0 + timedelta(minutes=5))], T0
        )
        clock.set(T0 + timedelta(minutes=4, seconds=59))
        job = await wait_for(store, result.job.id, lambda j: j.state is JobState.SCHEDULED)
        assert receiver.calls == 0
        clock.set(T0 + timedelta(minutes=5))
        job = await wait_for(store, result.job.id, lambda j: j.attempts == 1)
    [attempt] = await store.list_attempts(job.id)
    assert attempt.started_at == T0 + timedelta(minutes=5)


async def test_receiver_that_recovers_ends_the_series(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor
) -> None:
    answers = iter([(503, "busy"), (200, "fail"), (200, "success")])

    async def recovering(request: web.Request) -> web.Response:
        status, text = next(answers)
        return web.Response(status=status, text=text)

    async with receiving(recovering) as receiver, dispatching(store, http_executor, clock):
        job = http_job(receiver.url, {"preset": "alipay"}, T0)
        job = type(job)(
            **{**_fields(job), "payload": {**job.payload, "success": {"body_equals": "success"}}}
        )
        [result] = await store.enqueue([job], T0)
        for number in (1, 2):
            current = await wait_for(store, result.job.id, lambda j, n=number: j.attempts == n)
            clock.set(current.run_at)
        final = await wait_for(store, result.job.id, is_final)
    assert final.state is JobState.SUCCEEDED
    attempts = await store.list_attempts(final.id)
    assert [a.outcome for a in attempts] == [
        AttemptOutcome.RETRY,
        AttemptOutcome.RETRY,
        AttemptOutcome.SUCCESS,
    ]
    assert attempts[1].error is not None and "fail" in attempts[1].error
    assert attempts[2].started_at == T0 + timedelta(minutes=12)


async def test_retry_after_from_the_receiver_is_honoured(
    store: SqliteStore, clock: FakeClock, http_executor: HttpExecutor
) -> None:
    async def slow_down(request: web.Request) -> web.Response:
        return web.Response(status=429, text="slow down", headers={"Retry-After": "1800"})

    async with receiving(slow_down) as receiver, dispatching(store, http_executor, clock):
        [result] = await store.enqueue([http_job(receiver.url, {"preset": "alipay"}, T0)], T0)
        job = await wait_for(store, result.job.id, lambda j: j.attempts == 1)
    assert job.run_at == T0 + timedelta(minutes=30)


def _fields(job: object) -> dict[str, object]:
    from dataclasses import fields

    return {f.name: getattr(job, f.name) for f in fields(job)}  # type: ignore[arg-type]
