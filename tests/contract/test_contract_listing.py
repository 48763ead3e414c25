"""list_jobs, count_jobs, list_attempts, state_counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contract_support import T0, claim_all, enqueue_one, new_job, outcome_for

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JobState
from ringback.core.store.contract import JobFilter, Store


async def _sample(store: Store) -> dict[str, int]:
    """Five jobs with distinct traits; returns their ids by name."""
    ids = {}
    ids["a"] = (await enqueue_one(store, queue="notify", target="m1.example", key="ka")).id
    ids["b"] = (
        await enqueue_one(store, queue="notify", target="m2.example", labels={"merchant": "m2"})
    ).id
    ids["c"] = (
        await enqueue_one(store, T0 + timedelta(hours=1), kind=JobKind.TASK, queue="statements")
    ).id
    ids["d"] = (
        await enqueue_one(
            store, T0 + timedelta(hours=2), kind=JobKind.COMMAND, labels={"merchant": "m1"}
        )
    ).id
    ids["e"] = (await enqueue_one(store, T0 + timedelta(hours=3), target="m1.example")).id
    return ids


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (JobFilter(), ["e", "d", "c", "b", "a"]),
        (JobFilter(queue="notify"), ["b", "a"]),
        (JobFilter(kinds=frozenset({JobKind.TASK, JobKind.COMMAND})), ["d", "c"]),
        (JobFilter(key="ka"), ["a"]),
        (JobFilter(target="m1.example"), ["e", "a"]),
        (JobFilter(label=("merchant", "m1")), ["d"]),
        (JobFilter(label=("merchant", "m3")), []),
        (JobFilter(created_from=T0 + timedelta(hours=1)), ["e", "d", "c"]),
        (JobFilter(created_to=T0 + timedelta(hours=1)), ["b", "a"]),
        (
            JobFilter(created_from=T0 + timedelta(hours=1), created_to=T0 + timedelta(hours=3)),
            ["d", "c"],
        ),
        (JobFilter(queue="default", target="m1.example"), ["e"]),
    ],
)
async def test_filters_select_and_count_the_same_jobs(
    store: Store, where: JobFilter, expected: list[str]
) -> None:
    ids = await _sample(store)
    page = await store.list_jobs(where, limit=50)
    assert [job.id for job in page.jobs] == [ids[name] for name in expected]
    assert page.next_cursor is None
    assert await store.count_jobs(where) == len(expected)


async def test_state_filter(store: Store) -> None:
    ids = await _sample(store)
    claimed = await claim_all(store, "w1", T0 + timedelta(hours=5), limit=2)
    assert {job.id for job in claimed} == {ids["a"], ids["b"]}
    await store.cancel(ids["c"], T0 + timedelta(hours=5))

    running = JobFilter(states=frozenset({JobState.RUNNING}))
    assert [job.id for job in (await store.list_jobs(running, limit=10)).jobs] == [
        ids["b"],
        ids["a"],
    ]
    final_or_running = JobFilter(states=frozenset({JobState.RUNNING, JobState.CANCELLED}))
    assert await store.count_jobs(final_or_running) == 3
    scheduled = JobFilter(states=frozenset({JobState.SCHEDULED}))
    assert await store.count_jobs(scheduled) == 2


async def test_pages_walk_newest_first_without_gaps_or_repeats(store: Store) -> None:
    await store.enqueue([new_job(n) for n in range(23)], T0)
    seen: list[int] = []
    cursor: int | None = None
    pages = 0
    while True:
        page = await store.list_jobs(JobFilter(), limit=5, before_id=cursor)
        seen.extend(job.id for job in page.jobs)
        pages += 1
        # New jobs arriving between pages must not shift what the cursor points at.
        await store.enqueue([new_job(100 + pages)], T0)
        if page.next_cursor is None:
            break
        assert page.next_cursor == page.jobs[-1].id
        cursor = page.next_cursor
    assert pages == 5
    assert len(seen) == 23 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


async def test_a_full_last_page_has_no_cursor(store: Store) -> None:
    await store.enqueue([new_job(n) for n in range(4)], T0)
    first = await store.list_jobs(JobFilter(), limit=2)
    assert first.next_cursor is not None
    second = await store.list_jobs(JobFilter(), limit=2, before_id=first.next_cursor)
    assert len(second.jobs) == 2
    assert second.next_cursor is None


async def test_a_non_positive_limit_is_refused(store: Store) -> None:
    with pytest.raises(InvalidInput) as raised:
        await store.list_jobs(JobFilter(), limit=0)
    assert raised.value.field == "limit"


async def test_attempts_are_listed_oldest_first_across_series(store: Store) -> None:
    job = await enqueue_one(store, queue="solo")
    now = T0
    for round_number in range(2):
        [claimed] = await claim_all(store, "w1", now)
        retry = outcome_for(
            claimed,
            worker="w1",
            state=JobState.SCHEDULED,
            finished_at=now + timedelta(seconds=1),
            run_at=now + timedelta(minutes=2),
            error=f"503 round {round_number}",
        )
        await store.record_outcomes([retry], now + timedelta(seconds=1))
        now += timedelta(minutes=2)
    [claimed] = await claim_all(store, "w1", now)
    dead = outcome_for(claimed, worker="w1", state=JobState.DEAD, finished_at=now, error="no")
    await store.record_outcomes([dead], now)
    await store.retry(job.id, now + timedelta(hours=1), now)
    [claimed] = await claim_all(store, "w2", now + timedelta(hours=1))
    done = outcome_for(
        claimed, worker="w2", state=JobState.SUCCEEDED, finished_at=now + timedelta(hours=1)
    )
    await store.record_outcomes([done], now + timedelta(hours=1))

    attempts = await store.list_attempts(job.id)
    assert [(a.series, a.number) for a in attempts] == [(1, 1), (1, 2), (1, 3), (2, 1)]
    assert [a.worker for a in attempts] == ["w1", "w1", "w1", "w2"]
    assert attempts[0].error == "503 round 0"
    assert attempts[0].status_code == 503 and attempts[-1].response_excerpt == "success"
    assert all(a.id is not None for a in attempts)
    assert attempts[1].started_at == T0 + timedelta(minutes=2)
    assert await store.list_attempts(job.id + 1000) == []


async def test_state_counts_by_state_and_by_queue(store: Store) -> None:
    assert (await store.state_counts()).by_state == {}
    await store.enqueue([new_job(n, queue="notify") for n in range(3)], T0)
    await store.enqueue([new_job(n, queue="statements") for n in range(2)], T0)
    await claim_all(store, "w1", T0, limit=10, queues=["statements"])
    victim = await enqueue_one(store, queue="notify")
    await store.cancel(victim.id, T0)

    counts = await store.state_counts()
    assert counts.by_state == {
        JobState.SCHEDULED: 3,
        JobState.RUNNING: 2,
        JobState.CANCELLED: 1,
    }
    assert counts.by_queue_state == {
        ("notify", JobState.SCHEDULED): 3,
        ("notify", JobState.CANCELLED): 1,
        ("statements", JobState.RUNNING): 2,
    }
