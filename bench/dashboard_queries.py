"""Measure what the dashboard's pages ask the SQLite store, with a million jobs.

Not a test (speed is not asserted anywhere); run it by hand:

    .venv/bin/python bench/dashboard_queries.py [--jobs 1000000] [--dir /tmp]

It fills a fresh store straight with SQL (30 days of history: mostly succeeded jobs,
some dead, cancelled and pending, one or two attempts each, 200 targets), then times
each read the Overview, Jobs and Endpoints pages make, as the store API runs them.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ringback.core.clock import FakeClock
from ringback.core.jobs import JobState
from ringback.core.service.stats import StatsService
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite import SqliteStore
from ringback.core.store.sqlite.codec import to_micros

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAYS = 30

# One statement per table; n runs 1..jobs. Every 50th job is dead, every 200th
# cancelled, every 40th still scheduled (due within the next day); the rest succeeded.
FILL_JOBS = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :jobs)
INSERT INTO jobs (id, kind, queue, key, target, labels, payload, policy, state, run_at,
                  attempts, series, series_started_at, created_at, updated_at, last_error,
                  finished_at)
SELECT i, 'http', CASE WHEN i % 3 = 0 THEN 'payments' ELSE 'default' END, 'order-' || i,
       'm' || (i % 200) || '.example:443', '{"app":"app-' || (i % 20) || '"}',
       '{"url":"https://m' || (i % 200) || '.example/notify"}',
       '{"type":"schedule","delays":["0s","2m"]}',
       CASE WHEN i % 50 = 0 THEN 'dead' WHEN i % 200 = 7 THEN 'cancelled'
            WHEN i % 40 = 1 THEN 'scheduled' ELSE 'succeeded' END,
       :start + i * :step + CASE WHEN i % 40 = 1 THEN :day ELSE 0 END,
       1, 1, :start + i * :step, :start + i * :step, :start + i * :step + 150000,
       CASE WHEN i % 50 = 0 THEN 'HTTP 503' END,
       CASE WHEN i % 40 = 1 THEN NULL ELSE :start + i * :step + 150000 END
FROM n
"""
FILL_ATTEMPTS = """
INSERT INTO attempts (job_id, series, number, started_at, finished_at, outcome, worker,
                      status_code, error)
SELECT id, 1, 1, created_at, created_at + 20000 + (id % 97) * 1000,
       CASE WHEN state = 'succeeded' THEN 'success' WHEN state = 'dead' THEN 'gave_up'
            ELSE 'retry' END,
       'w1', CASE WHEN state = 'succeeded' THEN 200 ELSE 503 END,
       CASE WHEN state = 'succeeded' THEN NULL ELSE 'HTTP 503' END
FROM jobs
"""


def fill(path: Path, jobs: int) -> None:
    start = NOW - timedelta(days=DAYS)
    step_us = int(timedelta(days=DAYS).total_seconds() * 1_000_000 / jobs)
    with sqlite3.connect(path) as connection:
        connection.execute(
            FILL_JOBS,
            {
                "jobs": jobs,
                "start": to_micros(start, "start"),
                "step": step_us,
                "day": 86_400_000_000,
            },
        )
        connection.execute(FILL_ATTEMPTS)
        connection.execute("ANALYZE")


async def timed(name: str, call: Callable[[], Awaitable[Any]], runs: int = 5) -> None:
    await call()  # warm the page cache
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - began) * 1000)
    print(f"  {name:<52} median {statistics.median(samples):8.1f} ms")


async def measure(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()
    stats = StatsService(store, FakeClock(NOW))
    dead = JobFilter(states=frozenset({JobState.DEAD}))
    retryable = JobFilter(states=frozenset({JobState.DEAD, JobState.CANCELLED}))
    print("Overview:")
    await timed("state_counts (jobs by queue and state)", store.state_counts)
    await timed("list_due(limit=10)", lambda: store.list_due(limit=10))
    await timed("next_due_at()", store.next_due_at)
    await timed("list_jobs(state=dead, limit=10)", lambda: store.list_jobs(dead, limit=10))
    await timed("stats.recent(): one day of attempts per minute", stats.recent)
    print("Jobs:")
    await timed("list_jobs(no filter, limit=50)", lambda: store.list_jobs(JobFilter(), limit=50))
    await timed(
        "list_jobs(queue=payments, limit=50, cursor=500000)",
        lambda: store.list_jobs(JobFilter(queue="payments"), limit=50, before_id=500_000),
    )
    await timed(
        "list_jobs(target=m7.example:443, limit=50)",
        lambda: store.list_jobs(JobFilter(target="m7.example:443"), limit=50),
    )
    await timed("count_jobs(dead or cancelled) (bulk retry)", lambda: store.count_jobs(retryable))
    print("Endpoints:")
    await timed("stats.endpoints(window=24h)", stats.endpoints, runs=3)
    await timed(
        "stats.recent(target=m7.example:443)", lambda: stats.recent(target="m7.example:443")
    )
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "ringback.db"
        asyncio.run(_create(path))
        began = time.perf_counter()
        fill(path, args.jobs)
        size_mb = path.stat().st_size / 1e6
        print(f"filled {args.jobs} jobs in {time.perf_counter() - began:.1f} s ({size_mb:.0f} MB)")
        asyncio.run(measure(path))


async def _create(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()  # applies the migrations
    await store.close()


if __name__ == "__main__":
    main()
