"""The worker side of statement pulls: the ``statements.pull`` and ``statements.start`` tasks.

One attempt of a pull job:

1. reserve the source's request slot (``gate.py``); if the minimum interval has not
   passed, send nothing and ask to be retried at the first allowed moment;
2. send one request (or call the plugin once);
3. "not ready", "too frequent" or an error: note it on the pull, retry after
   ``min_interval`` (the job's fixed policy gives up at the deadline);
4. the file: unpack and check it; if it is refused, the pull fails for good and nothing
   is kept; else keep the raw bytes (a blob), record the pull, reconcile, store the
   report and, when there are breaks, enqueue the alert — the same file again changes
   nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta

from ringback.core.clock import Clock
from ringback.core.durations import format_duration
from ringback.core.errors import InvalidInput, NotFound
from ringback.core.executors.task import Fail, Retry, TaskContext
from ringback.core.jobs import JsonObject
from ringback.core.periodic import JobPreparer
from ringback.core.store.contract import Store

from .answers import Answer, AnswerKind
from .gate import RequestGate
from .hooks import StatementHooks
from .http_source import HttpFetcher, HttpSource
from .ledger_spec import LedgerKind
from .plugin_source import fetch_with_plugin
from .pull import Pull, PullStatus, new_pull
from .pull_jobs import pull_job
from .reconciliation import Reconciliation
from .reports import StoredReport
from .repository import PullRepository
from .source import StatementsConfig, StatementSource, parse_day
from .unpack import Unpacked, received_file, unpack

log = logging.getLogger("ringback.statements")

# A pull due at most this long before its source's next slot waits for it in the attempt.
INLINE_WAIT = timedelta(minutes=1)


class StatementPuller:
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
        self._config = config
        self._hooks = hooks or StatementHooks()
        self._gate = RequestGate(store)
        self._pulls = PullRepository(store)
        self._reconciliation = Reconciliation(store, self._hooks, jobs)
        self._http = HttpFetcher()

    async def close(self) -> None:
        await self._http.close()

    # -- tasks -------------------------------------------------------------------
    async def pull(self, source: str, date: str, ctx: TaskContext) -> JsonObject:
        """One attempt at one source's statement for one date."""
        src, day = self._target(source, date)
        now = self._clock.now()
        later = await self._gate.reserve(src.name, src.min_interval, now, holder=ctx.key or "")
        if later is not None and later - now <= min(INLINE_WAIT, src.attempt_timeout / 4):
            # Due a moment before the slot opens (the previous request went a few ms
            # after its own due time): wait here rather than a whole interval more.
            await self._clock.sleep_until(later)
            now = self._clock.now()
            later = await self._gate.reserve(src.name, src.min_interval, now, holder=ctx.key or "")
        if later is not None:
            raise Retry(
                f"not sent: {src.name} may be asked again at {_iso(later)} "
                f"(min_interval {format_duration(src.min_interval)})",
                delay=later - now,
            )
        await self._ensure_pull(src, day, ctx, now)
        answer = await self._fetch(src, day)
        self._hooks.pulled(src.name, answer.kind.value)
        if answer.kind is AnswerKind.READY:
            return await self._receive(src, day, answer, now)
        await self._pulls.change(src.name, day, lambda p: _asked(p, now, answer), now)
        raise Retry(f"{answer.kind.value}: {answer.summary}", delay=src.min_interval)

    async def start(self, source: str, tick: str) -> JsonObject:
        """A scheduled tick: create the day's pull (once, however often this runs)."""
        try:
            src = self._config.source(source)
            when = datetime.fromisoformat(tick.replace("Z", "+00:00"))
        except (NotFound, ValueError) as error:
            raise Fail(str(error)) from None
        day = src.date_for_tick(when)
        now = self._clock.now()
        pull = new_pull(src.name, day)
        job = pull_job(src, day, key=pull.job_key, run_at=now, deadline=src.deadline_for(day, now))
        result = await self._store.write(records=[pull.write()], jobs=[job], now=now)
        [enqueued] = result.jobs
        return {"pull": pull.key, "job_id": enqueued.job.id, "created": enqueued.created}

    # -- steps -------------------------------------------------------------------
    def _target(self, source: str, day_text: str) -> tuple[StatementSource, date]:
        try:
            return self._config.source(source), parse_day(day_text)
        except (NotFound, InvalidInput) as error:
            raise Fail(error.message) from None

    async def _ensure_pull(
        self, src: StatementSource, day: date, ctx: TaskContext, now: datetime
    ) -> None:
        """A pull job submitted directly (not through ringback's own triggers) gets its
        pull record on its first attempt."""
        if await self._pulls.pull(src.name, day) is not None:
            return
        pull = new_pull(src.name, day)
        if ctx.key is not None and ctx.key != pull.job_key:
            pull = pull.with_(job_keys=(*pull.job_keys, ctx.key))
        await self._store.write(records=[pull.write()], now=now)

    async def _fetch(self, src: StatementSource, day: date) -> Answer:
        if isinstance(src.fetch, HttpSource):
            return await self._http.fetch(src.fetch, day)
        return await fetch_with_plugin(src.fetch, src.name, day)

    async def _receive(
        self, src: StatementSource, day: date, answer: Answer, now: datetime
    ) -> JsonObject:
        assert answer.payload is not None
        try:
            unpacked = await asyncio.to_thread(unpack, answer.payload, src)
        except InvalidInput as error:
            reason = f"the file was refused: {error.message}"
            await self._pulls.change(src.name, day, lambda p: _refused(p, now, answer, reason), now)
            self._hooks.pulled(src.name, "rejected")
            raise Fail(reason) from None
        current = await self._pulls.pull(src.name, day)
        sha = unpacked.decoded.raw_sha256
        if current is not None and current.received is not None and current.received.sha256 == sha:
            # The same file again: nothing to keep, parse or reconcile.
            await self._pulls.change(
                src.name, day, lambda p: _asked(p, now, answer, keep=True), now
            )
            return {"file": sha, "unchanged": True}
        await self._store.put_blob(unpacked.raw, now)
        stored, problem = await self._reconcile(src, day, unpacked, now)
        alerts = [] if stored is None else self._reconciliation.alert_jobs(stored, now)
        await self._pulls.change(
            src.name,
            day,
            lambda p: _received(p, now, answer, unpacked, src, stored, problem),
            now,
            extra=lambda _: ([] if stored is None else [stored.write()], alerts),
        )
        if stored is not None:
            self._reconciliation.count_breaks(stored)
        log.info("statement %s received: %d lines", _name(src, day), len(unpacked.statement.lines))
        return {
            "file": sha,
            "lines": len(unpacked.statement.lines),
            "report": None if stored is None else stored.summary(),
            "reconcile_error": problem,
        }

    async def _reconcile(
        self, src: StatementSource, day: date, unpacked: Unpacked, now: datetime
    ) -> tuple[StoredReport | None, str | None]:
        if src.ledger.kind is LedgerKind.NONE:
            return None, None
        try:
            stored = await self._reconciliation.run(
                src, day, unpacked.statement, unpacked.decoded.raw_sha256, now
            )
        except InvalidInput as error:
            # The file is good and kept; the reconciliation can be run again by hand.
            log.warning("statement %s not reconciled: %s", _name(src, day), error.message)
            return None, error.message
        return stored, None


# -- pure changes to a pull ---------------------------------------------------------


def _asked(pull: Pull, now: datetime, answer: Answer, *, keep: bool = False) -> Pull:
    status = pull.status if keep or pull.status is PullStatus.RECEIVED else PullStatus.WAITING
    return pull.with_(
        status=status,
        requests=pull.requests + 1,
        last_request_at=now,
        last_answer=f"{answer.kind.value}: {answer.summary}",
    )


def _refused(pull: Pull, now: datetime, answer: Answer, reason: str) -> Pull:
    asked = _asked(pull, now, answer, keep=True)
    if pull.status is PullStatus.RECEIVED:
        return asked.with_(error=reason)  # keep the good file we already had
    return asked.with_(status=PullStatus.FAILED, error=reason)


def _received(
    pull: Pull,
    now: datetime,
    answer: Answer,
    unpacked: Unpacked,
    src: StatementSource,
    stored: StoredReport | None,
    problem: str | None,
) -> Pull:
    previous = pull.previous_files
    if pull.received is not None and pull.received.sha256 != unpacked.decoded.raw_sha256:
        previous = (*previous, pull.received.sha256)
    summary = None if stored is None else stored.summary()
    if problem is not None:
        summary = {"error": problem}
    return _asked(pull, now, answer).with_(
        status=PullStatus.RECEIVED,
        received=received_file(unpacked, src, now),
        report=summary,
        error=None,
        previous_files=previous,
    )


def _name(src: StatementSource, day: date) -> str:
    return f"{src.name}:{day.isoformat()}"


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
