"""Periodic jobs: cron expressions with a time zone, enqueued exactly once per tick by a
scheduler that runs in every worker (no leader). See docs/periodic.md."""

from ringback.core.periodic.cron import MACROS, CronExpr, parse_cron
from ringback.core.periodic.plan import TickPlan, plan_ticks
from ringback.core.periodic.schedule import (
    PERIODIC_LABEL,
    TICK_LABEL,
    JobTemplate,
    PeriodicSchedule,
    tick_key,
)
from ringback.core.periodic.scheduler import NS_LAST_TICK, JobPreparer, PeriodicScheduler
from ringback.core.periodic.ticks import next_tick, prev_tick, zone

__all__ = [
    "MACROS",
    "NS_LAST_TICK",
    "PERIODIC_LABEL",
    "TICK_LABEL",
    "CronExpr",
    "JobPreparer",
    "JobTemplate",
    "PeriodicSchedule",
    "PeriodicScheduler",
    "TickPlan",
    "next_tick",
    "parse_cron",
    "plan_ticks",
    "prev_tick",
    "tick_key",
    "zone",
]
