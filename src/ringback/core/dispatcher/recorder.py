"""Writes outcomes in batches: one store transaction per batch, not per job."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from ringback.core.clock import Clock
from ringback.core.dispatcher.observer import DispatchObserver
from ringback.core.errors import InvalidInput
from ringback.core.jobs import Job, Outcome
from ringback.core.store.contract import Store

log = logging.getLogger("ringback.dispatcher")

RETRY_DELAY_S = 0.5  # after a failed write; outcomes are kept, never dropped


class OutcomeRecorder:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        observers: Sequence[DispatchObserver],
        *,
        batch_size: int,
        flush_delay_s: float,
        on_written: Callable[[], None] = lambda: None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._observers = observers
        self._batch_size = batch_size
        self._flush_delay_s = flush_delay_s
        # Called after outcomes are stored: a retry may now be due before the
        # dispatcher's planned wake-up (which was the running job's lease expiry),
        # and slots held by unwritten outcomes are free again.
        self._on_written = on_written
        self._pending: list[tuple[Job, Outcome]] = []
        # One flush at a time: the background loop and the final flush at shutdown
        # must never both write the same batch (its attempts would be recorded twice).
        self._writing = asyncio.Lock()
        self._has_work = asyncio.Event()
        self._write_now = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def add(self, job: Job, outcome: Outcome) -> None:
        self._pending.append((job, outcome))
        self._idle.clear()
        self._has_work.set()
        if len(self._pending) >= self._batch_size:
            self._write_now.set()

    def write_soon(self) -> None:
        """Cut the batching wait short: nothing more is coming for now (e.g. no attempt
        is running), so waiting would only hold the slots of the pending ones."""
        if self._pending:
            self._write_now.set()

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def pending_job_ids(self) -> list[int]:
        return [job.id for job, _ in self._pending]

    async def run(self) -> None:
        """Flush forever; cancel to stop (call ``flush`` afterwards for the rest)."""
        while True:
            await self._has_work.wait()
            if len(self._pending) < self._batch_size and self._flush_delay_s > 0:
                # A short wait lets a burst of finished attempts share one commit; a
                # full batch, or ``write_soon``, ends it early.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._flush_delay_s):
                        await self._write_now.wait()
            self._write_now.clear()
            if not await self.flush():
                await asyncio.sleep(RETRY_DELAY_S)

    async def flush(self) -> bool:
        """Write everything pending; False if the store failed (kept for later)."""
        async with self._writing:
            return await self._flush_pending()

    async def _flush_pending(self) -> bool:
        while self._pending:
            batch = self._pending[: self._batch_size * 4]
            try:
                applied = await self._write(batch)
            except Exception:
                log.exception("recording %d outcomes failed; will retry", len(batch))
                return False
            del self._pending[: len(batch)]
            self._notify(batch, applied)
            self._on_written()
        self._has_work.clear()
        self._idle.set()
        return True

    async def _write(self, batch: list[tuple[Job, Outcome]]) -> set[int]:
        outcomes = [outcome for _, outcome in batch]
        try:
            return await self._store.record_outcomes(outcomes, self._clock.now())
        except InvalidInput:
            if not any(outcome.follow_ups for outcome in outcomes):
                raise
            # A follow-up the store refuses must not hold the outcomes back for ever:
            # they are written without their follow-ups (logged as lost).
            log.exception("follow-up jobs of %d outcomes refused; writing without", len(batch))
            bare = [replace(outcome, follow_ups=()) for outcome in outcomes]
            return await self._store.record_outcomes(bare, self._clock.now())

    async def wait_idle(self) -> None:
        await self._idle.wait()

    def _notify(self, batch: list[tuple[Job, Outcome]], applied: set[int]) -> None:
        for job, outcome in batch:
            for observer in self._observers:
                try:
                    observer.on_outcome(job, outcome, applied=job.id in applied)
                except Exception:
                    log.exception("observer failed for job %s", job.id)
