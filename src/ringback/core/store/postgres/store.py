"""``PostgresStore``: the ``Store`` contract on PostgreSQL, for several hosts at once.

Every method is one short transaction on a pooled connection (a single statement,
such as a claim, runs on its own: it is atomic without BEGIN and COMMIT). Claiming uses
``FOR UPDATE SKIP LOCKED`` so claimers on many hosts never block one another or
share a job; leases make a crashed host's jobs due again (at-least-once). Writers
that make work due (enqueue, retry, reschedule, release) NOTIFY in their own
transaction; each store LISTENs on a dedicated connection (``listener.py``).
The SQL lives in ``queries/*.sql``, the schema in ``migrations/*.sql``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from ringback.core.errors import InvalidInput, NotFound, StoreError
from ringback.core.jobs import Attempt, Job, JobState, NewJob, Outcome
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
from ringback.core.store.postgres import blobs, stats, transitions
from ringback.core.store.postgres import records as pg_records
from ringback.core.store.postgres import validation as check
from ringback.core.store.postgres.listener import WakeListener
from ringback.core.store.postgres.migrate import apply_migrations, current_version
from ringback.core.store.postgres.named_queries import queries_for
from ringback.core.store.postgres.params import (
    EncodedJob,
    apply_params,
    attempts_params,
    encode_new_job,
    filter_params,
)
from ringback.core.store.postgres.rows import attempt_from_row, job_from_row
from ringback.core.store.postgres.settings import (
    DEFAULT_SCHEMA,
    PostgresSettings,
    make_settings,
    redact_url,
    settings_from_url,
    split_url,
)
from ringback.core.store.postgres.submit import insert_jobs
from ringback.core.store.record_input import (
    check_limit,
    check_name,
    check_query,
    check_record_writes,
)

Conn = psycopg.AsyncConnection[DictRow]


class PostgresStore(Store):
    def __init__(
        self,
        url: str,
        *,
        schema: str = DEFAULT_SCHEMA,
        pool_min: int = 1,
        pool_max: int = 10,
        statement_timeout: timedelta = timedelta(seconds=30),
    ) -> None:
        conninfo, ours = split_url(url)
        if ours:
            # Silently dropping ?schema= here would put jobs in the wrong schema.
            raise InvalidInput(
                f"the URL carries ringback settings ({', '.join(sorted(ours))}); "
                "use PostgresStore.from_url",
                field="url",
            )
        self._settings: PostgresSettings = make_settings(
            conninfo,
            schema=schema,
            pool_min=pool_min,
            pool_max=pool_max,
            statement_timeout=statement_timeout,
        )
        self._q = queries_for(schema)
        self._pool: AsyncConnectionPool[Conn] | None = None
        self._listener = WakeListener(conninfo, schema, self._configure)

    @classmethod
    def from_url(cls, url: str, *, schema: str | None = None) -> PostgresStore:
        """From ``RINGBACK_DATABASE_URL``; ringback's own query parameters
        (``schema``, ``pool_min``, ``pool_max``, ``statement_timeout_s``) are taken
        out before connecting. An explicit ``schema`` wins over the URL's."""
        settings = settings_from_url(url, schema=schema)
        return cls(
            settings.conninfo,
            schema=settings.schema,
            pool_min=settings.pool_min,
            pool_max=settings.pool_max,
            statement_timeout=settings.statement_timeout,
        )

    @property
    def schema(self) -> str:
        return self._settings.schema

    @property
    def listener_pid(self) -> int | None:
        """The server process of the LISTEN connection (None while it is down)."""
        return self._listener.backend_pid

    def __repr__(self) -> str:
        url = redact_url(self._settings.conninfo)
        return f"PostgresStore({url!r}, schema={self.schema!r})"

    # -- life cycle -------------------------------------------------------------
    async def open(self) -> None:
        if self._pool is not None:
            return
        settings = self._settings
        try:
            async with await psycopg.AsyncConnection.connect(
                settings.conninfo, autocommit=True
            ) as conn:
                await apply_migrations(conn, settings.schema)
            # Listen before serving, so no wake-up sent after open() is missed.
            await self._listener.start()
            pool = self._new_pool()
            try:
                await pool.open(wait=True, timeout=settings.statement_timeout.total_seconds())
            except BaseException:
                await pool.close()
                raise
        except psycopg.Error as exc:
            await self._listener.close()
            raise StoreError(f"cannot open the PostgreSQL store: {exc}") from exc
        self._pool = pool

    def _new_pool(self) -> AsyncConnectionPool[Conn]:
        settings = self._settings
        return AsyncConnectionPool(
            settings.conninfo,
            connection_class=psycopg.AsyncConnection[DictRow],
            kwargs={"autocommit": True, "row_factory": dict_row},
            min_size=settings.pool_min,
            max_size=settings.pool_max,
            configure=self._configure,
            open=False,
            name=f"ringback-{settings.schema}",
        )

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        await self._listener.close()
        if pool is not None:
            await pool.close()

    async def schema_version(self) -> int:
        async with self._transaction() as conn:
            return await current_version(conn, self.schema)

    # -- submitting -------------------------------------------------------------
    async def enqueue(self, jobs: Sequence[NewJob], now: datetime) -> list[EnqueueResult]:
        check.check_time(now, "now")
        batch = [encode_new_job(job) for job in jobs]
        if not batch:
            return []
        async with self._transaction() as conn, conn.cursor() as cur:
            return await insert_jobs(cur, batch, now, self.schema)

    # -- reading ----------------------------------------------------------------
    async def get_job(self, job_id: int) -> Job | None:
        if not check.could_be_id(job_id, "job_id"):
            return None
        rows = await self._fetch("get_job", {"job_id": job_id})
        return job_from_row(rows[0]) if rows else None

    async def get_job_by_key(self, key: str) -> Job | None:
        check.check_text(key, "key")
        rows = await self._fetch("get_job_by_key", {"key": key})
        return job_from_row(rows[0]) if rows else None

    async def list_jobs(
        self, where: JobFilter, *, limit: int, before_id: int | None = None
    ) -> JobPage:
        check.check_positive_int(limit, "limit")
        if before_id is not None:
            check.check_positive_int(before_id, "before_id")
        params = {**filter_params(where), "before_id": before_id, "limit": limit}
        rows = await self._fetch("list_jobs", params)
        jobs = [job_from_row(row) for row in rows[:limit]]
        next_cursor = jobs[-1].id if len(rows) > limit else None
        return JobPage(jobs=jobs, next_cursor=next_cursor)

    async def count_jobs(self, where: JobFilter) -> int:
        rows = await self._fetch("count_jobs", filter_params(where))
        return int(rows[0]["total"])

    async def list_attempts(self, job_id: int) -> list[Attempt]:
        if not check.could_be_id(job_id, "job_id"):
            return []
        rows = await self._fetch("list_attempts", {"job_id": job_id})
        return [attempt_from_row(row) for row in rows]

    async def state_counts(self) -> StateCounts:
        counts = StateCounts()
        for row in await self._fetch("state_counts", {}):
            state = JobState(row["state"])
            total = int(row["total"])
            counts.by_state[state] = counts.by_state.get(state, 0) + total
            counts.by_queue_state[(row["queue"], state)] = total
        return counts

    async def next_due_at(
        self, queues: Sequence[str] | None = None, exclude_targets: Collection[str] = ()
    ) -> datetime | None:
        params = {
            "queues": check.check_names(queues, "queues"),
            "exclude_targets": check.check_names(exclude_targets, "exclude_targets"),
        }
        rows = await self._fetch("next_due_at", params)
        due_at: datetime | None = rows[0]["due_at"]
        return None if due_at is None else due_at.astimezone(UTC)

    async def list_due(self, *, limit: int) -> list[Job]:
        check.check_positive_int(limit, "limit")
        return [job_from_row(row) for row in await self._fetch("list_due", {"limit": limit})]

    async def attempt_stats(
        self, *, since: datetime, bucket: timedelta, target: str | None = None
    ) -> list[AttemptBucket]:
        query, params = stats.attempt_stats_query(since, bucket, target)
        rows = await self._fetch(query, params)
        return [stats.bucket_from_row(row, since, bucket) for row in rows]

    async def target_stats(self, *, since: datetime, limit: int) -> list[TargetStats]:
        rows = await self._fetch("stats_targets", stats.target_stats_params(since, limit))
        return [stats.target_from_row(row) for row in rows]

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
        check.check_text(worker, "worker")
        check.check_time(now, "now")
        check.check_positive_int(limit, "limit")
        check.check_lease(lease)
        wanted = check.check_names(queues, "queues")
        if wanted == []:
            return []
        params = {
            "worker": worker,
            "now": now,
            "limit": limit,
            "lease_expires_at": now + lease,
            "queues": wanted,
            "exclude_targets": check.check_names(exclude_targets, "exclude_targets"),
        }
        rows = await self._fetch("claim_jobs", params)
        jobs = [job_from_row(row) for row in rows]
        jobs.sort(key=lambda job: (job.run_at, job.id))  # RETURNING keeps no order
        return jobs

    async def renew_leases(
        self, *, worker: str, job_ids: Sequence[int], now: datetime, lease: timedelta
    ) -> set[int]:
        check.check_text(worker, "worker")
        ids = check.check_ids(job_ids)
        check.check_time(now, "now")
        check.check_lease(lease)
        if not ids:
            return set()
        params = {"worker": worker, "job_ids": ids, "now": now, "lease_expires_at": now + lease}
        return {int(row["id"]) for row in await self._fetch("renew_leases", params)}

    async def record_outcomes(self, outcomes: Sequence[Outcome], now: datetime) -> set[int]:
        check.check_time(now, "now")
        batch = [check.check_outcome(outcome) for outcome in outcomes]
        if not batch:
            return set()
        follow_ups = [[encode_new_job(job) for job in outcome.follow_ups] for outcome in batch]
        async with self._transaction() as conn, conn.cursor() as cur:
            await cur.execute(self._q["insert_attempts"], attempts_params(batch))
            await cur.execute(self._q["apply_outcomes"], apply_params(batch, now))
            applied = {int(row["id"]) for row in await cur.fetchall()}
            # Follow-ups of the applied outcomes commit with them (a dead-job alert);
            # with two outcomes of one job in a batch, only the first one's count.
            due: list[EncodedJob] = []
            seen: set[int] = set()
            for outcome, jobs in zip(batch, follow_ups, strict=True):
                if outcome.job_id in applied and outcome.job_id not in seen:
                    due.extend(jobs)
                seen.add(outcome.job_id)
            if due:
                await insert_jobs(cur, due, now, self.schema)
        return applied

    async def release(
        self, *, worker: str, job_ids: Sequence[int], run_at: datetime, now: datetime
    ) -> int:
        check.check_text(worker, "worker")
        ids = check.check_ids(job_ids)
        check.check_time(run_at, "run_at")
        check.check_time(now, "now")
        if not ids:
            return 0
        params = {"worker": worker, "job_ids": ids, "run_at": run_at, "now": now}
        async with self._transaction() as conn, conn.cursor() as cur:
            await cur.execute(self._q["release_jobs"], params)
            released = cur.rowcount
            if released:
                await self._notify(cur)
            return released

    # -- operator actions -------------------------------------------------------
    async def cancel(self, job_id: int, now: datetime) -> Job:
        check.check_time(now, "now")
        return await self._transition(
            job_id, transitions.ensure_cancellable, "cancel_job", {"now": now}, wake=False
        )

    async def retry(self, job_id: int, run_at: datetime, now: datetime) -> Job:
        check.check_time(run_at, "run_at")
        check.check_time(now, "now")
        params = {"run_at": run_at, "now": now}
        return await self._transition(job_id, transitions.ensure_retryable, "retry_job", params)

    async def reschedule(self, job_id: int, run_at: datetime, now: datetime) -> Job:
        check.check_time(run_at, "run_at")
        check.check_time(now, "now")
        params = {"run_at": run_at, "now": now}
        return await self._transition(
            job_id, transitions.ensure_reschedulable, "reschedule_job", params
        )

    # -- waking -----------------------------------------------------------------
    async def wait_for_jobs(self, timeout_s: float) -> bool:
        self._require_pool()
        return await self._listener.wait(timeout_s)

    # -- housekeeping -----------------------------------------------------------
    async def purge_finished(self, *, older_than: datetime, batch_size: int) -> int:
        check.check_time(older_than, "older_than")
        check.check_positive_int(batch_size, "batch_size")
        params = {"older_than": older_than, "batch_size": batch_size}
        async with self._transaction() as conn, conn.cursor() as cur:
            await cur.execute(self._q["purge_finished"], params)
            return cur.rowcount

    # -- domain records and blobs -------------------------------------------------
    async def write(
        self,
        *,
        records: Sequence[RecordWrite] = (),
        jobs: Sequence[NewJob] = (),
        now: datetime,
    ) -> WriteResult:
        check.check_time(now, "now")
        writes = check_record_writes(records)
        batch = [encode_new_job(job) for job in jobs]
        if not writes and not batch:
            return WriteResult(records=[], jobs=[])
        async with self._transaction() as conn, conn.cursor() as cur:
            stored = await pg_records.write_records(cur, self._q, writes, now)
            enqueued = await insert_jobs(cur, batch, now, self.schema) if batch else []
        return WriteResult(records=stored, jobs=enqueued)

    async def get_record(self, namespace: str, key: str) -> Record | None:
        params = {"namespace": check_name(namespace, "namespace"), "key": check_name(key, "key")}
        rows = await self._fetch("get_record", params)
        return pg_records.record_from_row(rows[0]) if rows else None

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
        params = {**pg_records.query_params(query), "limit": check_limit(limit)}
        rows = await self._fetch("list_records", params)
        return [pg_records.record_from_row(row) for row in rows]

    async def count_records(
        self,
        namespace: str,
        *,
        group: str | None = None,
        ref_from: datetime | None = None,
        ref_to: datetime | None = None,
    ) -> int:
        query = check_query(namespace, group, ref_from, ref_to)
        rows = await self._fetch("count_records", pg_records.query_params(query))
        return int(rows[0]["total"])

    async def put_blob(self, data: bytes, now: datetime) -> str:
        sha256, params = blobs.insert_params(data, now)
        async with self._connection() as conn:
            await conn.execute(self._q["insert_blob"], params)
        return sha256

    async def get_blob(self, sha256: str) -> bytes | None:
        rows = await self._fetch("get_blob", blobs.lookup_params(sha256))
        return blobs.data_from_rows(rows)

    # -- plumbing ---------------------------------------------------------------
    async def _configure(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """Session settings for every connection the store opens."""
        timeout_ms = int(self._settings.statement_timeout.total_seconds() * 1000)
        await conn.execute(self._q["configure_session"], {"statement_timeout_ms": timeout_ms})

    def _require_pool(self) -> AsyncConnectionPool[Conn]:
        if self._pool is None:
            raise StoreError("the PostgreSQL store is not open")
        return self._pool

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Conn]:
        """A pooled autocommit connection; driver failures become ``StoreError``."""
        pool = self._require_pool()
        try:
            async with pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL store: {type(exc).__name__}: {exc}") from exc

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Conn]:
        async with self._connection() as conn, conn.transaction():
            yield conn

    async def _fetch(self, query: str, params: dict[str, Any]) -> list[DictRow]:
        """Run one statement on its own. A single statement is atomic already, so
        it skips the BEGIN and COMMIT round trips of an explicit transaction."""
        async with self._connection() as conn, conn.cursor() as cur:
            # Unprepared: optional filters are planned with their actual values.
            # Binary results: timestamps and ids need no text parsing.
            await cur.execute(self._q[query], params, prepare=False, binary=True)
            return await cur.fetchall()

    async def _notify(self, cur: psycopg.AsyncCursor[DictRow]) -> None:
        await cur.execute(self._q["notify_wake"], {"channel": self._settings.channel})

    async def _transition(
        self,
        job_id: int,
        ensure_allowed: Callable[[Job], None],
        query: str,
        params: dict[str, Any],
        *,
        wake: bool = True,
    ) -> Job:
        if not check.could_be_id(job_id, "job_id"):
            raise NotFound(f"job {job_id} does not exist", field="id")
        async with self._transaction() as conn, conn.cursor() as cur:
            await cur.execute(self._q["lock_job"], {"job_id": job_id})
            row = await cur.fetchone()
            if row is None:
                raise NotFound(f"job {job_id} does not exist", field="id")
            ensure_allowed(job_from_row(row))
            await cur.execute(self._q[query], {**params, "job_id": job_id})
            updated = await cur.fetchone()
            if updated is None:  # the row is locked by us; it cannot vanish
                raise StoreError(f"job {job_id} disappeared while locked")
            if wake:
                await self._notify(cur)
            return job_from_row(updated)
