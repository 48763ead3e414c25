"""When a new request to a source can go: the answer a manual trigger or backfill gives.

The gate says when the next request is allowed; pulls already queued for the source at
or before that moment go first, one interval apart. The gate still decides at send time,
so this is the earliest the request can go, which is when its job is scheduled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter, Store

from .gate import RequestGate
from .pull import SOURCE_LABEL
from .source import StatementSource

QUEUED_LOOKED_AT = 500


def free_slot(
    last_request_at: datetime | None,
    min_interval: timedelta,
    now: datetime,
    queued: Iterable[datetime],
) -> datetime:
    """The first moment after the last request and the queued ones (pure)."""
    slot = now if last_request_at is None else max(now, last_request_at + min_interval)
    for run_at in sorted(queued):
        if run_at <= slot:
            slot += min_interval  # that pull takes this slot; ours is the next one
    return slot


async def first_slot(
    store: Store, source: StatementSource, now: datetime, *, ignore_job: int | None = None
) -> datetime:
    """``free_slot`` from the store; ``ignore_job`` is the pull being placed, if queued.

    A pull job running now takes a slot too, unless the gate shows it already took it.
    """
    state = await RequestGate(store).state(source.name)
    pending = await store.list_jobs(
        JobFilter(
            states=frozenset({JobState.SCHEDULED, JobState.RUNNING}),
            label=(SOURCE_LABEL, source.name),
        ),
        limit=QUEUED_LOOKED_AT,
    )
    queued = [
        job.run_at
        for job in pending.jobs
        if job.id != ignore_job and not (job.state is JobState.RUNNING and job.key == state.holder)
    ]
    return free_slot(state.last_request_at, source.min_interval, now, queued)
