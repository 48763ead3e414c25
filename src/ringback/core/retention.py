"""Retention: delete finished jobs (and their attempts) once they are old enough.

Every worker process runs a ``RetentionSweeper`` beside its dispatcher. A sweep
deletes ``batch_size`` jobs per store call, each call its own short transaction,
until the store reports nothing left; then the sweeper sleeps ``every`` and sweeps
again. Several workers (on several hosts) sweeping at once do not get in each
other's way: a batch is small, PostgreSQL skips rows another sweeper is deleting,
and SQLite writers take turns per batch.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from ringback.core.clock import Clock
from ringback.core.errors import InvalidInput
from ringback.core.store.contract import Store

log = logging.getLogger("ringback.retention")

DEFAULT_EVERY = timedelta(minutes=10)


class RetentionSweeper:
    """Purges final jobs that finished more than ``finished_after`` ago."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        finished_after: timedelta,
        batch_size: int,
        every: timedelta = DEFAULT_EVERY,
    ) -> None:
        if not isinstance(finished_after, timedelta) or finished_after <= timedelta(0):
            raise InvalidInput("finished_after must be longer than 0s", field="finished_after")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInput("batch_size must be an integer >= 1", field="batch_size")
        if not isinstance(every, timedelta) or every <= timedelta(0):
            raise InvalidInput("every must be longer than 0s", field="every")
        self._store = store
        self._clock = clock
        self._finished_after = finished_after
        self._batch_size = batch_size
        self._every = every
        self.sweeps = 0  # completed sweeps, for status and tests
        self.purged = 0  # jobs deleted by this sweeper since it started

    async def sweep(self) -> int:
        """Delete, batch after batch, every job finished before now - finished_after;
        return how many. The cutoff is fixed at the start, so a sweep ends even
        while other processes keep finishing jobs."""
        older_than = self._clock.now() - self._finished_after
        total = 0
        while deleted := await self._store.purge_finished(
            older_than=older_than, batch_size=self._batch_size
        ):
            total += deleted
            self.purged += deleted
            # Let the dispatcher on this event loop claim and record between batches.
            await asyncio.sleep(0)
        self.sweeps += 1
        if total:
            log.info("retention: deleted %d jobs finished before %s", total, older_than)
        return total

    async def run(self) -> None:
        """Sweep now, then every ``every``, until cancelled. A failed sweep (the
        database unreachable, a lock wait timing out) is logged and tried again at
        the next turn: retention can wait, the dispatcher beside it must not stop."""
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("retention sweep failed; trying again in %s", self._every)
            await self._clock.sleep_until(self._clock.now() + self._every)
