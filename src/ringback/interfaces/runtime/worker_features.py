"""What a worker runs beside its dispatcher: statement pulls and the periodic scheduler
(``[periodic.*]`` tables plus the schedules features add; see docs/periodic.md).

Kept in one place so that ``worker.py`` and the embedded service start and stop them
the same way: built before the dispatcher (their observers join it), started with it,
stopped after it and before the store closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ringback.core.clock import Clock
from ringback.core.config import Settings
from ringback.core.dispatcher import DispatchObserver
from ringback.core.executors.base import Executor
from ringback.core.jobs import JobKind
from ringback.core.periodic import PeriodicSchedule, PeriodicScheduler
from ringback.core.periodic.from_settings import schedules_from_settings
from ringback.core.service import JobService
from ringback.core.store.contract import Store
from ringback.interfaces.runtime.statements import StatementsWiring, wire_statements


@dataclass
class WorkerFeatures:
    statements: StatementsWiring
    periodic: PeriodicScheduler | None
    _running: asyncio.Task[None] | None = None

    @property
    def observers(self) -> list[DispatchObserver]:
        return list(self.statements.observers)

    def start(self) -> None:
        if self.periodic is not None:
            self._running = asyncio.create_task(self.periodic.run(), name="ringback-periodic")

    async def stop(self) -> None:
        if self.periodic is not None and self._running is not None:
            self.periodic.stop()
            await self._running
        await self.statements.close()


def worker_features(
    settings: Settings, store: Store, clock: Clock, executors: Mapping[JobKind, Executor]
) -> WorkerFeatures:
    """Raises ConfigError when a statement source or a periodic job is misconfigured."""
    jobs = JobService(store, clock, executors)
    statements = wire_statements(settings, store, clock, jobs)
    return WorkerFeatures(
        statements, periodic_scheduler(settings, store, clock, jobs, statements.schedules)
    )


def periodic_scheduler(
    settings: Settings,
    store: Store,
    clock: Clock,
    jobs: JobService,
    extra: Sequence[PeriodicSchedule] = (),
) -> PeriodicScheduler | None:
    """The scheduler, its jobs checked now (ConfigError); None when nothing is periodic."""
    schedules = [*schedules_from_settings(settings.periodic), *extra]
    if not schedules:
        return None
    scheduler = PeriodicScheduler(store, clock, schedules, jobs=jobs)
    scheduler.check()
    return scheduler
