"""JobService reads and operator actions over a real SQLite store."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from service_env import START, URL, fail_once

from ringback.core.clock import FakeClock
from ringback.core.errors import Conflict, InvalidInput, NotFound
from ringback.core.jobs import Job, JobState
from ringback.core.service import JobService, SubmitRequest
from ringback.core.store import JobFilter
from ringback.core.store.sqlite import SqliteStore


async def submit(service: JobService, **extra: object) -> Job:
    request = SubmitRequest(kind="http", payload={"url": URL}, **extra)  # type: ignore[arg-type]
    return (await service.submit(request)).job


async def test_get_returns_the_job_with_its_attempts(
    service: JobService, store: SqliteStore, clock: FakeClock
) -> None:
    job = await submit(service)
    await fail_once(store, clock, job, dead=False)
    detail = await service.get(job.id)
    assert detail.job.id == job.id
    assert detail.job.attempts == 1
    [attempt] = detail.attempts
    assert (attempt.number, attempt.status_code, attempt.duration_ms) == (1, 503, 250)


async def test_get_unknown_or_bad_id(service: JobService) -> None:
    with pytest.raises(NotFound):
        await service.get(999)
    with pytest.raises(InvalidInput) as caught:
        await service.get(0)
    assert caught.value.field == "id"


@pytest.mark.parametrize("limit", [0, 501])
async def test_list_limit_is_bounded(service: JobService, limit: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        await service.list(limit=limit)
    assert caught.value.field == "limit"


async def test_pages_are_stable_while_jobs_arrive(service: JobService) -> None:
    ids = [(await submit(service)).id for _ in range(7)]
    first = await service.list(limit=3)
    assert [job.id for job in first.jobs] == ids[::-1][:3]
    await submit(service)  # a newer job must not shift the later pages
    seen = [job.id for job in first.jobs]
    cursor = first.next_cursor
    while cursor is not None:
        page = await service.list(limit=3, cursor=cursor)
        seen += [job.id for job in page.jobs]
        cursor = page.next_cursor
    assert seen == ids[::-1]


async def test_list_filters(service: JobService) -> None:
    a = await submit(service, queue="notify", labels={"merchant": "m1"})
    b = await submit(service, queue="notify", labels={"merchant": "m2"})
    await submit(service, queue="other")
    await service.cancel(b.id)
    by_queue = await service.list(JobFilter(queue="notify"))
    assert {job.id for job in by_queue.jobs} == {a.id, b.id}
    by_label = await service.list(JobFilter(label=("merchant", "m1")))
    assert [job.id for job in by_label.jobs] == [a.id]
    cancelled = await service.list(JobFilter(states=frozenset({JobState.CANCELLED})))
    assert [job.id for job in cancelled.jobs] == [b.id]
    with pytest.raises(InvalidInput) as caught:
        await service.list(JobFilter(created_from=datetime(2026, 1, 1)))
    assert caught.value.field == "created_from"


async def test_cancel_then_retry_starts_a_new_series(service: JobService, clock: FakeClock) -> None:
    job = await submit(service, delay=timedelta(hours=1))
    cancelled = await service.cancel(job.id)
    assert cancelled.state is JobState.CANCELLED and cancelled.finished_at == START
    with pytest.raises(Conflict):
        await service.cancel(job.id)
    clock.advance(timedelta(minutes=5))
    retried = await service.retry(job.id)
    assert retried.state is JobState.SCHEDULED
    assert retried.series == 2 and retried.attempts == 0
    assert retried.run_at == clock.now()
    with pytest.raises(Conflict):
        await service.retry(job.id)


async def test_retry_a_dead_job_later(
    service: JobService, store: SqliteStore, clock: FakeClock
) -> None:
    job = await submit(service)
    await fail_once(store, clock, job, dead=True)
    assert (await service.get(job.id)).job.state is JobState.DEAD
    retried = await service.retry(job.id, delay=timedelta(minutes=30))
    assert retried.run_at == START + timedelta(minutes=30)
    assert [a.series for a in (await service.get(job.id)).attempts] == [1]


async def test_reschedule_rules(service: JobService) -> None:
    job = await submit(service)
    moved = await service.reschedule(job.id, delay=timedelta(minutes=10))
    assert moved.run_at == START + timedelta(minutes=10)
    at = START + timedelta(days=1)
    assert (await service.reschedule(job.id, at)).run_at == at
    with pytest.raises(InvalidInput) as caught:
        await service.reschedule(job.id)
    assert caught.value.field == "at"
    with pytest.raises(InvalidInput) as caught:
        await service.reschedule(job.id, at, delay=timedelta(minutes=1))
    assert caught.value.field == "delay"
    with pytest.raises(InvalidInput) as caught:
        await service.reschedule(job.id, datetime(2026, 3, 1, 9, 0))
    assert caught.value.field == "at"
    await service.cancel(job.id)
    with pytest.raises(Conflict):
        await service.reschedule(job.id, at)
    with pytest.raises(NotFound):
        await service.reschedule(12345, at)


async def test_overview_counts_and_next_due(
    service: JobService, store: SqliteStore, clock: FakeClock
) -> None:
    dead = await submit(service, queue="notify")
    await fail_once(store, clock, dead, dead=True)
    later = await submit(service, delay=timedelta(hours=2))
    sooner = await submit(service, delay=timedelta(minutes=5), queue="notify")
    cancelled = await submit(service)
    await service.cancel(cancelled.id)

    overview = await service.overview()
    assert overview.counts[JobState.SCHEDULED] == 2
    assert overview.counts[JobState.DEAD] == 1 and overview.dead == 1
    assert overview.counts[JobState.CANCELLED] == 1
    assert overview.counts[JobState.SUCCEEDED] == 0
    assert overview.total == 4 and overview.pending == 2
    assert [job.id for job in overview.next_due] == [sooner.id, later.id]
    assert overview.next_due_at == sooner.run_at
    assert overview.queues["notify"][JobState.DEAD] == 1
    assert overview.queues["notify"][JobState.SCHEDULED] == 1
    assert overview.queues["default"][JobState.SCHEDULED] == 1
    assert overview.generated_at == clock.now()


def test_preview_policy(service: JobService) -> None:
    runs = service.preview_policy("alipay", 20)
    offsets = [run - START for run in runs]
    minutes = [int(offset.total_seconds() // 60) for offset in offsets]
    assert minutes == [0, 2, 12, 22, 82, 202, 562, 1462]  # gives up after 8
    assert service.preview_policy({"type": "fixed", "interval": "30m"}, 3) == [
        START,
        START + timedelta(minutes=30),
        START + timedelta(minutes=60),
    ]
    with pytest.raises(InvalidInput) as caught:
        service.preview_policy("alipay", 0)
    assert caught.value.field == "count"
    with pytest.raises(InvalidInput) as caught:
        service.preview_policy({"type": "schedule", "delays": "2m"}, 3)
    assert caught.value.field == "policy.delays"


async def test_ping_reports_the_schema_version(service: JobService) -> None:
    assert await service.ping() >= 1
