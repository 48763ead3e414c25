"""Scale: a million jobs due tomorrow, then one job due now.

1. Enqueue ``--jobs`` HTTP callbacks (1,000,000), due over tomorrow (UTC), through
   the SQLite store in batches of ``--batch``. Figure: jobs/s (target >= 50,000/s).
   Baseline in the same run: raw ``sqlite3`` ``executemany`` of the same rows into a
   table of the same shape (the store's own schema and indexes, created by its
   migrations in another file), with the same durability and settings (WAL,
   ``synchronous=FULL``, cache and checkpoint size, one transaction per batch).
   Only the insert calls are timed on either side.
2. Start ``ringback serve --workers 1`` on that store; once the worker's RSS has
   settled, report it (target < 150 MB).
3. Submit ONE job due now through the HTTP API and time its start latency: the
   attempt's ``started_at`` minus the moment before the POST was sent (target < 50 ms).
   Repeated ``--repeats`` times, one after the other; p50 and max reported.

    .venv/bin/python -m bench.scale --jobs 1000000 --batch 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.service import api_url, machine, rss_mb, serving, worker_pids, write_config
from bench.sink import free_port, nginx_sink
from ringback.core.jobs import Attempt, JobKind, NewJob
from ringback.core.store.contract import Store
from ringback.core.store.factory import open_store
from ringback.interfaces.client import AsyncClient

POLICY = {"type": "schedule", "delays": ["0s", "2m", "10m", "10m", "1h", "2h", "6h", "15h"]}
ONCE = {"type": "schedule", "delays": ["0s"]}
SETTLE_WINDOW = 6  # RSS samples (0.5 s apart) that must agree within SETTLE_MB
SETTLE_MB = 1.0
SETTLE_LIMIT_S = 60.0
BASELINE_INSERT = """
INSERT INTO jobs (
    kind, queue, key, target, labels, payload, policy, state, run_at,
    attempts, series, series_started_at, created_at, updated_at
) VALUES ('http', 'default', ?, ?, '{}', ?, ?, 'scheduled', ?, 0, 1, ?, ?, ?)
"""


def body(index: int) -> str:
    order = f"2026112{index:010d}"
    return json.dumps({"out_trade_no": order, "total_amount": "88.88", "trade_status": "SUCCESS"})


def tomorrow_at(index: int, count: int) -> datetime:
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(days=1, seconds=index * 86_400 / count)


def batches(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def key_of(index: int, keyed: bool) -> str | None:
    return f"order-{index}" if keyed else None


async def enqueue_rate(store: Store, url: str, count: int, size: int, keyed: bool) -> float:
    target = url.split("/")[2]
    spent_s = 0.0
    for indexes in batches(count, size):
        jobs = [
            NewJob(
                kind=JobKind.HTTP,
                payload={"url": url, "method": "POST", "body": body(index)},
                policy=POLICY,
                run_at=tomorrow_at(index, count),
                key=key_of(index, keyed),
                target=target,
            )
            for index in indexes
        ]
        started = time.perf_counter()
        await store.enqueue(jobs, datetime.now(UTC))
        spent_s += time.perf_counter() - started
    return count / spent_s


async def create_schema(path: Path) -> None:
    """The store's own tables and indexes, via its migrations."""
    store = open_store(f"sqlite:///{path}")
    await store.open()
    await store.close()


def raw_rate(path: Path, url: str, count: int, size: int, keyed: bool) -> float:
    """The same rows with nothing but sqlite3: the floor for any SQLite store."""
    asyncio.run(create_schema(path))
    target = url.split("/")[2]
    policy = json.dumps(POLICY)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    # The store's cache and checkpoint settings too, so neither side checkpoints more.
    connection.execute("PRAGMA cache_size = -32768")
    connection.execute("PRAGMA wal_autocheckpoint = 16384")
    spent_s = 0.0
    try:
        for indexes in batches(count, size):
            now_us = int(time.time() * 1_000_000)
            rows = []
            for index in indexes:
                run_at_us = int(tomorrow_at(index, count).timestamp() * 1_000_000)
                payload = json.dumps({"url": url, "method": "POST", "body": body(index)})
                key = key_of(index, keyed)
                rows.append((key, target, payload, policy, run_at_us, run_at_us, now_us, now_us))
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(BASELINE_INSERT, rows)
            connection.execute("COMMIT")
            spent_s += time.perf_counter() - started
    finally:
        connection.close()
    return count / spent_s


def settled_rss_mb(pid: int) -> tuple[float, float]:
    """Sample RSS every 0.5 s until SETTLE_WINDOW samples agree; (rss, seconds waited)."""
    started = time.monotonic()
    samples: list[float] = []
    while time.monotonic() - started < SETTLE_LIMIT_S:
        samples.append(rss_mb(pid))
        window = samples[-SETTLE_WINDOW:]
        if len(window) == SETTLE_WINDOW and max(window) - min(window) <= SETTLE_MB:
            break
        time.sleep(0.5)
    return samples[-1], time.monotonic() - started


async def start_latencies_ms(
    base_url: str, token: str, store: Store, url: str, repeats: int
) -> list[float]:
    """Submit one immediate job at a time through the API; started_at - submit time."""
    latencies = []
    async with AsyncClient(base_url, token) as client:
        for index in range(repeats):
            submitted_at = datetime.now(UTC)
            answer = await client.submit(
                {"url": url, "method": "POST", "body": body(index)}, policy=ONCE
            )
            attempts: list[Attempt] = []
            deadline = time.monotonic() + 10
            while not attempts:
                if time.monotonic() > deadline:
                    raise SystemExit(f"job {answer.job.id} did not start within 10 s")
                await asyncio.sleep(0.005)
                attempts = await store.list_attempts(answer.job.id)
            latencies.append((attempts[0].started_at - submitted_at).total_seconds() * 1000)
            await asyncio.sleep(0.1)  # let the worker go back to sleep before the next one
    return latencies


@dataclass(frozen=True)
class Probe:
    rss_mb: float  # the worker's, once settled
    settle_s: float
    rss_after_mb: float  # the worker's, after the immediate jobs ran
    latencies_ms: list[float]


async def serve_and_probe(config: Path, url: str, repeats: int) -> Probe:
    with serving(config) as running:
        (worker,) = worker_pids(running)
        rss, settle_s = settled_rss_mb(worker)
        store = open_store(running.settings.store.url)
        await store.open()
        try:
            latencies = await start_latencies_ms(
                api_url(running), running.settings.server.token, store, url, repeats
            )
        finally:
            await store.close()
        after = rss_mb(worker)
    return Probe(rss, settle_s, after, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20, help="immediate jobs timed")
    parser.add_argument("--keys", action="store_true", help="give every job an idempotency key")
    parser.add_argument("--dir", type=Path, default=None, help="where the databases go")
    args = parser.parse_args()
    with (
        nginx_sink() as url,
        tempfile.TemporaryDirectory(prefix="ringback-scale-", dir=args.dir) as folder,
    ):
        base = Path(folder)
        raw = raw_rate(base / "baseline.db", url, args.jobs, args.batch, args.keys)
        for leftover in base.glob("baseline.db*"):
            leftover.unlink()
        config = write_config(base, workers=1, port=free_port())
        store = open_store(f"sqlite:///{base / 'ringback.db'}")

        async def fill() -> float:
            await store.open()
            try:
                return await enqueue_rate(store, url, args.jobs, args.batch, args.keys)
            finally:
                await store.close()

        rate = asyncio.run(fill())
        size_mb = sum(path.stat().st_size for path in base.glob("ringback.db*")) / 1e6
        probe = asyncio.run(serve_and_probe(config, url, args.repeats))
    keyed = "with" if args.keys else "without"
    print(f"machine: {machine()}")
    print(f"jobs: {args.jobs:,} due tomorrow, batches of {args.batch:,}, {keyed} keys")
    print(f"raw sqlite3 executemany (baseline): {raw:,.0f} jobs/s")
    print(f"store.enqueue: {rate:,.0f} jobs/s (target >= 50,000/s), ratio {rate / raw:.2f}")
    print(f"database: {size_mb:,.0f} MB")
    print(
        f"worker RSS after settling ({probe.settle_s:.1f}s): {probe.rss_mb:.1f} MB "
        "(target < 150 MB)"
    )
    print(f"worker RSS after the immediate jobs: {probe.rss_after_mb:.1f} MB")
    latencies = probe.latencies_ms
    print(
        f"start latency of an immediate API job ({len(latencies)} in turn): "
        f"first {latencies[0]:.1f} ms, p50 {statistics.median(latencies):.1f} ms, "
        f"max {max(latencies):.1f} ms (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
