"""The operator side of statement pulls, shared by the CLI and the API.

``trigger`` asks for one date now: it never sends a request itself, it queues (or moves)
the date's pull job to the first moment the minimum interval allows, and says when that
is. ``backfill`` does the same for a range of dates, one interval apart. Reading a pull
shows its jobs and every attempt; a report can be read as JSON or CSV, or made again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ringback.core.clock import Clock
from ringback.core.errors import Conflict, InvalidInput, NotFound
from ringback.core.jobs import Job, JobState
from ringback.core.periodic import JobPreparer
from ringback.core.service import JobDetail
from ringback.core.store.contract import Store

from ..formats import ParsedStatement
from .gate import GateState, RequestGate
from .hooks import StatementHooks
from .pull import Pull, PullStatus, new_pull, pull_job_key
from .pull_jobs import pull_job
from .reconciliation import Reconciliation
from .reports import StoredReport
from .repository import PullRepository
from .slots import first_slot
from .source import StatementsConfig, StatementSource
from .unpack import unpack_bytes

MAX_BACKFILL_DAYS = 366


@dataclass(frozen=True, slots=True)
class PullTrigger:
    pull: Pull
    job: Job
    sends_at: datetime | None  # None: the request is being sent right now
    action: str  # queued, moved, already queued, running, again, received

    @property
    def created(self) -> bool:
        return self.action in ("queued", "again")


@dataclass(frozen=True, slots=True)
class PullListing:
    rows: list[tuple[Pull, Job | None]]  # each pull with its current job
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class PullDetail:
    pull: Pull
    jobs: list[JobDetail]  # oldest first
    gate: GateState
    next_allowed_at: datetime | None


class StatementsService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        config: StatementsConfig,
        *,
        hooks: StatementHooks | None = None,
        jobs: JobPreparer | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.config = config
        self._pulls = PullRepository(store)
        self._gate = RequestGate(store)
        self._reconciliation = Reconciliation(store, hooks or StatementHooks(), jobs)

    # -- asking ----------------------------------------------------------------------
    async def trigger(
        self, source: str, day: date, *, again_if_received: bool = True
    ) -> PullTrigger:
        """Queue ``day``'s pull for the first allowed moment (or say where it stands)."""
        src = self.config.source(source)
        for _ in range(10):
            now = self._clock.now()
            pull = await self._pulls.pull(src.name, day)
            job = None if pull is None else await self._store.get_job_by_key(pull.job_key)
            if pull is None or job is None:
                made = await self._create(src, day, pull, now)
            elif job.state is JobState.RUNNING:
                return PullTrigger(pull, job, None, "running")
            elif job.state is JobState.SCHEDULED:
                return await self._hurry(src, pull, job, now)
            elif pull.status is PullStatus.RECEIVED and not again_if_received:
                return PullTrigger(pull, job, None, "received")
            else:
                made = await self._again(src, pull, now)
            if made is not None:
                return made
        raise Conflict(f"the pull of {source} for {day} keeps changing; try again", field="date")

    async def backfill(self, source: str, first: date, last: date) -> list[PullTrigger]:
        """One pull per date from ``first`` to ``last``, queued one interval apart;
        dates already received are left alone."""
        if last < first:
            raise InvalidInput("--to is before --from", field="to")
        days = (last - first).days + 1
        if days > MAX_BACKFILL_DAYS:
            raise InvalidInput(f"at most {MAX_BACKFILL_DAYS} dates at once", field="to")
        self.config.source(source)
        return [
            await self.trigger(source, first + timedelta(days=n), again_if_received=False)
            for n in range(days)
        ]

    async def sources(self) -> list[tuple[StatementSource, datetime]]:
        """Each configured source, by name, with when a request queued now would go."""
        now = self._clock.now()
        return [
            (source, await first_slot(self._store, source, now))
            for _, source in sorted(self.config.sources.items())
        ]

    async def next_allowed(self, source: str) -> datetime:
        """When a request to ``source`` queued now would be sent."""
        return await first_slot(self._store, self.config.source(source), self._clock.now())

    # -- reading ----------------------------------------------------------------------
    async def list_pulls(
        self,
        *,
        source: str | None = None,
        first: date | None = None,
        last: date | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> PullListing:
        """Pulls, newest date first, each with its current job."""
        if source is not None:
            self.config.source(source)
        page = await self._pulls.page(
            source=source, first=first, last=last, limit=limit, cursor=cursor
        )
        rows = [(pull, await self._store.get_job_by_key(pull.job_key)) for pull in page.pulls]
        return PullListing(rows, page.next_cursor)

    async def show(self, source: str, day: date) -> PullDetail:
        src = self.config.source(source)
        pull = await self._existing(src.name, day)
        details: list[JobDetail] = []
        for key in pull.job_keys:
            job = await self._store.get_job_by_key(key)
            if job is not None:
                details.append(JobDetail(job, await self._store.list_attempts(job.id)))
        gate = await self._gate.state(src.name)
        return PullDetail(pull, details, gate, gate.next_allowed(src.min_interval))

    async def report(self, source: str, day: date) -> StoredReport:
        self.config.source(source)
        stored = await self._pulls.report(source, day)
        if stored is None:
            raise NotFound(f"no reconciliation of {source} for {day} yet", field="date")
        return stored

    async def lines(self, source: str, day: date) -> ParsedStatement:
        """The statement's lines, parsed again from the kept file."""
        src = self.config.source(source)
        pull = await self._existing(src.name, day)
        if pull.received is None:
            raise NotFound(f"the statement of {source} for {day} has not arrived", field="date")
        raw = await self._store.get_blob(pull.received.sha256)
        if raw is None:
            raise NotFound(f"the file {pull.received.sha256[:12]}… is no longer kept", field="date")
        unpacked = await asyncio.to_thread(unpack_bytes, raw, src, pull.received.format)
        return unpacked.statement

    async def reconcile(
        self, source: str, day: date, *, ledger_csv: str | None = None
    ) -> StoredReport:
        """Reconcile the kept file again, now (against ``ledger_csv`` if given); store it."""
        src = self.config.source(source)
        statement = await self.lines(source, day)
        pull = await self._existing(src.name, day)
        assert pull.received is not None
        now = self._clock.now()
        stored = await self._reconciliation.run(
            src, day, statement, pull.received.sha256, now, ledger_csv=ledger_csv
        )
        alerts = self._reconciliation.alert_jobs(stored, now)
        await self._pulls.change(
            src.name,
            day,
            lambda p: p.with_(report=stored.summary()),
            now,
            extra=lambda _: ([stored.write()], alerts),
        )
        return stored

    # -- steps ---------------------------------------------------------------------------
    async def _existing(self, source: str, day: date) -> Pull:
        pull = await self._pulls.pull(source, day)
        if pull is None:
            raise NotFound(f"{source} has no pull for {day}", field="date")
        return pull

    async def _create(
        self, src: StatementSource, day: date, stale: Pull | None, now: datetime
    ) -> PullTrigger | None:
        pull = stale or new_pull(src.name, day)
        sends_at = await first_slot(self._store, src, now)
        job = pull_job(
            src, day, key=pull.job_key, run_at=sends_at, deadline=src.deadline_for(day, sends_at)
        )
        records = [pull.write()] if stale is None else []
        result = await self._store.write(records=records, jobs=[job], now=now)
        if records and not result.records[0].created:
            return None  # someone else created the pull meanwhile: look again
        enqueued = result.jobs[0]
        action = "queued" if enqueued.created else "already queued"
        return PullTrigger(pull, enqueued.job, enqueued.job.run_at, action)

    async def _hurry(
        self, src: StatementSource, pull: Pull, job: Job, now: datetime
    ) -> PullTrigger:
        """A queued pull goes at the first allowed moment, if that is sooner."""
        sends_at = await first_slot(self._store, src, now, ignore_job=job.id)
        if sends_at >= job.run_at:
            return PullTrigger(pull, job, job.run_at, "already queued")
        moved = await self._store.reschedule(job.id, sends_at, now)
        return PullTrigger(pull, moved, moved.run_at, "moved")

    async def _again(self, src: StatementSource, pull: Pull, now: datetime) -> PullTrigger | None:
        """A finished pull asked for again: a new job, recorded on the pull (CAS)."""
        key = pull_job_key(src.name, pull.day, again=len(pull.job_keys))
        sends_at = await first_slot(self._store, src, now)
        job = pull_job(
            src,
            pull.day,
            key=key,
            run_at=sends_at,
            deadline=sends_at + src.manual_window,
        )
        status = PullStatus.RECEIVED if pull.status is PullStatus.RECEIVED else PullStatus.SCHEDULED
        again = pull.with_(job_keys=(*pull.job_keys, key), status=status, error=None)
        try:
            result = await self._store.write(records=[again.write()], jobs=[job], now=now)
        except Conflict:
            return None  # the pull changed meanwhile: look again
        enqueued = result.jobs[0]
        return PullTrigger(again, enqueued.job, enqueued.job.run_at, "again")
