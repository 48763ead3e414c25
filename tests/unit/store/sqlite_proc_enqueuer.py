"""A submitter process for test_sqlite_processes: enqueue forever, report what is acked.

Usage: python sqlite_proc_enqueuer.py DB_PATH
After each ``enqueue`` returns, prints the acknowledged ids on one line. It never
stops by itself: the test kills it with SIGKILL at some point.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.sqlite import SqliteStore

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


async def main(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()
    batch_number = 0
    while True:
        batch_number += 1
        jobs = [
            NewJob(
                kind=JobKind.TASK,
                payload={"batch": batch_number, "n": n},
                policy={"type": "schedule", "delays": ["0s"]},
                run_at=NOW,
                key=f"b{batch_number}-{n}",
            )
            for n in range(20)
        ]
        results = await store.enqueue(jobs, NOW)
        print(" ".join(str(result.job.id) for result in results), flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
