"""The periodic scheduler: runs in every worker, enqueues each tick exactly once.

There is no leader. Each worker computes the due ticks and writes, in ONE transaction,
the jobs (keys ``periodic:<name>:<tick>``, so a second copy is never created) and the
record of the last tick (namespace ``periodic.last_tick``, compare-and-set on its
version, so only one worker's decision counts). Then it sleeps exactly until the next
tick of any schedule. The record is what lets a worker that starts after an outage
know which ticks were missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ringback.core.clock import Clock
from ringback.core.errors import ConfigError, Conflict, InvalidInput
from ringback.core.jobs import NewJob
from ringback.core.periodic.plan import TickPlan, plan_ticks
from ringback.core.periodic.schedule import PeriodicSchedule, iso_z
from ringback.core.periodic.ticks import next_tick
from ringback.core.periodic.walls import NoMatch
from ringback.core.service.requests import SubmitRequest
from ringback.core.store.contract import EnqueueResult, Record, RecordWrite, Store, WriteMode

log = logging.getLogger("ringback.periodic")

NS_LAST_TICK = "periodic.last_tick"
# Another worker winning the compare-and-set is normal; losing many times in a row is not.
MAX_RACES = 5
# After a store error, try again this much later (clock time).
ERROR_PAUSE = timedelta(seconds=5)


class JobPreparer(Protocol):
    """Checks a submission and returns the job to store (``JobService.validate``)."""

    def validate(self, req: SubmitRequest, *, now: datetime | None = None) -> NewJob: ...


class PeriodicScheduler:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        schedules: Sequence[PeriodicSchedule],
        *,
        jobs: JobPreparer,
    ) -> None:
        names = [schedule.name for schedule in schedules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ConfigError(
                f"two periodic schedules are named {duplicates[0]!r}", field="periodic"
            )
        self._store = store
        self._clock = clock
        self._schedules = tuple(schedules)
        self._jobs = jobs
        self._stop = asyncio.Event()
        self.checked_at: datetime | None = None  # the time of the last completed pass

    @property
    def schedules(self) -> tuple[PeriodicSchedule, ...]:
        return self._schedules

    def check(self) -> None:
        """Build each schedule's next job now, so a bad payload stops start-up."""
        now = self._clock.now()
        for schedule in self._schedules:
            tick = next_tick(schedule.cron, schedule.tz, now)
            try:
                self._jobs.validate(schedule.request_for(tick), now=now)
            except InvalidInput as error:
                where = f"periodic.{schedule.name}" + (f".{error.field}" if error.field else "")
                raise ConfigError(error.message, field=where) from None

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Enqueue due ticks, sleep until the next one; until ``stop``."""
        while not self._stop.is_set():
            now = self._clock.now()
            wake_at = await self.run_once(now)
            if wake_at is None:
                log.info("no periodic schedule has a tick ahead; scheduler idle")
                await self._stop.wait()
                return
            await self._clock.sleep_until(wake_at, wake=self._stop)

    async def run_once(self, now: datetime) -> datetime | None:
        """One pass over every schedule at ``now``; return when to pass again."""
        wake_at: datetime | None = None
        for schedule in self._schedules:
            try:
                await self.fire(schedule, now)
                upcoming = next_tick(schedule.cron, schedule.tz, now)
            except NoMatch:
                continue
            except Exception:
                log.exception("periodic schedule %s: could not enqueue its ticks", schedule.name)
                upcoming = now + ERROR_PAUSE
            wake_at = upcoming if wake_at is None else min(wake_at, upcoming)
        self.checked_at = now
        return wake_at

    async def fire(self, schedule: PeriodicSchedule, now: datetime) -> list[EnqueueResult]:
        """Enqueue ``schedule``'s due ticks unless another worker already did."""
        for _ in range(MAX_RACES):
            record = await self._store.get_record(NS_LAST_TICK, schedule.name)
            last = None if record is None else datetime.fromisoformat(record.data["tick"])
            plan = plan_ticks(schedule, last=last, now=now)
            if plan.last_tick is None:
                return []
            jobs = [self._job(schedule, tick, now) for tick in plan.enqueue]
            write = _record_write(schedule, plan, record)
            try:
                result = await self._store.write(records=[write], jobs=jobs, now=now)
            except Conflict:
                continue  # another worker recorded first: read what it decided
            if record is None and not result.records[0].created:
                continue  # another worker created the record first
            _log_plan(schedule, plan, result.jobs)
            return result.jobs
        log.warning("periodic schedule %s: lost %d races in a row", schedule.name, MAX_RACES)
        return []

    def _job(self, schedule: PeriodicSchedule, tick: datetime, now: datetime) -> NewJob:
        return self._jobs.validate(schedule.request_for(tick), now=now)


def _record_write(
    schedule: PeriodicSchedule, plan: TickPlan, current: Record | None
) -> RecordWrite:
    assert plan.last_tick is not None
    record = Record(
        namespace=NS_LAST_TICK,
        key=schedule.name,
        data={
            "tick": plan.last_tick.astimezone(UTC).isoformat(),
            "cron": schedule.cron.text,
            "tz": schedule.tz.key,
            "enqueued": [iso_z(tick) for tick in plan.enqueue],
            "skipped": plan.skipped,
        },
        ref_time=plan.last_tick,
    )
    if current is None:
        return RecordWrite(record, WriteMode.INSERT)
    return RecordWrite(record, WriteMode.REPLACE, expect_version=current.version)


def _log_plan(schedule: PeriodicSchedule, plan: TickPlan, results: list[EnqueueResult]) -> None:
    for result in results:
        if result.created:
            log.info(
                "periodic %s: tick %s enqueued as job %s",
                schedule.name,
                result.job.labels.get("ringback.tick"),
                result.job.id,
            )
    if plan.skipped:
        log.warning(
            "periodic %s: missed ticks skipped (catch_up=%s, catch_up_limit=%d)",
            schedule.name,
            schedule.catch_up,
            schedule.catch_up_limit,
        )
