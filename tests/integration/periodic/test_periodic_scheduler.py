"""The periodic scheduler on a real SQLite file, with a fake clock.

Three schedulers over one database file stand for three hosts: each tick becomes exactly
one job. After an outage of every host, the missed tick is caught up once (or skipped).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from ringback.core.clock import FakeClock
from ringback.core.errors import ConfigError
from ringback.core.executors.task import TaskExecutor, TaskRegistry
from ringback.core.jobs import Job, JobKind
from ringback.core.periodic import (
    NS_LAST_TICK,
    JobTemplate,
    PeriodicSchedule,
    PeriodicScheduler,
)
from ringback.core.service import JobService
from ringback.core.store.contract import JobFilter, Store
from tests.integration.store_backends import Database

# 00:30 in Shanghai on 24 November 2026.
TICK = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def registry() -> TaskRegistry:
    tasks = TaskRegistry()

    @tasks.task("reports.build")
    def build(day: str) -> None:
        return None

    return tasks


def nightly(**options: object) -> PeriodicSchedule:
    template = JobTemplate(
        JobKind.TASK,
        {"task": "reports.build", "args": {"day": "{prev_date}"}},
        policy={"type": "fixed", "interval": "1m", "max_attempts": 3},
    )
    return PeriodicSchedule.build("nightly", "30 0 * * *", "Asia/Shanghai", template, **options)


@contextlib.asynccontextmanager
async def host(
    db: Database, clock: FakeClock, schedules: list[PeriodicSchedule]
) -> AsyncIterator[PeriodicScheduler]:
    """One "host": its own store connection, job service and scheduler task."""
    store = db.make()
    await store.open()
    executor = TaskExecutor(registry())
    scheduler = PeriodicScheduler(
        store, clock, schedules, jobs=JobService(store, clock, {JobKind.TASK: executor})
    )
    scheduler.check()
    running = asyncio.create_task(scheduler.run())
    try:
        yield scheduler
    finally:
        scheduler.stop()
        await running
        await executor.close()
        await store.close()


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout_s: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError("condition never held")
        await asyncio.sleep(0.002)


async def passed(schedulers: list[PeriodicScheduler], when: datetime) -> None:
    await eventually(
        lambda: all(s.checked_at is not None and s.checked_at >= when for s in schedulers)
    )


async def periodic_jobs(store: Store, name: str) -> list[Job]:
    page = await store.list_jobs(JobFilter(label=("ringback.periodic", name)), limit=500)
    return sorted(page.jobs, key=lambda job: job.id)


@pytest.fixture
async def store(database: Database) -> Store:
    """The test's own connection to the database the hosts share."""
    return await database.open_store()


async def test_three_hosts_enqueue_each_tick_exactly_once(database: Database, store: Store) -> None:
    clock = FakeClock(TICK - timedelta(minutes=50))  # on a tick of the 10-minute sweep
    every_10_min = PeriodicSchedule.build(
        "sweep",
        "*/10 * * * *",
        "UTC",
        JobTemplate(JobKind.TASK, {"task": "reports.build", "args": {"day": "{date}"}}),
    )
    ticks = [TICK - timedelta(minutes=10 * n) for n in range(4, -1, -1)] + [TICK + DAY]
    async with (
        host(database, clock, [nightly(), every_10_min]) as a,
        host(database, clock, [nightly(), every_10_min]) as b,
        host(database, clock, [nightly(), every_10_min]) as c,
    ):
        hosts = [a, b, c]
        await passed(hosts, clock.now())
        for tick in ticks:  # the last step skips a day: every host was "asleep"
            clock.set(tick)
            await passed(hosts, tick)

    nightly_jobs = await periodic_jobs(store, "nightly")
    assert [job.key for job in nightly_jobs] == [
        "periodic:nightly:2026-11-23T16:30:00Z",
        "periodic:nightly:2026-11-24T16:30:00Z",
    ]
    assert [job.payload["args"] for job in nightly_jobs] == [
        {"day": "2026-11-23"},
        {"day": "2026-11-24"},
    ]
    sweep = await periodic_jobs(store, "sweep")
    expected = [TICK - timedelta(minutes=50), *ticks[:-1], TICK + DAY - timedelta(minutes=10)]
    expected.append(TICK + DAY)
    # One job per tick: the start, each step, then after the day-long gap the latest
    # missed tick (catch-up limit 1) and the on-time one.
    assert [job.labels["ringback.tick"] for job in sweep] == [
        f"{tick:%Y-%m-%dT%H:%M:%SZ}" for tick in expected
    ]
    record = await store.get_record(NS_LAST_TICK, "nightly")
    assert record is not None
    assert datetime.fromisoformat(record.data["tick"]) == TICK + DAY


async def test_each_host_sleeps_exactly_until_the_next_tick(
    database: Database, store: Store
) -> None:
    clock = FakeClock(TICK - timedelta(hours=1))
    async with host(database, clock, [nightly()]) as scheduler:
        await passed([scheduler], clock.now())
        clock.set(TICK - timedelta(seconds=1))
        await asyncio.sleep(0.05)  # a pass now would be a pass too early
        assert scheduler.checked_at == TICK - timedelta(hours=1)
        assert await periodic_jobs(store, "nightly") == []
        clock.set(TICK)
        await passed([scheduler], TICK)
        assert scheduler.checked_at == TICK
        [job] = await periodic_jobs(store, "nightly")
        assert job.run_at == TICK


@pytest.mark.parametrize("catch_up", [True, False])
async def test_a_tick_missed_by_every_host_is_caught_up_once_or_skipped(
    database: Database, store: Store, catch_up: bool
) -> None:
    clock = FakeClock(TICK - timedelta(minutes=1))
    async with host(database, clock, [nightly(catch_up=catch_up)]) as scheduler:
        clock.set(TICK)
        await passed([scheduler], TICK)
    assert len(await periodic_jobs(store, "nightly")) == 1

    # Every host is down for the next two nightly ticks and comes back at 09:00 local.
    back = TICK + 2 * DAY + timedelta(hours=8, minutes=30)
    clock.set(back)
    async with (
        host(database, clock, [nightly(catch_up=catch_up)]) as a,
        host(database, clock, [nightly(catch_up=catch_up)]) as b,
    ):
        await passed([a, b], back)
    jobs = await periodic_jobs(store, "nightly")
    if catch_up:
        assert [job.labels["ringback.tick"] for job in jobs] == [
            "2026-11-23T16:30:00Z",
            "2026-11-25T16:30:00Z",  # the latest missed tick, once; the 24th's is skipped
        ]
        assert jobs[-1].run_at == back
    else:
        assert len(jobs) == 1
    record = await store.get_record(NS_LAST_TICK, "nightly")
    assert record is not None
    assert record.data["tick"] == (TICK + 2 * DAY).isoformat()
    assert record.data["skipped"] is True

    # Coming back again later the same day changes nothing.
    async with host(database, clock, [nightly(catch_up=catch_up)]) as again:
        await passed([again], back)
    assert len(await periodic_jobs(store, "nightly")) == len(jobs)


async def test_a_daily_job_in_the_skipped_hour_fires_at_the_jump(
    database: Database, store: Store
) -> None:
    template = JobTemplate(JobKind.TASK, {"task": "reports.build", "args": {"day": "{date}"}})
    schedule = PeriodicSchedule.build("ny", "30 2 * * *", "America/New_York", template)
    before = datetime(2026, 3, 7, 12, tzinfo=UTC)
    jump = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 02:00 EST became 03:00 EDT
    clock = FakeClock(before)
    async with host(database, clock, [schedule]) as scheduler:
        await passed([scheduler], before)
        clock.set(jump - timedelta(seconds=1))
        await asyncio.sleep(0.05)
        assert await periodic_jobs(store, "ny") == []
        clock.set(jump)
        await passed([scheduler], jump)
        next_day = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # 02:30 EDT
        clock.set(next_day)
        await passed([scheduler], next_day)
    jobs = await periodic_jobs(store, "ny")
    assert [job.labels["ringback.tick"] for job in jobs] == [
        "2026-03-08T07:00:00Z",
        "2026-03-09T06:30:00Z",
    ]
    assert jobs[0].payload["args"] == {"day": "2026-03-08"}


async def test_a_schedule_whose_job_cannot_be_built_stops_start_up(store: Store) -> None:
    template = JobTemplate(JobKind.TASK, {"task": "no.such.task"})
    schedule = PeriodicSchedule.build("broken", "@daily", "UTC", template)
    executor = TaskExecutor(registry())
    clock = FakeClock(TICK)
    scheduler = PeriodicScheduler(
        store, clock, [schedule], jobs=JobService(store, clock, {JobKind.TASK: executor})
    )
    with pytest.raises(ConfigError) as caught:
        scheduler.check()
    assert caught.value.field == "periodic.broken.payload.task"
    await executor.close()
