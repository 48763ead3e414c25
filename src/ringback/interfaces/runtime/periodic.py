"""The periodic scheduler every worker runs: ``[periodic.*]`` tables plus the schedules
features add (a statement source's daily pull). See docs/periodic.md."""

from __future__ import annotations

from collections.abc import Sequence

from ringback.core.clock import Clock
from ringback.core.config import Settings
from ringback.core.periodic import PeriodicSchedule, PeriodicScheduler
from ringback.core.periodic.from_settings import schedules_from_settings
from ringback.core.service import JobService
from ringback.core.store.contract import Store


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
