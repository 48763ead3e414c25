"""Marking a pull failed when its job dies (the deadline passed, or attempts ran out).

The dispatcher reports every outcome to its observers; this one watches for dead
``statements.pull`` jobs and records the failure on the pull, so ``statements list`` and
the API show it. The alert itself is the dead-job alert every job gets. Like those
alerts, the change is made just after the death is stored, not in the same transaction;
the views also read a dead job as a failed pull, so nothing is lost if a worker dies in
that instant.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime

from ringback.core.clock import Clock
from ringback.core.jobs import Job, JobState, Outcome
from ringback.core.store.contract import Store

from .hooks import StatementHooks
from .pull import PULL_TASK, Pull, PullStatus
from .repository import PullRepository

log = logging.getLogger("ringback.statements")


class PullFailureObserver:
    """A ``DispatchObserver`` for the worker's dispatcher."""

    def __init__(self, store: Store, clock: Clock, hooks: StatementHooks | None = None) -> None:
        self._pulls = PullRepository(store)
        self._clock = clock
        self._hooks = hooks or StatementHooks()
        self._tasks: set[asyncio.Task[None]] = set()

    def on_start(self, job: Job, started_at: datetime) -> None:
        return None

    def on_outcome(self, job: Job, outcome: Outcome, *, applied: bool) -> None:
        if not applied or outcome.state is not JobState.DEAD:
            return
        if job.payload.get("task") != PULL_TASK:
            return
        args = job.payload.get("args") or {}
        source, day_text = args.get("source"), args.get("date")
        if not isinstance(source, str) or not isinstance(day_text, str):
            return
        task = asyncio.get_running_loop().create_task(
            self._mark(source, day_text, job, outcome.last_error or "gave up")
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for failures being recorded (call before closing the store)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _mark(self, source: str, day_text: str, job: Job, error: str) -> None:
        marked: list[Pull] = []

        def fail(pull: Pull) -> Pull | None:
            marked.clear()
            changed = _failed(pull, job, error)
            if changed is not None:
                marked.append(changed)
            return changed

        try:
            await self._pulls.change(source, date.fromisoformat(day_text), fail, self._clock.now())
        except Exception:
            log.exception("could not mark pull %s:%s failed", source, day_text)
            return
        if marked:
            self._hooks.pulled(source, "gave_up")
            log.error("statement pull %s:%s failed: %s", source, day_text, error)


def _failed(pull: Pull, job: Job, error: str) -> Pull | None:
    # Only the pull's current job speaks for it, and a received file stays received.
    if job.key != pull.job_key or pull.status in (PullStatus.RECEIVED, PullStatus.FAILED):
        return None
    return pull.with_(status=PullStatus.FAILED, error=error)
