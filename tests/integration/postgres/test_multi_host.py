"""Several hosts on one PostgreSQL queue: real `ringback serve` trees, real SIGKILL.

Each "host" is its own `ringback serve` process tree with its own configuration file
and data folder; they share only the database. Jobs are no-op task jobs that log when
each run starts and ends (``hosts.py``), so the test can see every run of every job,
on whichever host it happened.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ringback.core.jobs import JobKind, JobState, NewJob
from ringback.core.store.contract import JobFilter
from ringback.core.store.postgres import PostgresStore
from ringback.interfaces.client import AsyncClient

from .hosts import TASK_NAME, Host, Run, read_runs, started_and_ended

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

JOBS = 10_000
HOLD_MS = 50  # each run takes a little while, so that two runs of one job could overlap
RETRY_SOON = {"type": "schedule", "delays": ["0s", "1s", "1s", "1s", "1s", "1s"]}


def task_job(n: int, now: datetime) -> NewJob:
    return NewJob(
        kind=JobKind.TASK,
        payload={"task": TASK_NAME, "args": {"hold_ms": HOLD_MS}},
        policy=RETRY_SOON,
        run_at=now,
        key=f"job-{n}",
    )


async def submit(store: PostgresStore, count: int) -> set[int]:
    ids: set[int] = set()
    for first in range(0, count, 1000):
        now = datetime.now(UTC)
        batch = [task_job(n, now) for n in range(first, min(first + 1000, count))]
        ids.update(result.job.id for result in await store.enqueue(batch, now))
    return ids


async def wait_mid_run(run_log: Path, pid: int) -> None:
    """Until process ``pid`` has finished some runs and has many under way."""
    async with asyncio.timeout(60):
        while True:
            started, ended = started_and_ended(run_log, pid)
            if ended >= 100 and started - ended >= 50:
                return
            await asyncio.sleep(0.005)


async def wait_gone(pid: int) -> None:
    """Until the process no longer exists (it has no parent left to reap it but init)."""
    async with asyncio.timeout(10):
        while _proc_state(pid) not in ("gone", "Z"):
            await asyncio.sleep(0.01)


def _proc_state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


async def held_by(pg_url: str, schema: str, worker_pid: int) -> set[int]:
    """Jobs still leased to that worker (worker ids are ``host:pid:w<index>``)."""
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        query = sql.SQL("SELECT id FROM {} WHERE state = 'running' AND lease_owner LIKE %s").format(
            sql.Identifier(schema, "jobs")
        )
        cursor = await conn.execute(query, [f"%:{worker_pid}:w%"])
        return {row[0] for row in await cursor.fetchall()}


async def wait_all_succeeded(store: PostgresStore, count: int) -> None:
    succeeded = JobFilter(states=frozenset({JobState.SUCCEEDED}))
    async with asyncio.timeout(90):
        while await store.count_jobs(succeeded) < count:
            await asyncio.sleep(0.1)


def overlapping(runs: list[Run], killed_at_ns: int) -> list[tuple[Run, Run]]:
    """Pairs of runs of one job that were under way at the same time. A run cut
    short by the SIGKILL ended, at the latest, when the kill was sent."""
    by_job: dict[int, list[Run]] = defaultdict(list)
    for run in runs:
        by_job[run.job_id].append(run)
    pairs = []
    for job_runs in by_job.values():
        job_runs.sort(key=lambda run: run.start_ns)
        for before, after in itertools.pairwise(job_runs):
            end_ns = before.end_ns if before.end_ns is not None else killed_at_ns
            if after.start_ns < end_ns:
                pairs.append((before, after))
    return pairs


async def test_three_hosts_run_10000_jobs_once_at_a_time_and_survive_a_sigkill(
    hosts: Callable[..., Host],
    store: PostgresStore,
    pg_database_url: str,
    schema: str,
    run_log: Path,
) -> None:
    fleet = [hosts(name, lease="2s", idle_wait="60s") for name in ("host-a", "host-b", "host-c")]
    for host in fleet:
        host.start()  # all three migrate at once: one does it, the others wait
    for host in fleet:
        await host.wait_ready()
    victim = fleet[1]
    victim_pid = victim.worker_pid()

    ids = await submit(store, JOBS)
    assert len(ids) == JOBS
    await wait_mid_run(run_log, victim_pid)
    victim.kill_all()
    killed_at_ns = time.monotonic_ns()
    await wait_gone(victim_pid)
    held_at_kill = await held_by(pg_database_url, schema, victim_pid)
    # Its leases are still valid (2 s): nobody else may have these jobs yet.
    assert held_at_kill, "the killed host held no job: nothing was taken over"

    await wait_all_succeeded(store, JOBS)
    runs = read_runs(run_log)
    ended = {run.job_id for run in runs if run.end_ns is not None}
    assert ended == ids  # every job delivered, none lost
    assert overlapping(runs, killed_at_ns) == []  # never two runs of one job at once
    runs_per_job: dict[int, int] = defaultdict(int)
    for run in runs:
        runs_per_job[run.job_id] += 1
    twice = {job_id for job_id, count in runs_per_job.items() if count > 1}
    # Repeats only for what the killed host held; at most one repeat each.
    assert twice <= held_at_kill
    assert max(runs_per_job.values()) <= 2
    cut_short = {r.job_id for r in runs if r.pid == victim_pid and r.end_ns is None}
    assert cut_short, "the kill came when the host had nothing under way"
    assert cut_short <= twice  # each run cut short was run again elsewhere
    taken_over = [r for r in runs if r.job_id in held_at_kill and r.pid != victim_pid]
    assert {run.job_id for run in taken_over} == held_at_kill
    assert all(run.start_ns > killed_at_ns for run in taken_over)
    for host in (fleet[0], fleet[2]):
        assert await host.stop() == 0


async def test_a_job_submitted_on_one_host_starts_at_once_with_no_polling(
    hosts: Callable[..., Host], store: PostgresStore, run_log: Path
) -> None:
    # Finished 40 days ago: the workers' retention sweep deletes it when they start.
    long_ago = datetime.now(UTC) - timedelta(days=40)
    [old] = await store.enqueue([task_job(-1, long_ago)], long_ago)
    await store.cancel(old.job.id, long_ago)

    # idle_wait 60 s: an idle worker looks at the queue again only when woken.
    api_host = hosts("host-a", idle_wait="60s")
    other_host = hosts("host-b", idle_wait="60s")
    api_host.start(api=True)
    other_host.start()
    await api_host.wait_ready()
    await other_host.wait_ready()

    async with asyncio.timeout(10):
        while await store.get_job(old.job.id) is not None:
            await asyncio.sleep(0.05)

    latencies_s = []
    async with AsyncClient(api_host.url, api_host.token) as client:
        # After the first round every worker has certainly gone back to sleep for
        # 60 s with nothing due, so the later rounds can start only by a wake-up.
        for n in range(4):
            submitted_ns = time.monotonic_ns()
            answer = await client.submit(
                {"task": TASK_NAME, "args": {}}, kind="task", key=f"now-{n}"
            )
            async with asyncio.timeout(10):
                while not (started := [r for r in read_runs(run_log) if r.job_id == answer.job.id]):
                    await asyncio.sleep(0.01)
            latencies_s.append((started[0].start_ns - submitted_ns) / 1e9)
    assert max(latencies_s) < 3, latencies_s
    for host in (api_host, other_host):
        assert await host.stop() == 0
