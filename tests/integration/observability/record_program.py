"""A worker-like process for the multiprocess metrics test (run as a script, not
collected): a real dispatcher over its own SQLite file delivers ``--ok`` callbacks
that succeed and ``--gone`` that fail for good to a loopback receiver, recording
metrics through the process's instruments (into PROMETHEUS_MULTIPROC_DIR, which
the test sets), then exits."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from ringback.core.clock import SystemClock
from ringback.core.config import Settings
from ringback.core.dispatcher import Dispatcher, DispatcherOptions
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.sqlite import SqliteStore
from ringback.interfaces.observability.metrics_dir import multiprocess_dir
from ringback.interfaces.observability.metrics_process import (
    count_reconciliation_breaks,
    count_statement_pull,
)
from ringback.interfaces.runtime.observers import alert_observers

ONCE = {"type": "schedule", "delays": ["0s"]}


async def answer(request: web.Request) -> web.Response:
    return web.Response(status=410 if request.path == "/gone" else 200)


async def run(db: Path, ok: int, gone: int) -> None:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    store = SqliteStore(db)
    await store.open()
    clock = SystemClock()
    executor = HttpExecutor(HttpOptions(allow_private=True, signing_secret=generate_secret()))
    paths = ["/ok"] * ok + ["/gone"] * gone
    jobs = []
    for path in paths:
        prepared = executor.prepare({"url": base + path})
        jobs.append(
            NewJob(JobKind.HTTP, prepared.payload, ONCE, clock.now(), target=prepared.target)
        )
    ids = [result.job.id for result in await store.enqueue(jobs, clock.now())]
    # The runtime's own helper: with no alert URL it gives just the metrics observer.
    observers = alert_observers(Settings(), store, clock)
    dispatcher = Dispatcher(
        store,
        {JobKind.HTTP: executor},
        clock=clock,
        options=DispatcherOptions(flush_delay=timedelta(0)),
        worker_id=f"record-{db.stem}",
        observers=observers,
    )
    task = asyncio.create_task(dispatcher.run())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while loop.time() < deadline:
        states = [job.state for job in await asyncio.gather(*map(store.get_job, ids)) if job]
        if len(states) == len(ids) and all(state.is_final for state in states):
            break
        await asyncio.sleep(0.01)
    dispatcher.stop(timedelta(seconds=2))
    await task
    await executor.close()
    await store.close()
    await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--ok", type=int, default=0)
    parser.add_argument("--gone", type=int, default=0)
    parser.add_argument("--pull", default="")
    parser.add_argument("--breaks", type=int, default=0)
    args = parser.parse_args()
    if multiprocess_dir() is None:
        print("PROMETHEUS_MULTIPROC_DIR is not set", file=sys.stderr)
        return 2
    asyncio.run(run(args.db, args.ok, args.gone))
    if args.pull:
        count_statement_pull("icbc", args.pull)
    if args.breaks:
        count_reconciliation_breaks("icbc", "missing_in_ledger", args.breaks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
