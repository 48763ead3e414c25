"""A worker process for test_sqlite_processes: claim until nothing is left.

Usage: python sqlite_proc_claimer.py DB_PATH WORKER GO_FILE
Prints "ready", waits for GO_FILE to exist (so that both workers start together),
then prints one line per claimed job id and "done" at the end.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ringback.core.store.sqlite import SqliteStore

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def wait_for_file(go_file: Path) -> None:
    while not go_file.exists():
        time.sleep(0.005)


async def main(path: Path, worker: str, go_file: Path) -> None:
    store = SqliteStore(path, busy_timeout_s=30)
    await store.open()
    print("ready", flush=True)
    await asyncio.to_thread(wait_for_file, go_file)
    while claimed := await store.claim(
        worker=worker, now=NOW, limit=5, lease=timedelta(minutes=10)
    ):
        for job in claimed:
            print(job.id, flush=True)
        await asyncio.sleep(0.001)  # "work": let the other process take the lock too
    await store.close()
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
