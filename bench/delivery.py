"""End-to-end delivery: N callbacks through `ringback serve` to an nginx sink.

Figures, in one run:

* ringback: ``ringback serve --no-api --workers N`` on a fresh SQLite store. Every job
  is enqueued beforehand, due at one instant T0 a few seconds ahead, with the worker
  processes already up and asleep (so the figure includes waking on time, claiming,
  signing, sending, judging and recording each attempt, and nothing of the enqueue,
  which ``bench/scale.py`` measures). The rate is jobs / (last finished_at - T0), read
  from the database once no job is left; a job that did not succeed fails the run.
* two raw-client ceilings (``bench/client_ceiling.py``), in as many processes as
  there are workers, at the same concurrency, against the same sink: the same N POSTs
  from a bare aiohttp loop (the ceiling the issue names) and from a bare loop of
  ringback's own HTTP client (what a worker could do with no queue at all).

    .venv/bin/python -m bench.delivery --jobs 50000 --workers 2

Target (issue 3): >= 10,000 deliveries/s with ``--workers 2`` on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.client_ceiling import ceiling
from bench.service import machine, serving, write_config
from bench.sink import free_port, nginx_sink
from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.factory import open_store

BODY = (
    '{"out_trade_no": "20261124000001", "total_amount": "88.88", "trade_status": "TRADE_SUCCESS"}'
)
ONCE = {"type": "schedule", "delays": ["0s"]}
ENQUEUE_BATCH = 5_000
ENQUEUE_RATE_GUESS = 20_000  # jobs/s, to give the enqueue enough head start
POLL_S = 0.25  # how often the bench looks for the end (cheap: one indexed probe)


async def enqueue_due_at(store_url: str, url: str, count: int) -> tuple[datetime, float]:
    """``count`` callbacks due at a T0 after the enqueue; T0 and the enqueue's seconds."""
    t0 = datetime.now(UTC) + timedelta(seconds=2 + count / ENQUEUE_RATE_GUESS)
    store = open_store(store_url)
    await store.open()
    started = time.perf_counter()
    try:
        for first in range(0, count, ENQUEUE_BATCH):
            jobs = [
                NewJob(
                    kind=JobKind.HTTP,
                    payload={"url": url, "method": "POST", "body": BODY},
                    policy=ONCE,
                    run_at=t0,
                    target=url.split("/")[2],
                )
                for _ in range(min(ENQUEUE_BATCH, count - first))
            ]
            await store.enqueue(jobs, datetime.now(UTC))
    finally:
        await store.close()
    enqueue_s = time.perf_counter() - started
    if datetime.now(UTC) >= t0 - timedelta(seconds=0.5):
        raise RuntimeError("the enqueue ran past T0; this machine is slower than guessed")
    return t0, enqueue_s


def rate_when_done(database: Path, t0: datetime, count: int) -> float:
    """Wait until no job is scheduled or running; jobs per second from T0 to the last finish."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        while connection.execute(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('scheduled', 'running'))"
        ).fetchone()[0]:
            time.sleep(POLL_S)
        succeeded, last_finished_us = connection.execute(
            "SELECT count(*), max(finished_at) FROM jobs WHERE state = 'succeeded'"
        ).fetchone()
    finally:
        connection.close()
    if succeeded != count:
        raise RuntimeError(f"only {succeeded} of {count} callbacks succeeded")
    last_finished = datetime.fromtimestamp(last_finished_us / 1e6, UTC)
    return count / (last_finished - t0).total_seconds()


def through_ringback(config: Path, database: Path, url: str, count: int) -> tuple[float, float]:
    with serving(config, no_api=True) as running:
        t0, enqueue_s = asyncio.run(enqueue_due_at(running.settings.store.url, url, count))
        return rate_when_done(database, t0, count), enqueue_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=200)
    args = parser.parse_args()
    with nginx_sink() as url, tempfile.TemporaryDirectory(prefix="ringback-bench-") as folder:
        shape = {"count": args.jobs, "processes": args.workers, "concurrency": args.concurrency}
        raw_aiohttp = ceiling("aiohttp", url, body=BODY.encode(), **shape)
        raw_wire = ceiling("wire", url, body=BODY.encode(), **shape)
        config = write_config(
            Path(folder), workers=args.workers, port=free_port(), concurrency=args.concurrency
        )
        database = Path(folder) / "ringback.db"
        rate, enqueue_s = through_ringback(config, database, url, args.jobs)
    print(f"machine: {machine()}")
    print(
        f"raw ceilings ({args.jobs} POSTs, {args.workers} processes, concurrency "
        f"{args.concurrency} each): aiohttp {raw_aiohttp:,.0f}/s, ringback's client "
        f"{raw_wire:,.0f}/s"
    )
    print(
        f"ringback serve --workers {args.workers}: {rate:,.0f} deliveries/s from T0 "
        f"(concurrency {args.concurrency} per worker; the enqueue beforehand took "
        f"{enqueue_s:.2f}s)"
    )
    print(
        f"ratio: {rate / raw_aiohttp:.2f} of the aiohttp ceiling, {rate / raw_wire:.2f} of "
        f"the bare client's   target: >= 10,000 deliveries/s"
    )


if __name__ == "__main__":
    main()
