"""PostgreSQL store: enqueue rate and claim latency with a large pending backlog.

Figures, all from one run on a fresh database (created here, dropped at the end):

* enqueue rate: ``--jobs`` jobs through ``PostgresStore.enqueue`` in batches;
* claim latency: p50/p99 of ``PostgresStore.claim`` taking ``--claim-batch`` jobs
  while the rest stay pending;
* the same for a bare ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``
  loop on a plain connection returning only ids: the least any claim can cost on
  this server. The ratio store/bare is ringback's overhead (pool, full rows, the
  expired-lease branch, turning rows into ``Job`` values).

    .venv/bin/python -m bench.pg_claim --jobs 200000

Not run by the tests. Needs the server at RINGBACK_PG_ADMIN_URL (default
postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql

from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.postgres import PostgresStore

ADMIN_URL = os.environ.get("RINGBACK_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SCHEMA = "bench"
LEASE = timedelta(minutes=5)
POLICY = {"type": "schedule", "delays": ["0s", "2m", "10m", "10m", "1h", "2h", "6h", "15h"]}

BARE_CLAIM = sql.SQL(
    "UPDATE {jobs} SET state = 'running', lease_owner = %(worker)s,"
    " lease_expires_at = %(until)s, updated_at = %(now)s"
    " WHERE id IN (SELECT id FROM {jobs} WHERE state = 'scheduled' AND run_at <= %(now)s"
    " ORDER BY run_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED) RETURNING id"
).format(jobs=sql.Identifier(SCHEMA, "jobs"))


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    name = f"ringback_bench_{secrets.token_hex(4)}"
    async with await psycopg.AsyncConnection.connect(ADMIN_URL, autocommit=True) as admin:
        await admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        finally:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            await admin.execute(drop.format(sql.Identifier(name)))


def job(number: int, now: datetime) -> NewJob:
    # Spread over the past hour so the claim order (run_at) is not insertion order.
    run_at = now - timedelta(seconds=(number * 7919) % 3600)
    return NewJob(
        kind=JobKind.HTTP,
        payload={
            "url": f"https://merchant{number % 500}.example/notify",
            "method": "POST",
            "body": f"out_trade_no=2026{number:012d}&total_amount=88.88&trade_status=SUCCESS",
        },
        policy=POLICY,
        run_at=run_at,
        key=f"notify:{number}",
        target=f"merchant{number % 500}.example",
        labels={"merchant": f"m{number % 500}"},
    )


async def enqueue_all(store: PostgresStore, count: int, batch: int) -> float:
    now = datetime.now(UTC)
    started = time.perf_counter()
    for first in range(0, count, batch):
        jobs = [job(number, now) for number in range(first, min(first + batch, count))]
        await store.enqueue(jobs, now)
    return count / (time.perf_counter() - started)


async def latencies_ms(
    first: Callable[[], Awaitable[int]], second: Callable[[], Awaitable[int]], rounds: int
) -> tuple[list[float], list[float]]:
    """Time both claims round by round, alternately first, so that both see the same
    load from whatever else the machine is doing."""
    for _ in range(5):  # warm the plan cache and the pool
        await first()
        await second()
    samples: tuple[list[float], list[float]] = ([], [])
    for round_ in range(rounds):
        order = [(0, first), (1, second)] if round_ % 2 == 0 else [(1, second), (0, first)]
        for index, claim in order:
            started = time.perf_counter()
            taken = await claim()
            samples[index].append((time.perf_counter() - started) * 1000)
            if taken == 0:
                raise RuntimeError("the backlog ran out; use more --jobs or fewer --rounds")
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def describe(samples: list[float]) -> str:
    return (
        f"p50 {percentile(samples, 0.50):6.2f} ms   p99 {percentile(samples, 0.99):6.2f} ms"
        f"   mean {statistics.fmean(samples):6.2f} ms"
    )


async def run(count: int, batch: int, claim_batch: int, rounds: int) -> None:
    async with fresh_database() as url:
        store = PostgresStore.from_url(url, schema=SCHEMA)
        await store.open()
        try:
            rate = await enqueue_all(store, count, batch)
            print(f"enqueue: {count:,} jobs in batches of {batch:,}: {rate:,.0f} jobs/s")
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                # What autovacuum would have done by now on a live system.
                await conn.execute(
                    sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(SCHEMA, "jobs"))
                )

                async def store_claim() -> int:
                    jobs = await store.claim(
                        worker="bench-store", now=datetime.now(UTC), limit=claim_batch, lease=LEASE
                    )
                    return len(jobs)

                async def bare_claim() -> int:
                    now = datetime.now(UTC)
                    params = {"worker": "bench-bare", "now": now, "until": now + LEASE}
                    cursor = await conn.execute(BARE_CLAIM, {**params, "limit": claim_batch})
                    return len(await cursor.fetchall())

                ours, bare = await latencies_ms(store_claim, bare_claim, rounds)
        finally:
            await store.close()
    pending = count - 2 * (rounds + 5) * claim_batch
    print(f"claim {claim_batch} with >= {pending:,} pending, {rounds} rounds each, interleaved:")
    print(f"  PostgresStore.claim      {describe(ours)}")
    print(f"  bare SKIP LOCKED update  {describe(bare)}")
    ratio = percentile(ours, 0.5) / percentile(bare, 0.5)
    print(f"  ratio store/bare (p50)   {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1_000, help="jobs per enqueue call")
    parser.add_argument("--claim-batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=300, help="claims measured per method")
    args = parser.parse_args()
    asyncio.run(run(args.jobs, args.batch, args.claim_batch, args.rounds))


if __name__ == "__main__":
    main()
