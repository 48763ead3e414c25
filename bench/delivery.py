"""End-to-end delivery: N callbacks through `ringback serve` to an nginx sink.

Figures: deliveries per second through ringback (SQLite store, real worker
processes) and, in the same run, the raw ceiling: the same N POSTs from a bare
aiohttp loop at the same concurrency. Target: ratio >= 0.5.

    .venv/bin/python -m bench.delivery --jobs 20000 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from bench.service import machine, serving, write_config
from bench.sink import free_port, nginx_sink
from ringback.core.jobs import JobKind, JobState, NewJob
from ringback.core.store.contract import JobFilter
from ringback.core.store.factory import open_store

BODY = (
    '{"out_trade_no": "20261124000001", "total_amount": "88.88", "trade_status": "TRADE_SUCCESS"}'
)
ONCE = {"type": "schedule", "delays": ["0s"]}


async def raw_ceiling(url: str, count: int, concurrency: int) -> float:
    """POSTs per second from a bare aiohttp loop: the most any client could do here."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        remaining = iter(range(count))

        async def worker() -> None:
            for _ in remaining:
                async with session.post(url, data=BODY) as response:
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return count / (time.perf_counter() - started)


async def through_ringback(config: Path, url: str, count: int) -> tuple[float, float]:
    """Enqueue ``count`` jobs due now and time until all have succeeded."""
    with serving(config, no_api=True) as running:
        store = open_store(running.settings.store.url)
        await store.open()
        try:
            now = datetime.now(UTC)
            jobs = [
                NewJob(
                    kind=JobKind.HTTP,
                    payload={"url": url, "method": "POST", "body": BODY},
                    policy=ONCE,
                    run_at=now,
                    target=url.split("/")[2],
                )
                for _ in range(count)
            ]
            started = time.perf_counter()
            for offset in range(0, count, 5000):
                await store.enqueue(jobs[offset : offset + 5000], datetime.now(UTC))
            enqueued_s = time.perf_counter() - started
            done = JobFilter(states=frozenset({JobState.SUCCEEDED}))
            while await store.count_jobs(done) < count:
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            await store.close()
    return count / elapsed, enqueued_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=200)
    args = parser.parse_args()
    with nginx_sink() as url, tempfile.TemporaryDirectory(prefix="ringback-bench-") as folder:
        raw = asyncio.run(raw_ceiling(url, args.jobs, args.concurrency))
        config = write_config(
            Path(folder), workers=args.workers, port=free_port(), concurrency=args.concurrency
        )
        rate, enqueue_s = asyncio.run(through_ringback(config, url, args.jobs))
    print(f"machine: {machine()}")
    print(
        f"raw aiohttp ceiling: {raw:,.0f} POST/s "
        f"({args.jobs} POSTs, concurrency {args.concurrency})"
    )
    print(
        f"ringback serve --workers {args.workers}: {rate:,.0f} deliveries/s "
        f"(enqueue of {args.jobs} took {enqueue_s:.2f}s, included)"
    )
    print(f"ratio: {rate / raw:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
