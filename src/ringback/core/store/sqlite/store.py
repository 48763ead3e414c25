"""``SqliteStore``: the embedded, single-file implementation of ``Store``.

One database file in WAL mode with ``synchronous=FULL``; any number of processes (the
API and several workers) may open it at once. Each store owns one connection used by
one background thread (``SerialConnection``), so coroutines never block the event loop.
The SQL is in ``queries.sql`` and ``migrations/``; the sync operations are grouped by
concern in ``submit``, ``read``, ``work`` and ``admin``; ``wakeup`` carries the
cross-process "something is due" signal.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from ringback.core.errors import InvalidInput
from ringback.core.jobs import Attempt, Job, NewJob, Outcome
from ringback.core.store.contract import (
    AttemptBucket,
    EnqueueResult,
    JobFilter,
    JobPage,
    Record,
    RecordWrite,
    StateCounts,
    Store,
    TargetStats,
    WriteResult,
)
from ringback.core.store.record_input import check_query
from ringback.core.store.sqlite import admin, blobs, read, stats, submit, work
from ringback.core.store.sqlite import records as _records
from ringback.core.store.sqlite.codec import to_micros
from ringback.core.store.sqlite.connection import SerialConnection
from ringback.core.store.sqlite.migrate import apply_migrations, load_migrations, schema_version
from ringback.core.store.sqlite.wakeup import WakeChannel

T = TypeVar("T")


class SqliteStore(Store):
    def __init__(self, path: Path, *, busy_timeout_s: float = 5.0) -> None:
        if busy_timeout_s < 0:
            raise InvalidInput("busy_timeout_s must not be negative", field="busy_timeout_s")
        self.path = Path(path)
        self._connection = SerialConnection(self.path, busy_timeout_s=busy_timeout_s)
        self._wake = WakeChannel(self.path)

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    # -- life cycle -------------------------------------------------------------
    async def open(self) -> None:
        if self._connection.is_open:
            return
        await self._connection.open()
        migrations = load_migrations()
        applied_at_us = to_micros(datetime.now(UTC), "applied_at")
        try:
            await self._connection.run(
                lambda connection: apply_migrations(connection, migrations, applied_at_us)
            )
        except BaseException:
            await self._connection.close()
            raise

    async def close(self) -> None:
        self._wake.close()
        await self._connection.close()

    async def schema_version(self) -> int:
        return await self._connection.run(schema_version)

    # -- submitting -------------------------------------------------------------
    async def enqueue(self, jobs: Sequence[NewJob], now: datetime) -> list[EnqueueResult]:
        def operation(connection: sqlite3.Connection) -> list[EnqueueResult]:
            results, created = submit.enqueue(connection, jobs, now)
            if created:
                self._wake.notify_others()
            return results

        results = await self._connection.run(operation)
        if any(result.created for result in results):
            self._wake.notify_local()
        return results

    # -- reading ----------------------------------------------------------------
    async def get_job(self, job_id: int) -> Job | None:
        return await self._connection.run(lambda connection: read.get_job(connection, job_id))

    async def get_job_by_key(self, key: str) -> Job | None:
        return await self._connection.run(lambda connection: read.get_job_by_key(connection, key))

    async def list_jobs(
        self, where: JobFilter, *, limit: int, before_id: int | None = None
    ) -> JobPage:
        return await self._connection.run(
            lambda connection: read.list_jobs(connection, where, limit, before_id)
        )

    async def count_jobs(self, where: JobFilter) -> int:
        return await self._connection.run(lambda connection: read.count_jobs(connection, where))

    async def list_attempts(self, job_id: int) -> list[Attempt]:
        return await self._connection.run(lambda connection: read.list_attempts(connection, job_id))

    async def state_counts(self) -> StateCounts:
        return await self._connection.run(read.state_counts)

    async def next_due_at(
        self, queues: Sequence[str] | None = None, exclude_targets: Collection[str] = ()
    ) -> datetime | None:
        return await self._connection.run(
            lambda connection: read.next_due_at(connection, queues, exclude_targets)
        )

    async def list_due(self, *, limit: int) -> list[Job]:
        return await self._connection.run(lambda connection: read.list_due(connection, limit))

    async def attempt_stats(
        self, *, since: datetime, bucket: timedelta, target: str | None = None
    ) -> list[AttemptBucket]:
        return await self._connection.run(
            lambda connection: stats.attempt_stats(
                connection, since=since, bucket=bucket, target=target
            )
        )

    async def target_stats(self, *, since: datetime, limit: int) -> list[TargetStats]:
        return await self._connection.run(
            lambda connection: stats.target_stats(connection, since=since, limit=limit)
        )

    # -- working ----------------------------------------------------------------
    async def claim(
        self,
        *,
        worker: str,
        now: datetime,
        limit: int,
        lease: timedelta,
        queues: Sequence[str] | None = None,
        exclude_targets: Collection[str] = (),
    ) -> list[Job]:
        return await self._connection.run(
            lambda connection: work.claim(
                connection,
                worker=worker,
                now=now,
                limit=limit,
                lease=lease,
                queues=queues,
                exclude_targets=exclude_targets,
            )
        )

    async def renew_leases(
        self, *, worker: str, job_ids: Sequence[int], now: datetime, lease: timedelta
    ) -> set[int]:
        return await self._connection.run(
            lambda connection: work.renew_leases(
                connection, worker=worker, job_ids=job_ids, now=now, lease=lease
            )
        )

    async def record_outcomes(self, outcomes: Sequence[Outcome], now: datetime) -> set[int]:
        applied, _ = await self._write_and_wake(
            lambda connection: work.record_outcomes(connection, outcomes, now),
            changed=lambda result: result[1] > 0,  # follow-up jobs were created
        )
        return applied

    async def release(
        self, *, worker: str, job_ids: Sequence[int], run_at: datetime, now: datetime
    ) -> int:
        released = await self._write_and_wake(
            lambda connection: work.release(
                connection, worker=worker, job_ids=job_ids, run_at=run_at, now=now
            ),
            changed=bool,
        )
        return released

    # -- operator actions -------------------------------------------------------
    async def cancel(self, job_id: int, now: datetime) -> Job:
        return await self._connection.run(lambda connection: admin.cancel(connection, job_id, now))

    async def retry(self, job_id: int, run_at: datetime, now: datetime) -> Job:
        return await self._write_and_wake(
            lambda connection: admin.retry(connection, job_id, run_at, now)
        )

    async def reschedule(self, job_id: int, run_at: datetime, now: datetime) -> Job:
        return await self._write_and_wake(
            lambda connection: admin.reschedule(connection, job_id, run_at, now)
        )

    # -- waking -----------------------------------------------------------------
    async def wait_for_jobs(self, timeout_s: float) -> bool:
        return await self._wake.wait(timeout_s)

    # -- housekeeping -----------------------------------------------------------
    async def purge_finished(self, *, older_than: datetime, batch_size: int) -> int:
        return await self._connection.run(
            lambda connection: admin.purge_finished(
                connection, older_than=older_than, batch_size=batch_size
            )
        )

    # -- domain records and blobs -------------------------------------------------
    async def write(
        self,
        *,
        records: Sequence[RecordWrite] = (),
        jobs: Sequence[NewJob] = (),
        now: datetime,
    ) -> WriteResult:
        return await self._write_and_wake(
            lambda connection: _records.write(connection, records, jobs, now),
            changed=lambda result: any(job.created for job in result.jobs),
        )

    async def get_record(self, namespace: str, key: str) -> Record | None:
        return await self._connection.run(
            lambda connection: _records.get_record(connection, namespace, key)
        )

    async def list_records(
        self,
        namespace: str,
        *,
        group: str | None = None,
        ref_from: datetime | None = None,
        ref_to: datetime | None = None,
        limit: int = 100,
        before: tuple[datetime, str] | None = None,
    ) -> list[Record]:
        query = check_query(namespace, group, ref_from, ref_to, before)
        return await self._connection.run(
            lambda connection: _records.list_records(connection, query, limit)
        )

    async def count_records(
        self,
        namespace: str,
        *,
        group: str | None = None,
        ref_from: datetime | None = None,
        ref_to: datetime | None = None,
    ) -> int:
        query = check_query(namespace, group, ref_from, ref_to)
        return await self._connection.run(
            lambda connection: _records.count_records(connection, query)
        )

    async def put_blob(self, data: bytes, now: datetime) -> str:
        return await self._connection.run(lambda connection: blobs.put_blob(connection, data, now))

    async def get_blob(self, sha256: str) -> bytes | None:
        return await self._connection.run(lambda connection: blobs.get_blob(connection, sha256))

    async def _write_and_wake(
        self,
        operation: Callable[[sqlite3.Connection], T],
        changed: Callable[[T], bool] = lambda _: True,
    ) -> T:
        """Run a committed change that may make work due sooner, then wake the waiters."""

        def operation_then_notify(connection: sqlite3.Connection) -> T:
            result = operation(connection)
            if changed(result):
                self._wake.notify_others()
            return result

        result = await self._connection.run(operation_then_notify)
        if changed(result):
            self._wake.notify_local()
        return result
