"""Operator actions: send an order's notification again, or every dead one of an app.

What "again" means depends on where the notification job stands:

| job state            | resend                                                   |
|----------------------|----------------------------------------------------------|
| scheduled            | its next attempt moves to now                            |
| running              | refused (Conflict): an attempt is under way              |
| dead or cancelled    | a new series of the same job, starting now               |
| succeeded (or purged)| a fresh job with the same body under ``<id>_r<n>``        |

The body (and the notification id inside it) never changes, so a merchant that
deduplicates on ``notification_id`` is safe whichever path was taken.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ringback.core.clock import Clock, utc
from ringback.core.errors import Conflict, InvalidInput, NotFound
from ringback.core.jobs import Job, JobState
from ringback.core.service import JobService
from ringback.core.store.contract import JobFilter, Store
from ringback.domain.payments.config import PaymentsConfig
from ringback.domain.payments.merchant_job import (
    LABEL_APP,
    QUEUE,
    notification_request,
    resend_request,
)
from ringback.domain.payments.orders import MerchantNotice, Order, with_resend_key
from ringback.domain.payments.repository import PaymentsRepository, order_write

DEAD_PAGE_SIZE = 500


class Resender:
    def __init__(
        self, store: Store, clock: Clock, config: PaymentsConfig, jobs: JobService
    ) -> None:
        self._store = store
        self._clock = clock
        self._config = config
        self._jobs = jobs
        self._repo = PaymentsRepository(store)

    async def resend(self, app_id: str, order_no: str) -> Job:
        """Deliver the order's latest notification again (see the table above)."""
        self._config.app(app_id)
        order = await self._repo.order(app_id, order_no)
        if order is None:
            raise NotFound(f"order {order_no} of app {app_id} not found", field="order_no")
        if not order.notices:
            raise Conflict(
                f"order {order_no} is {order.status.value}: there is nothing to notify yet",
                field="order_no",
            )
        notice = order.notices[-1]
        job = await self._store.get_job_by_key(notice.job_key)
        if job is None or job.state is JobState.SUCCEEDED:
            return await self._fresh_job(order, notice, job)
        if job.state is JobState.SCHEDULED:
            return await self._jobs.reschedule(job.id, self._clock.now())
        if job.state is JobState.RUNNING:
            raise Conflict(f"job {job.id} is delivering right now; try again shortly", field="job")
        return await self._jobs.retry(job.id)

    async def _fresh_job(self, order: Order, notice: MerchantNotice, previous: Job | None) -> Job:
        now = self._clock.now()
        key = f"{notice.notification_id}_r{len(notice.job_keys)}"
        if previous is not None:
            request = resend_request(previous, key)
        else:
            # Purged after its retention period: build it again (same notification id).
            app = self._config.app(order.app_id)
            first = notification_request(app, order, notice.status, now=now)
            request = replace(first, key=key)
        new_job = self._jobs.validate(request)
        result = await self._store.write(
            records=[order_write(with_resend_key(order, notice, key))], jobs=[new_job], now=now
        )
        return result.jobs[0].job

    async def resend_dead(self, app_id: str, since: datetime) -> int:
        """Start a new series for every notification job of ``app_id`` that died at or
        after ``since``; return how many."""
        self._config.app(app_id)
        if since.tzinfo is None:
            raise InvalidInput("since needs a timezone, e.g. 2026-01-01T00:00:00Z", field="since")
        since = utc(since)
        where = JobFilter(states=frozenset({JobState.DEAD}), queue=QUEUE, label=(LABEL_APP, app_id))
        count = 0
        cursor: int | None = None
        while True:
            page = await self._jobs.list(where, limit=DEAD_PAGE_SIZE, cursor=cursor)
            for job in page.jobs:
                if job.finished_at is None or job.finished_at < since:
                    continue
                try:
                    await self._jobs.retry(job.id)
                except Conflict:
                    continue  # someone retried or cancelled it meanwhile
                count += 1
            if page.next_cursor is None:
                return count
            cursor = page.next_cursor
