"""Group commit: concurrent ``Store.write`` calls share one transaction.

Each accepted channel notification is one small transaction, and on SQLite its cost
is the sync to disk, not the rows. Notifications that arrive while a write is under
way are queued and committed together in the next one, so a burst costs a few syncs
instead of one each. Nothing waits for a batch to fill: a lone notification is
written at once, so the added latency at low load is nil.

Each caller still gets its own result, and its own failure: when a combined write
fails (one stale version, say), the batch is written again one call at a time, so a
caller's records and jobs are never committed without all of them, nor refused for
another caller's fault.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ringback.core.jobs import NewJob
from ringback.core.store.contract import RecordWrite, Store, WriteResult

MAX_BATCH = 64  # calls per transaction: enough to amortise a sync, short to hold a lock


@dataclass
class _Call:
    records: Sequence[RecordWrite]
    jobs: Sequence[NewJob]
    now: datetime
    done: asyncio.Future[WriteResult]


class GroupWriter:
    def __init__(self, store: Store, *, max_batch: int = MAX_BATCH) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: list[_Call] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(
        self,
        *,
        records: Sequence[RecordWrite] = (),
        jobs: Sequence[NewJob] = (),
        now: datetime,
    ) -> WriteResult:
        """Like ``Store.write``: all of this call's records and jobs, or none."""
        done: asyncio.Future[WriteResult] = asyncio.get_running_loop().create_future()
        self._queue.append(_Call(records, jobs, now, done))
        if self._flusher is None or self._flusher.done():
            # A task of its own, so a caller that is cancelled cannot strand the others.
            self._flusher = asyncio.create_task(self._drain(), name="ringback-payments-commit")
        return await done

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: len(batch)]
            await self._flush(batch)

    async def _flush(self, batch: list[_Call]) -> None:
        if len(batch) > 1:
            try:
                combined = await self._store.write(
                    records=[r for call in batch for r in call.records],
                    jobs=[j for call in batch for j in call.jobs],
                    now=max(call.now for call in batch),
                )
            except Exception:  # noqa: S110 - each call is tried alone below
                pass
            else:
                _split(batch, combined)
                return
        for call in batch:
            try:
                result = await self._store.write(records=call.records, jobs=call.jobs, now=call.now)
            except Exception as exc:
                _settle(call, exception=exc)
            else:
                _settle(call, result=result)


def _split(batch: list[_Call], combined: WriteResult) -> None:
    records_at = jobs_at = 0
    for call in batch:
        records = combined.records[records_at : records_at + len(call.records)]
        jobs = combined.jobs[jobs_at : jobs_at + len(call.jobs)]
        records_at += len(call.records)
        jobs_at += len(call.jobs)
        _settle(call, result=WriteResult(records=records, jobs=jobs))


def _settle(
    call: _Call, *, result: WriteResult | None = None, exception: Exception | None = None
) -> None:
    if call.done.done():  # the caller went away (e.g. the channel hung up)
        return
    if exception is not None:
        call.done.set_exception(exception)
    elif result is not None:
        call.done.set_result(result)
