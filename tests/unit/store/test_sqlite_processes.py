"""Several real processes on one SQLite file: no double claims, no lost acknowledgements."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite import SqliteStore

HERE = Path(__file__).parent
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)

pytestmark = pytest.mark.slow


def _spawn(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HERE / script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_two_processes_claiming_from_one_file_never_share_a_job(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    store = SqliteStore(path)
    await store.open()
    results = await store.enqueue(
        [NewJob(kind=JobKind.TASK, payload={"n": n}, policy={}, run_at=NOW) for n in range(300)],
        NOW,
    )
    await store.close()
    go_file = tmp_path / "go"
    workers = [_spawn("sqlite_proc_claimer.py", str(path), f"w{n}", str(go_file)) for n in (1, 2)]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        go_file.touch()
        outputs = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
    claimed = [[int(line) for line in stdout.split() if line != "done"] for stdout, _ in outputs]
    first, second = (set(ids) for ids in claimed)
    assert not first & second
    assert sum(len(ids) for ids in claimed) == 300
    assert first | second == {result.job.id for result in results}


async def test_every_acknowledged_enqueue_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    acknowledged: list[int] = []
    with _spawn("sqlite_proc_enqueuer.py", str(path)) as submitter:
        try:
            assert submitter.stdout is not None and submitter.stderr is not None
            while len(acknowledged) < 200:  # ten acknowledged batches, then pull the plug
                line = submitter.stdout.readline()
                assert line, submitter.stderr.read()
                acknowledged.extend(int(job_id) for job_id in line.split())
            os.kill(submitter.pid, signal.SIGKILL)
            submitter.wait(timeout=10)
        finally:
            if submitter.poll() is None:
                submitter.kill()
                submitter.wait()
    assert submitter.returncode == -signal.SIGKILL

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        for job_id in acknowledged:
            job = await reopened.get_job(job_id)
            assert job is not None, f"acknowledged job {job_id} is missing"
    finally:
        await reopened.close()


async def test_an_enqueue_in_another_process_wakes_a_waiting_store(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    waiter = SqliteStore(path)
    await waiter.open()
    try:
        await waiter.wait_for_jobs(0)  # binds the wake-up socket
        assert await waiter.wait_for_jobs(0.01) is False
        with _spawn("sqlite_proc_enqueuer.py", str(path)) as submitter:
            try:
                assert await waiter.wait_for_jobs(30) is True
            finally:
                submitter.kill()
                submitter.communicate()
        assert await waiter.count_jobs(JobFilter()) > 0
    finally:
        await waiter.close()
