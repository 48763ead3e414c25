"""The one place where interfaces act on jobs.

The HTTP API, the CLI and the dashboard all call ``JobService``; it validates
input fully before touching the store, turns times into aware UTC, and leaves
rendering to the caller.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ringback.core.clock import Clock
from ringback.core.errors import InvalidInput, NotFound
from ringback.core.executors.base import Executor
from ringback.core.jobs import Attempt, Job, JobKind, NewJob
from ringback.core.policies import DEFAULT_POLICY_SPEC, describe_schedule
from ringback.core.service.overview import Overview, build_overview
from ringback.core.service.policy_specs import PolicySpec, parse_policy_spec
from ringback.core.service.requests import (
    SubmitRequest,
    build_new_job,
    check_aware,
    check_delay,
    prefixed,
)
from ringback.core.store.contract import EnqueueResult, JobFilter, JobPage, Store

MAX_PAGE_SIZE = 500
MAX_BATCH = 1000
MAX_PREVIEW_RUNS = 100
OVERVIEW_DUE_JOBS = 10


@dataclass(frozen=True, slots=True)
class JobDetail:
    job: Job
    attempts: list[Attempt]  # oldest first, across all series


class JobService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        executors: Mapping[JobKind, Executor],
        *,
        default_policy: Mapping[str, Any] | str | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._executors = dict(executors)
        # Jobs submitted without a policy get this one. A broken default would fail
        # every submit, so it is refused here, at start-up.
        self._default_policy: PolicySpec = (
            DEFAULT_POLICY_SPEC if default_policy is None else default_policy
        )
        parse_policy_spec(self._default_policy, field_prefix="default_policy")

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def kinds(self) -> frozenset[JobKind]:
        """The job kinds this service accepts (those with an executor)."""
        return frozenset(self._executors)

    # -- submitting -----------------------------------------------------------
    def validate(self, req: SubmitRequest, *, now: datetime | None = None) -> NewJob:
        """Check ``req`` completely without touching the store; raise InvalidInput."""
        return build_new_job(
            req,
            now=self._clock.now() if now is None else now,
            executors=self._executors,
            default_policy=self._default_policy,
        )

    async def submit(self, req: SubmitRequest) -> EnqueueResult:
        """Store one job; with a known ``key`` the existing job comes back, created=False."""
        now = self._clock.now()  # one instant: run_at is never before created_at
        [result] = await self._store.enqueue([self.validate(req, now=now)], now)
        return result

    async def submit_many(self, reqs: Sequence[SubmitRequest]) -> builtins.list[EnqueueResult]:
        """Validate every request, then store them all in one transaction (all or none).

        Field names in errors are prefixed with the request's index: ``jobs[3].payload.url``.
        """
        if len(reqs) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} jobs per batch", field="jobs")
        now = self._clock.now()
        new_jobs: builtins.list[NewJob] = []
        for index, req in enumerate(reqs):
            try:
                new_jobs.append(self.validate(req, now=now))
            except InvalidInput as exc:
                raise InvalidInput(
                    exc.message, field=prefixed(f"jobs[{index}]", exc.field)
                ) from None
        if not new_jobs:
            return []
        return await self._store.enqueue(new_jobs, now)

    # -- reading --------------------------------------------------------------
    async def get(self, job_id: int) -> JobDetail:
        job = await self._store.get_job(_check_id(job_id))
        if job is None:
            raise NotFound(f"job {job_id} not found", field="id")
        attempts = await self._store.list_attempts(job.id)
        return JobDetail(job=job, attempts=attempts)

    async def get_by_key(self, key: str) -> Job:
        job = await self._store.get_job_by_key(key)
        if job is None:
            raise NotFound(f"no job has key {key!r}", field="key")
        return job

    async def list(
        self, where: JobFilter | None = None, *, limit: int = 50, cursor: int | None = None
    ) -> JobPage:
        """Newest first; pass ``next_cursor`` of one page as ``cursor`` for the next."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")
        if cursor is not None and cursor < 1:
            raise InvalidInput("cursor must be a positive job id", field="cursor")
        where = where or JobFilter()
        _check_filter(where)
        return await self._store.list_jobs(where, limit=limit, before_id=cursor)

    async def count(self, where: JobFilter | None = None) -> int:
        where = where or JobFilter()
        _check_filter(where)
        return await self._store.count_jobs(where)

    async def overview(self, *, due_limit: int = OVERVIEW_DUE_JOBS) -> Overview:
        counts = await self._store.state_counts()
        due = await self._store.list_due(limit=due_limit)
        next_due_at = await self._store.next_due_at()
        return build_overview(counts, due, next_due_at=next_due_at, generated_at=self._clock.now())

    async def ping(self) -> int:
        """Prove the store answers; return its schema version (for health checks)."""
        return await self._store.schema_version()

    # -- operator actions ------------------------------------------------------
    async def cancel(self, job_id: int) -> Job:
        return await self._store.cancel(_check_id(job_id), self._clock.now())

    async def retry(
        self, job_id: int, at: datetime | None = None, *, delay: timedelta | None = None
    ) -> Job:
        """Start a new series for a DEAD or CANCELLED job, at ``at`` / after ``delay`` / now."""
        job_id = _check_id(job_id)
        now = self._clock.now()
        run_at = self._when(now, at, delay, required=False)
        return await self._store.retry(job_id, run_at, now)

    async def reschedule(
        self, job_id: int, at: datetime | None = None, *, delay: timedelta | None = None
    ) -> Job:
        """Move a SCHEDULED job's next attempt to ``at`` (or ``now + delay``)."""
        job_id = _check_id(job_id)
        now = self._clock.now()
        run_at = self._when(now, at, delay, required=True)
        return await self._store.reschedule(job_id, run_at, now)

    # -- policies -------------------------------------------------------------
    def preview_policy(
        self, spec: PolicySpec, n: int = 10, *, start: datetime | None = None
    ) -> builtins.list[datetime]:
        """The first ``n`` attempt times if every attempt failed instantly."""
        if not 1 <= n <= MAX_PREVIEW_RUNS:
            raise InvalidInput(f"count must be between 1 and {MAX_PREVIEW_RUNS}", field="count")
        policy = parse_policy_spec(spec, field_prefix="policy")
        submitted_at = self._clock.now() if start is None else check_aware(start, "start")
        return describe_schedule(policy, submitted_at, n)

    @staticmethod
    def _when(
        now: datetime, at: datetime | None, delay: timedelta | None, *, required: bool
    ) -> datetime:
        if at is not None and delay is not None:
            raise InvalidInput("give either 'at' or 'delay', not both", field="delay")
        if at is not None:
            return check_aware(at, "at")
        if delay is not None:
            return now + check_delay(delay, "delay")
        if required:
            raise InvalidInput("give 'at' or 'delay'", field="at")
        return now


def _check_id(job_id: int) -> int:
    if isinstance(job_id, bool) or not isinstance(job_id, int) or job_id < 1:
        raise InvalidInput("job id must be a positive integer", field="id")
    return job_id


def _check_filter(where: JobFilter) -> None:
    for name in ("created_from", "created_to"):
        value = getattr(where, name)
        if value is not None:
            check_aware(value, name)
    if where.label is not None and not where.label[0]:
        raise InvalidInput("label filter needs a name (name:value)", field="label")
