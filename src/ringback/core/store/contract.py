"""The narrow interface every store implements.

One contract, two implementations (``sqlite``, ``postgres``), one contract test
suite (``tests/contract``) run against both. Every method is a single
transaction. Times are aware UTC datetimes.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ringback.core.jobs import Attempt, Job, JobKind, JobState, JsonObject, NewJob, Outcome


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    job: Job
    created: bool  # False when the idempotency key already named a job


@dataclass(frozen=True, slots=True)
class JobFilter:
    states: frozenset[JobState] = frozenset()
    kinds: frozenset[JobKind] = frozenset()
    queue: str | None = None
    key: str | None = None
    target: str | None = None
    label: tuple[str, str] | None = None  # (name, value)
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class JobPage:
    jobs: list[Job]
    next_cursor: int | None  # pass as ``before_id`` for the next (older) page; None at the end


class WriteMode(enum.StrEnum):
    INSERT = "insert"  # create; if the key exists, keep the old record (created=False)
    REPLACE = "replace"  # update the existing record if its version is expect_version
    UPSERT = "upsert"  # create or overwrite, whatever is there


@dataclass(frozen=True, slots=True)
class Record:
    """A domain document kept beside the jobs (an order, a channel notification, a
    statement pull), so that a domain change and the jobs it causes commit together.

    The core does not look inside ``data``; it indexes ``namespace``+``key`` (unique),
    ``namespace``+``group`` and ``namespace``+``ref_time`` for the domain's lookups.
    """

    namespace: str  # e.g. "payments.order"
    key: str  # unique within the namespace, e.g. "app1:ORDER-42"
    data: JsonObject
    ref_time: datetime  # what range queries go by (when the order was made, a statement's day)
    group: str = ""  # a second lookup key, e.g. the merchant app or the statement source
    version: int = 0  # set by the store: 1 on insert, +1 on each update
    created_at: datetime | None = None  # set by the store
    updated_at: datetime | None = None  # set by the store


@dataclass(frozen=True, slots=True)
class RecordWrite:
    record: Record
    mode: WriteMode = WriteMode.INSERT
    expect_version: int | None = None  # with REPLACE: the version the caller read


@dataclass(frozen=True, slots=True)
class RecordResult:
    record: Record  # as stored now (for INSERT of an existing key: the existing one)
    created: bool


@dataclass(frozen=True, slots=True)
class WriteResult:
    records: list[RecordResult]
    jobs: list[EnqueueResult]


@dataclass(frozen=True, slots=True)
class StateCounts:
    by_state: dict[JobState, int] = field(default_factory=dict)
    by_queue_state: dict[tuple[str, JobState], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AttemptBucket:
    """The attempts that finished in ``[start, start + bucket)`` (``Store.attempt_stats``).

    A failure is an attempt the receiver or command answered badly (outcome retry,
    gave_up or failed); a lease_lost attempt counts in ``attempts`` only.
    Durations are whole milliseconds as ``Attempt.duration_ms`` computes them.
    """

    start: datetime
    attempts: int
    successes: int
    failures: int
    total_duration_ms: int
    max_duration_ms: int


@dataclass(frozen=True, slots=True)
class TargetStats:
    """One target's attempts in a window (``Store.target_stats``)."""

    target: str
    attempts: int
    successes: int
    failures: int  # as in AttemptBucket
    total_duration_ms: int
    max_duration_ms: int
    failures_in_a_row: int  # failures after the window's last success (all, without one)
    last_attempt_at: datetime  # when the newest attempt finished
    last_success_at: datetime | None
    last_error: str | None  # the error of the newest failure

    @property
    def avg_duration_ms(self) -> float:
        return self.total_duration_ms / self.attempts if self.attempts else 0.0


class Store(abc.ABC):
    """Durable jobs and attempts.

    Claiming follows the lease model: ``claim`` marks due jobs RUNNING with
    ``lease_owner`` and ``lease_expires_at``; a job whose lease expired is due again
    and can be claimed by anyone (at-least-once). ``record_outcomes`` and
    ``release`` act only on jobs whose lease the caller still holds.
    """

    # -- life cycle -------------------------------------------------------------
    @abc.abstractmethod
    async def open(self) -> None:
        """Connect and apply pending migrations."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def schema_version(self) -> int: ...

    # -- submitting -------------------------------------------------------------
    @abc.abstractmethod
    async def enqueue(self, jobs: Sequence[NewJob], now: datetime) -> list[EnqueueResult]:
        """Store the jobs durably (synced to disk before returning), in one transaction.

        A job whose ``key`` already exists is not created; its result carries the
        existing job and ``created=False``. Wakes waiting workers.
        """

    # -- reading ----------------------------------------------------------------
    @abc.abstractmethod
    async def get_job(self, job_id: int) -> Job | None: ...

    @abc.abstractmethod
    async def get_job_by_key(self, key: str) -> Job | None: ...

    @abc.abstractmethod
    async def list_jobs(
        self, where: JobFilter, *, limit: int, before_id: int | None = None
    ) -> JobPage:
        """Newest first (by id, descending); ``before_id`` is the cursor of the previous page."""

    @abc.abstractmethod
    async def count_jobs(self, where: JobFilter) -> int: ...

    @abc.abstractmethod
    async def list_attempts(self, job_id: int) -> list[Attempt]:
        """Every attempt of the job, oldest first, across all series."""

    @abc.abstractmethod
    async def state_counts(self) -> StateCounts: ...

    @abc.abstractmethod
    async def next_due_at(
        self, queues: Sequence[str] | None = None, exclude_targets: Collection[str] = ()
    ) -> datetime | None:
        """The earliest time a job becomes claimable: a SCHEDULED job's ``run_at``
        or a RUNNING job's ``lease_expires_at``. None when nothing is pending.
        Jobs whose target is in ``exclude_targets`` are not considered (see ``claim``)."""

    @abc.abstractmethod
    async def list_due(self, *, limit: int) -> list[Job]:
        """The next pending jobs by due time (SCHEDULED and RUNNING), for dashboards."""

    # -- statistics (dashboards) --------------------------------------------------
    @abc.abstractmethod
    async def attempt_stats(
        self, *, since: datetime, bucket: timedelta, target: str | None = None
    ) -> list[AttemptBucket]:
        """Attempts that finished at or after ``since``, counted per ``bucket``:
        bucket n covers ``[since + n*bucket, since + (n+1)*bucket)``. Only buckets
        with attempts are returned, oldest first. With ``target``, only attempts of
        jobs with that target. Reads the window only (an index range), never every
        attempt."""

    @abc.abstractmethod
    async def target_stats(self, *, since: datetime, limit: int) -> list[TargetStats]:
        """Per target, the attempts that finished at or after ``since`` (jobs without
        a target are left out): at most ``limit`` targets, the most failures in a row
        first, then the most attempts, then by name."""

    # -- working ----------------------------------------------------------------
    @abc.abstractmethod
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
        """Claim up to ``limit`` due jobs, earliest ``run_at`` first.

        Jobs whose ``target`` is in ``exclude_targets`` are skipped: the dispatcher
        passes the targets that already have their limit of attempts in flight, so a
        hung receiver's backlog cannot crowd out everyone else's.

        Due means SCHEDULED with ``run_at <= now``, or RUNNING with an expired lease.
        Claimed jobs come back RUNNING, owned by ``worker`` until ``now + lease``;
        their ``attempts`` is NOT yet incremented (the outcome does that).
        """

    @abc.abstractmethod
    async def renew_leases(
        self, *, worker: str, job_ids: Sequence[int], now: datetime, lease: timedelta
    ) -> set[int]:
        """Extend the leases ``worker`` still holds; return the ids it still holds."""

    @abc.abstractmethod
    async def record_outcomes(self, outcomes: Sequence[Outcome], now: datetime) -> set[int]:
        """Apply a batch of outcomes in one transaction; return the job ids applied.

        Each attempt is inserted whatever happens (it did happen). The job row is
        updated (state, run_at, attempts + 1, last_error, lease cleared) only if
        the outcome's worker still holds the lease.
        """

    @abc.abstractmethod
    async def release(
        self, *, worker: str, job_ids: Sequence[int], run_at: datetime, now: datetime
    ) -> int:
        """Hand back leases without an attempt (graceful stop): SCHEDULED at ``run_at``."""

    # -- operator actions -------------------------------------------------------
    @abc.abstractmethod
    async def cancel(self, job_id: int, now: datetime) -> Job:
        """SCHEDULED or RUNNING -> CANCELLED. Raises NotFound, or Conflict if final.
        A running attempt may still finish; its outcome is then not applied."""

    @abc.abstractmethod
    async def retry(self, job_id: int, run_at: datetime, now: datetime) -> Job:
        """DEAD or CANCELLED -> SCHEDULED at ``run_at`` as a new series (series + 1,
        attempts 0, series_started_at = run_at). Raises NotFound, or Conflict
        for SCHEDULED, RUNNING or SUCCEEDED jobs."""

    @abc.abstractmethod
    async def reschedule(self, job_id: int, run_at: datetime, now: datetime) -> Job:
        """Move a SCHEDULED job's next attempt. Raises NotFound, or Conflict otherwise."""

    # -- waking -----------------------------------------------------------------
    @abc.abstractmethod
    async def wait_for_jobs(self, timeout_s: float) -> bool:
        """Block until another process (or this one) enqueued or rescheduled jobs,
        or ``timeout_s`` passed. True when woken by a change. Used by the dispatcher
        so that a job submitted for now starts at once, with no scan interval."""

    # -- housekeeping -----------------------------------------------------------
    @abc.abstractmethod
    async def purge_finished(self, *, older_than: datetime, batch_size: int) -> int:
        """Delete up to ``batch_size`` final jobs (and their attempts) finished before
        ``older_than``; return how many. Callers loop until 0 (short transactions)."""

    # -- domain records and blobs -------------------------------------------------
    @abc.abstractmethod
    async def write(
        self,
        *,
        records: Sequence[RecordWrite] = (),
        jobs: Sequence[NewJob] = (),
        now: datetime,
    ) -> WriteResult:
        """Write records and enqueue jobs in ONE transaction (synced before returning).

        Records are written in order, then the jobs (with ``enqueue``'s idempotency).
        A REPLACE whose record is missing raises NotFound; one whose version is not
        ``expect_version`` raises Conflict; either way nothing at all is written.
        Wakes workers when jobs were created.
        """

    @abc.abstractmethod
    async def get_record(self, namespace: str, key: str) -> Record | None: ...

    @abc.abstractmethod
    async def list_records(
        self,
        namespace: str,
        *,
        group: str | None = None,
        ref_from: datetime | None = None,  # inclusive
        ref_to: datetime | None = None,  # exclusive
        limit: int = 100,
        before: tuple[datetime, str] | None = None,
    ) -> list[Record]:
        """Newest ``ref_time`` first (then key, descending). ``before`` is the
        (ref_time, key) of the last record of the previous page."""

    @abc.abstractmethod
    async def count_records(
        self,
        namespace: str,
        *,
        group: str | None = None,
        ref_from: datetime | None = None,
        ref_to: datetime | None = None,
    ) -> int: ...

    @abc.abstractmethod
    async def put_blob(self, data: bytes, now: datetime) -> str:
        """Keep ``data`` content-addressed; return its SHA-256 hex. Idempotent."""

    @abc.abstractmethod
    async def get_blob(self, sha256: str) -> bytes | None: ...
