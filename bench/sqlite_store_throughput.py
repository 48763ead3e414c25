"""Measure the SQLite store: enqueue 1,000,000 jobs in batches of 10,000, then claim.

Not a test (speed is not asserted anywhere); run it by hand:

    .venv/bin/python bench/sqlite_store_throughput.py [--jobs 1000000] [--dir /tmp]

It prints the enqueue rate, the claim latency with the whole backlog due and pending,
the latency of next_due_at and of a state-filtered page, and the file size.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ringback.core.jobs import JobKind, JobState, NewJob
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite import SqliteStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = {"type": "schedule", "delays": ["0s", "2m", "10m", "10m", "1h", "2h", "6h", "15h"]}


def batch(start: int, size: int) -> list[NewJob]:
    return [
        NewJob(
            kind=JobKind.HTTP,
            payload={
                "url": f"https://m{n % 500}.example/notify",
                "body": {"order": f"o-{n}", "amount": 1999, "currency": "CNY"},
            },
            policy=POLICY,
            run_at=T0 + timedelta(milliseconds=n),
            key=f"order-{n}",
            target=f"m{n % 500}.example",
            labels={"merchant": f"m{n % 500}"},
        )
        for n in range(start, start + size)
    ]


async def timed_ms(repeats: int, make_call: Callable[[], Awaitable[object]]) -> list[float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        await make_call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms"


async def main(jobs: int, batch_size: int, directory: Path) -> None:
    path = directory / "bench.db"
    store = SqliteStore(path)
    await store.open()
    # Only the enqueue calls are timed, not building the NewJob values.
    elapsed_s = 0.0
    cpu_s = 0.0
    batch_rates: list[float] = []
    for start in range(0, jobs, batch_size):
        submitted = batch(start, min(batch_size, jobs - start))
        started, started_cpu = time.perf_counter(), time.process_time()
        await store.enqueue(submitted, T0)
        batch_s = time.perf_counter() - started
        cpu_s += time.process_time() - started_cpu
        elapsed_s += batch_s
        batch_rates.append(len(submitted) / batch_s)
    print(f"enqueue: {jobs:,} jobs in {elapsed_s:.1f} s = {jobs / elapsed_s:,.0f} jobs/s")
    print(f"  CPU time {cpu_s:.1f} s = {jobs / cpu_s:,.0f} jobs per CPU-second")
    tenth = max(len(batch_rates) // 10, 1)
    print(
        f"  first {tenth} batches {statistics.mean(batch_rates[:tenth]):,.0f} jobs/s,"
        f" last {tenth} batches {statistics.mean(batch_rates[-tenth:]):,.0f} jobs/s"
    )

    # Everything due: the claim walks the partial index from the earliest run_at.
    all_due = T0 + timedelta(days=1)
    counter = iter(range(10**9))

    async def claim_100() -> None:
        claimed = await store.claim(
            worker=f"w{next(counter)}", now=all_due, limit=100, lease=timedelta(minutes=5)
        )
        assert len(claimed) == 100

    print("claim 100 of", f"{jobs:,} due:", summary(await timed_ms(50, claim_100)))

    async def claim_in_queue() -> None:
        await store.claim(
            worker="wq", now=all_due, limit=100, lease=timedelta(minutes=5), queues=["default"]
        )

    print("claim 100 from a named queue:", summary(await timed_ms(20, claim_in_queue)))

    hung = {f"m{n}.example" for n in range(0, 400)}  # 80% of the backlog excluded

    async def claim_excluding() -> None:
        await store.claim(
            worker="wx", now=all_due, limit=100, lease=timedelta(minutes=5), exclude_targets=hung
        )

    print("claim 100 excluding 400/500 targets:", summary(await timed_ms(20, claim_excluding)))

    async def claim_nothing_due() -> None:
        assert (
            await store.claim(
                worker="w", now=T0 - timedelta(days=1), limit=100, lease=timedelta(minutes=5)
            )
            == []
        )

    print("claim with nothing due yet:", summary(await timed_ms(50, claim_nothing_due)))
    print("next_due_at:", summary(await timed_ms(50, store.next_due_at)))

    scheduled_page = JobFilter(states=frozenset({JobState.SCHEDULED}), queue="default")
    print(
        "list_jobs page of 50 (scheduled, queue):",
        summary(await timed_ms(20, lambda: store.list_jobs(scheduled_page, limit=50))),
    )
    print("state_counts:", summary(await timed_ms(5, store.state_counts)))
    await store.close()


def report_size(directory: Path) -> None:
    size_mb = sum(p.stat().st_size for p in directory.glob("bench.db*")) / 1e6
    print(f"database files: {size_mb:,.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=arguments.dir) as scratch:
        asyncio.run(main(arguments.jobs, arguments.batch, Path(scratch)))
        report_size(Path(scratch))
