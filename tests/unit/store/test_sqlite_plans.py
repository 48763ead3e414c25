"""The hot queries use their indexes and never sort the backlog.

Checked with EXPLAIN QUERY PLAN on the real schema (no statistics, as in production),
so that a changed index or query that would turn a claim into a scan of millions of
rows fails here rather than in production.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite.filters import filtered, split_by_state
from ringback.core.store.sqlite.migrate import apply_migrations, load_migrations
from ringback.core.store.sqlite.queries import SQL

PARAMS = {
    "worker": "w",
    "now": 0,
    "lease_expires_at": 1,
    "limit": 10,
    "exclude_targets": "[]",
    "queue": "q",
    "queues": '["q"]',
    "ids": "[1]",
    "older_than": 0,
    "batch_size": 10,
    "keys": '["k"]',
}


@pytest.fixture(scope="module")
def connection() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    apply_migrations(connection, load_migrations(), 0)
    yield connection
    connection.close()


def plan(connection: sqlite3.Connection, sql: str, params: dict[str, object]) -> list[str]:
    return [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("claim_due", "jobs_scheduled_run_at"),
        ("claim_due", "jobs_running_lease"),
        ("due_scheduled_in_queue", "jobs_scheduled_queue_run_at"),
        ("expired_leases_in_queues", "jobs_running_lease"),
        ("next_scheduled_at", "jobs_scheduled_run_at"),
        ("next_scheduled_at_in_queue", "jobs_scheduled_queue_run_at"),
        ("next_lease_expiry", "jobs_running_lease"),
        ("due_scheduled", "jobs_scheduled_run_at"),
        ("purge_finished", "jobs_finished_at"),
        ("jobs_by_keys", "jobs_key"),
    ],
)
def test_hot_queries_walk_their_index(
    connection: sqlite3.Connection, query: str, index: str
) -> None:
    steps = plan(connection, SQL[query], PARAMS)
    assert any(f"INDEX {index}" in step for step in steps), steps


@pytest.mark.parametrize(
    "query",
    ["due_scheduled_in_queue", "next_scheduled_at", "next_scheduled_at_in_queue", "due_scheduled"],
)
def test_scheduled_rows_come_in_index_order_without_a_sort(
    connection: sqlite3.Connection, query: str
) -> None:
    steps = plan(connection, SQL[query], PARAMS)
    assert not any("TEMP B-TREE" in step for step in steps), steps


def test_the_claim_sorts_only_the_bounded_branches(connection: sqlite3.Connection) -> None:
    # EXPLAIN QUERY PLAN rows: (id, parent, notused, detail). The scheduled branch's
    # subquery must search the index with no sort of its own.
    rows = connection.execute(f"EXPLAIN QUERY PLAN {SQL['claim_due']}", PARAMS).fetchall()
    [search] = [row for row in rows if "jobs_scheduled_run_at" in row[3]]
    siblings = [row[3] for row in rows if row[1] == search[1]]
    assert not any("TEMP B-TREE" in detail for detail in siblings), siblings


def test_claiming_chosen_ids_looks_them_up_by_key(connection: sqlite3.Connection) -> None:
    steps = plan(connection, SQL["claim_ids"], PARAMS)
    assert any("INTEGER PRIMARY KEY" in step for step in steps), steps
    assert not any("jobs_state" in step for step in steps), steps


@pytest.mark.parametrize(
    "where",
    [
        JobFilter(states=frozenset({JobState.DEAD})),
        JobFilter(queue="q", states=frozenset({JobState.SCHEDULED})),
        JobFilter(target="t.example"),
        JobFilter(key="k"),
        JobFilter(),
        JobFilter(created_from=datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_list_pages_come_in_id_order_without_a_sort(
    connection: sqlite3.Connection, where: JobFilter
) -> None:
    sql, params = filtered("list_jobs", where, before_id=100)
    steps = plan(connection, sql, {**params, "limit": 10})
    assert not any("TEMP B-TREE" in step for step in steps), steps


def test_filters_that_would_sort_are_read_state_by_state() -> None:
    several = JobFilter(states=frozenset({JobState.SCHEDULED, JobState.RUNNING}))
    parts = split_by_state(several)
    assert parts is not None
    assert sorted(next(iter(part.states)) for part in parts) == [
        JobState.RUNNING,
        JobState.SCHEDULED,
    ]
    by_queue = split_by_state(JobFilter(queue="q"))
    assert by_queue is not None and len(by_queue) == len(JobState)
    assert split_by_state(JobFilter(states=frozenset({JobState.DEAD}))) is None
    assert split_by_state(JobFilter(target="t")) is None
