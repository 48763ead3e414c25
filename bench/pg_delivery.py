"""PostgreSQL delivery throughput: no-op task jobs through real worker processes.

For each worker count (``--workers 1 2``), in one run on a fresh database (created
here, dropped at the end), each measurement on its own schema:

* ringback: ``ringback serve --no-api --workers N`` on PostgreSQL runs ``--jobs``
  no-op task jobs (an async task in a module written to a temporary folder);
* bare: N processes running the least a PostgreSQL queue can do per job: claim a
  batch with ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``, then mark
  it succeeded, on the same table with the same jobs. No attempt log, no lease
  renewal, no executor: the ceiling of this server for this claim pattern.

Both start from the same position: every job is enqueued beforehand, due at one
instant T0 a few seconds ahead, with the processes already up and waiting. The rate
is jobs / (last finished_at - T0), read from the table.

    .venv/bin/python -m bench.pg_delivery --jobs 50000 --workers 1 2

Target (issue 4): >= 10,000 jobs/s with 2 workers on a 2-core machine.
Not run by the tests. Needs the server at RINGBACK_PG_ADMIN_URL (default
postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.service import machine, serving
from bench.sink import free_port
from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.postgres import PostgresStore
from ringback.core.store.postgres.settings import settings_from_url

TASK_MODULE = "rb_bench_noop_tasks"
TASK_SOURCE = """
from ringback import task


@task("bench.noop")
async def noop():
    return None
"""

CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
[store]
url = "{url}"
schema = "{schema}"
[dispatcher]
concurrency = {concurrency}
batch_size = {batch}
[workers]
count = {workers}
grace = "5s"
[tasks]
modules = ["{module}"]
[log]
level = "warning"
"""

ADMIN_URL = os.environ.get("RINGBACK_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ONCE = {"type": "schedule", "delays": ["0s"]}
ENQUEUE_BATCH = 5_000
ENQUEUE_RATE_GUESS = 15_000  # jobs/s, to give the enqueue enough head start

BARE_CLAIM = (
    "UPDATE {jobs} SET state = 'running', lease_owner = %(worker)s,"
    " lease_expires_at = %(until)s, updated_at = %(now)s"
    " WHERE id IN (SELECT id FROM {jobs} WHERE state = 'scheduled' AND run_at <= %(now)s"
    " ORDER BY run_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED) RETURNING id"
)
BARE_COMPLETE = (
    "UPDATE {jobs} SET state = 'succeeded', lease_owner = NULL, lease_expires_at = NULL,"
    " attempts = attempts + 1, finished_at = %(now)s, updated_at = %(now)s"
    " WHERE id = ANY(%(ids)s)"
)


async def enqueue_due_at(url: str, schema: str, count: int) -> datetime:
    """Create the schema and ``count`` jobs due at a T0 after the enqueue; return T0."""
    head_start = timedelta(seconds=2 + count / ENQUEUE_RATE_GUESS)
    t0 = datetime.now(UTC) + head_start
    store = PostgresStore.from_url(url, schema=schema)
    await store.open()
    try:
        for first in range(0, count, ENQUEUE_BATCH):
            size = min(ENQUEUE_BATCH, count - first)
            jobs = [
                NewJob(kind=JobKind.TASK, payload={"task": "bench.noop"}, policy=ONCE, run_at=t0)
                for _ in range(size)
            ]
            await store.enqueue(jobs, datetime.now(UTC))
    finally:
        await store.close()
    if datetime.now(UTC) >= t0 - timedelta(seconds=0.5):
        raise RuntimeError("the enqueue ran past T0; this machine is slower than guessed")
    return t0


async def rate_when_done(url: str, schema: str, t0: datetime, count: int) -> float:
    """Wait until no job is pending; return jobs per second from T0 to the last finish."""
    jobs = sql.Identifier(schema, "jobs")
    pending = sql.SQL(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE state IN ('scheduled', 'running'))"
    ).format(jobs)
    summary = sql.SQL(
        "SELECT count(*) FILTER (WHERE state = 'succeeded'), max(finished_at) FROM {}"
    ).format(jobs)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        while True:
            row = await (await conn.execute(pending)).fetchone()
            if row is not None and not row[0]:
                break
            await asyncio.sleep(0.1)
        row = await (await conn.execute(summary)).fetchone()
    assert row is not None
    succeeded, last_finished = row
    if succeeded != count:
        raise RuntimeError(f"only {succeeded} of {count} jobs succeeded in {schema}")
    return float(count / (last_finished - t0).total_seconds())


def measure_ringback(url: str, folder: Path, workers: int, args: argparse.Namespace) -> float:
    schema = f"rb_{workers}"
    config = folder / f"ringback-{workers}.toml"
    config.write_text(
        CONFIG.format(
            port=free_port(),
            url=url,
            schema=schema,
            concurrency=args.concurrency,
            batch=args.batch,
            workers=workers,
            module=TASK_MODULE,
        )
    )
    with serving(config, no_api=True):
        t0 = asyncio.run(enqueue_due_at(url, schema, args.jobs))
        rate: float = asyncio.run(rate_when_done(url, schema, t0, args.jobs))
    return rate


def bare_loop(
    conninfo: str, schema: str, index: int, batch: int, t0_s: float, ready: Event
) -> None:
    """One bare claimer process: claim a batch, complete it, until nothing is left."""
    jobs = sql.Identifier(schema, "jobs")
    claim = sql.SQL(BARE_CLAIM).format(jobs=jobs)
    complete = sql.SQL(BARE_COMPLETE).format(jobs=jobs)
    worker = f"bare-{index}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        ready.set()
        time.sleep(max(0.0, t0_s - time.time()))
        while True:
            now = datetime.now(UTC)
            params = {"worker": worker, "now": now, "until": now + timedelta(minutes=5)}
            ids = [row[0] for row in conn.execute(claim, {**params, "limit": batch}).fetchall()]
            if not ids:
                return  # nothing due is left unlocked; the other claimers finish the rest
            conn.execute(complete, {"ids": ids, "now": datetime.now(UTC)})


def measure_bare(url: str, workers: int, args: argparse.Namespace) -> float:
    schema = f"bare_{workers}"
    t0 = asyncio.run(enqueue_due_at(url, schema, args.jobs))
    conninfo = settings_from_url(url).conninfo
    context = multiprocessing.get_context("spawn")
    readies = [context.Event() for _ in range(workers)]
    processes = [
        context.Process(
            target=bare_loop,
            args=(conninfo, schema, index, args.batch, t0.timestamp(), readies[index]),
        )
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    for ready in readies:
        if not ready.wait(30):
            raise RuntimeError("a bare claimer did not start")
    if datetime.now(UTC) >= t0:
        raise RuntimeError("the bare claimers started after T0")
    rate = asyncio.run(rate_when_done(url, schema, t0, args.jobs))
    for process in processes:
        process.join(30)
    return rate


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    name = f"ringback_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))
        finally:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


def server_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50_000, help="jobs per measurement")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=200, help="attempts per worker")
    parser.add_argument("--batch", type=int, default=100, help="jobs per claim (both loops)")
    args = parser.parse_args()

    results: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="ringback-pg-bench-") as temp, fresh_database() as url:
        (Path(temp) / f"{TASK_MODULE}.py").write_text(TASK_SOURCE)
        # serve and its workers inherit the environment, and so find the task module.
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [temp, os.environ.get("PYTHONPATH")])
        )
        version = server_version(url)
        for workers in args.workers:
            ours = measure_ringback(url, Path(temp), workers, args)
            bare = measure_bare(url, workers, args)
            results.append((workers, ours, bare))

    print(f"machine: {machine()}; PostgreSQL {version} on the same host")
    print(f"{args.jobs:,} no-op task jobs per measurement, claims of {args.batch}")
    print("processes   ringback serve   bare SKIP LOCKED loop   ringback/bare")
    for workers, ours, bare in results:
        print(f"{workers:>9}   {ours:>9,.0f} /s   {bare:>16,.0f} /s   {ours / bare:13.2f}")
    print("target: >= 10,000 jobs/s with 2 worker processes")


if __name__ == "__main__":
    main()
