"""PostgresStore against a real server: migrations, reads, operator actions, purge.

Each test gets its own schema in the run's database (``pg_database_url`` in
tests/conftest.py), dropped after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from ringback.core.errors import Conflict, InvalidInput, NotFound, StoreError
from ringback.core.jobs import Attempt, AttemptOutcome, JobKind, JobState, NewJob, Outcome
from ringback.core.store.contract import JobFilter
from ringback.core.store.postgres import PostgresStore
from ringback.core.store.postgres.migrate import latest_version

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)

MakeStore = Callable[[], Awaitable[PostgresStore]]


async def scalar(url: str, query: sql.SQL | sql.Composed, params: Any = None) -> Any:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        row = await (await conn.execute(query, params)).fetchone()
        assert row is not None
        return row[0]


def new_job(number: int = 0, **changes: Any) -> NewJob:
    fields: dict[str, Any] = {
        "kind": JobKind.HTTP,
        "payload": {"url": f"https://merchant.example/notify/{number}", "body": "amount=1000"},
        "policy": {"kind": "schedule", "delays": ["2m", "10m"]},
        "run_at": NOW,
        "labels": {"merchant": f"m{number % 3}"},
    }
    fields.update(changes)
    return NewJob(**fields)


def finished(job_id: int, worker: str, state: JobState, series: int = 1) -> Outcome:
    attempt = Attempt(
        job_id=job_id,
        series=series,
        number=1,
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=1),
        outcome=AttemptOutcome.SUCCESS if state is JobState.SUCCEEDED else AttemptOutcome.FAILED,
        worker=worker,
        status_code=200,
        response_excerpt="success",
    )
    return Outcome(job_id=job_id, worker=worker, attempt=attempt, state=state, run_at=None)


async def test_three_stores_opening_at_once_apply_each_migration_once(
    make_store: MakeStore, pg_database_url: str, schema: str
) -> None:
    latest = latest_version()
    stores = await asyncio.gather(make_store(), make_store(), make_store())
    assert [await store.schema_version() for store in stores] == [latest] * 3
    table = sql.Identifier(schema, "schema_migrations")
    count = sql.SQL("SELECT count(*) FROM {}").format(table)
    assert await scalar(pg_database_url, count) == latest  # one row per migration, not per store
    again = await make_store()
    assert await again.schema_version() == latest
    assert await scalar(pg_database_url, count) == latest


async def test_claiming_and_retention_indexes_are_partial(
    store: PostgresStore, pg_database_url: str, schema: str
) -> None:
    query = sql.SQL(
        "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes"
        " WHERE schemaname = %s AND tablename = 'jobs'"
    )
    definitions = await scalar(pg_database_url, query, [schema])
    assert "(run_at, id) WHERE (state = 'scheduled'::text)" in definitions
    assert "(lease_expires_at) WHERE (state = 'running'::text)" in definitions
    assert "(finished_at) WHERE (state = ANY (ARRAY['succeeded'::text" in definitions
    assert "UNIQUE INDEX jobs_key_key ON " in definitions
    assert "(queue, state)" in definitions
    assert "(state, id) WHERE (state = ANY (ARRAY['dead'::text, 'cancelled'::text]))" in (
        definitions
    )
    assert "(created_at)" in definitions


async def test_enqueue_is_idempotent_by_key_within_and_across_batches(store: PostgresStore) -> None:
    first = await store.enqueue([new_job(1, key="pay-1"), new_job(2), new_job(3, key="pay-1")], NOW)
    assert [result.created for result in first] == [True, True, False]
    assert first[2].job == first[0].job
    assert first[0].job.id < first[1].job.id
    again = await store.enqueue([new_job(9, key="pay-1")], NOW + timedelta(minutes=1))
    assert again[0].created is False
    assert again[0].job == first[0].job
    assert await store.count_jobs(JobFilter()) == 2
    job = first[1].job
    assert (job.state, job.attempts, job.series) == (JobState.SCHEDULED, 0, 1)
    assert job.series_started_at == job.run_at == NOW
    assert job.created_at == job.updated_at == NOW
    assert await store.get_job(job.id) == job
    assert await store.get_job_by_key("pay-1") == first[0].job
    assert await store.get_job(10**12) is None


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"run_at": datetime(2026, 3, 1, 12, 0)}, "run_at"),
        ({"payload": {"text": "a\x00b"}}, "payload"),
        ({"payload": {"amount": float("nan")}}, "payload"),
        ({"policy": {"when": datetime(2026, 1, 1, tzinfo=UTC)}}, "policy"),
        ({"labels": {"merchant": 7}}, "labels"),
        ({"queue": ""}, "queue"),
        ({"key": ""}, "key"),
        ({"kind": "ftp"}, "kind"),
    ],
)
async def test_a_bad_job_in_a_batch_changes_nothing(
    store: PostgresStore, bad: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await store.enqueue([new_job(1), new_job(2, **bad)], NOW)
    assert caught.value.field == field
    assert await store.count_jobs(JobFilter()) == 0


async def test_ids_that_cannot_exist_read_as_unknown(store: PostgresStore) -> None:
    for impossible in (0, -5, 2**70):
        assert await store.get_job(impossible) is None
        assert await store.list_attempts(impossible) == []
        with pytest.raises(NotFound):
            await store.cancel(impossible, NOW)
    assert await store.renew_leases(worker="w", job_ids=[2**70], now=NOW, lease=LEASE) == set()
    with pytest.raises(InvalidInput) as caught:
        await store.get_job("1")  # type: ignore[arg-type]
    assert caught.value.field == "job_id"


async def test_listing_filters_and_pages_newest_first(store: PostgresStore) -> None:
    jobs = [
        new_job(n, queue="statements" if n % 2 else "default", target=f"h{n % 2}", key=f"k{n}")
        for n in range(7)
    ]
    created = [result.job for result in await store.enqueue(jobs, NOW)]
    ids = [job.id for job in created]
    first = await store.list_jobs(JobFilter(), limit=3)
    assert [job.id for job in first.jobs] == ids[::-1][:3]
    second = await store.list_jobs(JobFilter(), limit=3, before_id=first.next_cursor)
    assert [job.id for job in second.jobs] == ids[::-1][3:6]
    last = await store.list_jobs(JobFilter(), limit=3, before_id=second.next_cursor)
    assert [job.id for job in last.jobs] == ids[:1]
    assert last.next_cursor is None

    in_queue = await store.list_jobs(JobFilter(queue="statements"), limit=10)
    assert [job.id for job in in_queue.jobs] == [ids[5], ids[3], ids[1]]
    labelled = JobFilter(label=("merchant", "m1"), kinds=frozenset({JobKind.HTTP}))
    assert {job.id for job in (await store.list_jobs(labelled, limit=10)).jobs} == {ids[1], ids[4]}
    assert await store.count_jobs(JobFilter(target="h0")) == 4
    assert await store.count_jobs(JobFilter(key="k6")) == 1
    assert await store.count_jobs(JobFilter(states=frozenset({JobState.DEAD}))) == 0
    window = JobFilter(created_from=NOW, created_to=NOW + timedelta(seconds=1))
    assert await store.count_jobs(window) == 7
    assert await store.count_jobs(JobFilter(created_to=NOW)) == 0
    with pytest.raises(InvalidInput) as caught:
        await store.list_jobs(JobFilter(), limit=0)
    assert caught.value.field == "limit"


async def test_operator_actions_follow_the_state_rules(store: PostgresStore) -> None:
    job = (await store.enqueue([new_job(1)], NOW))[0].job
    later = NOW + timedelta(hours=1)
    moved = await store.reschedule(job.id, later, NOW)
    assert (moved.run_at, moved.state) == (later, JobState.SCHEDULED)
    with pytest.raises(Conflict):
        await store.retry(job.id, NOW, NOW)
    cancelled = await store.cancel(job.id, NOW)
    assert (cancelled.state, cancelled.finished_at) == (JobState.CANCELLED, NOW)
    with pytest.raises(Conflict):
        await store.cancel(job.id, NOW)
    with pytest.raises(Conflict):
        await store.reschedule(job.id, NOW, NOW)
    retried = await store.retry(job.id, later, NOW)
    assert (retried.state, retried.series, retried.attempts) == (JobState.SCHEDULED, 2, 0)
    assert retried.series_started_at == retried.run_at == later
    assert retried.finished_at is None
    with pytest.raises(NotFound):
        await store.cancel(10**12, NOW)


async def test_cancelling_a_running_job_drops_its_lease_and_later_outcome(
    store: PostgresStore,
) -> None:
    await store.enqueue([new_job(1)], NOW)
    (claimed,) = await store.claim(worker="w1", now=NOW, limit=5, lease=LEASE)
    cancelled = await store.cancel(claimed.id, NOW)
    assert (cancelled.lease_owner, cancelled.lease_expires_at) == (None, None)
    applied = await store.record_outcomes([finished(claimed.id, "w1", JobState.SUCCEEDED)], NOW)
    assert applied == set()
    assert (await store.get_job(claimed.id)).state is JobState.CANCELLED  # type: ignore[union-attr]
    assert len(await store.list_attempts(claimed.id)) == 1


async def test_state_counts_and_due_listing(store: PostgresStore) -> None:
    created = await store.enqueue(
        [new_job(n, run_at=NOW + timedelta(minutes=n), queue=f"q{n % 2}") for n in range(4)], NOW
    )
    (running,) = await store.claim(worker="w", now=NOW, limit=1, lease=timedelta(minutes=10))
    counts = await store.state_counts()
    assert counts.by_state == {JobState.SCHEDULED: 3, JobState.RUNNING: 1}
    assert counts.by_queue_state[("q1", JobState.SCHEDULED)] == 2
    due = await store.list_due(limit=10)
    # Running jobs are due at their lease expiry (NOW + 10m), after the 1m..3m ones.
    assert [job.id for job in due] == [result.job.id for result in created[1:]] + [running.id]
    assert await store.next_due_at() == NOW + timedelta(minutes=1)
    assert await store.next_due_at(queues=["q0"]) == NOW + timedelta(minutes=2)
    assert await store.next_due_at(queues=["nothing"]) is None


async def test_purge_deletes_old_finished_jobs_and_attempts_in_batches(
    store: PostgresStore, pg_database_url: str, schema: str
) -> None:
    await store.enqueue([new_job(n) for n in range(8)], NOW)
    claimed = await store.claim(worker="w", now=NOW, limit=7, lease=LEASE)
    await store.record_outcomes(
        [finished(job.id, "w", JobState.SUCCEEDED) for job in claimed[:6]], NOW
    )
    await store.record_outcomes(
        [finished(claimed[6].id, "w", JobState.DEAD)], NOW + timedelta(days=2)
    )
    attempts = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, "attempts"))
    assert await scalar(pg_database_url, attempts) == 7

    cutoff = NOW + timedelta(days=1)
    batches = []
    while removed := await store.purge_finished(older_than=cutoff, batch_size=4):
        batches.append(removed)
    assert batches == [4, 2]
    assert await scalar(pg_database_url, attempts) == 1  # the dead job finished after the cutoff
    counts = (await store.state_counts()).by_state
    assert counts == {JobState.SCHEDULED: 1, JobState.DEAD: 1}
    with pytest.raises(InvalidInput) as caught:
        await store.purge_finished(older_than=cutoff, batch_size=0)
    assert caught.value.field == "batch_size"


async def test_an_unreachable_server_is_a_store_error() -> None:
    store = PostgresStore("postgresql://postgres@127.0.0.1:1/nothing")
    with pytest.raises(StoreError):
        await store.open()
    with pytest.raises(StoreError, match="not open"):
        await store.get_job(1)


async def test_the_statement_timeout_cuts_off_a_blocked_statement(
    make_store: MakeStore, pg_database_url: str, schema: str
) -> None:
    await make_store()  # creates the schema, and drops it after the test
    store = PostgresStore(pg_database_url, schema=schema, statement_timeout=timedelta(seconds=0.2))
    await store.open()
    try:
        (created,) = await store.enqueue([new_job(1)], NOW)
        lock = sql.SQL("SELECT 1 FROM {} WHERE id = %s FOR UPDATE").format(
            sql.Identifier(schema, "jobs")
        )
        async with await psycopg.AsyncConnection.connect(pg_database_url) as other:
            await other.execute(lock, [created.job.id])
            with pytest.raises(StoreError, match="QueryCanceled"):
                await store.cancel(created.job.id, NOW)
            await other.rollback()
        # The connection went back to the pool in a usable state.
        assert (await store.cancel(created.job.id, NOW)).state is JobState.CANCELLED
    finally:
        await store.close()
