"""Each scheduled source as a periodic schedule named ``statements.<source>``.

A tick enqueues a small ``statements.start`` job, which creates the day's pull (the pull
record and its job, keyed ``statements.pull:<source>:<date>``) in one transaction. The
periodic scheduler makes the tick happen once however many workers run; the pull's own
key makes the pull exist once however often the tick job runs.
"""

from __future__ import annotations

from ringback.core.jobs import JobKind
from ringback.core.periodic import JobTemplate, PeriodicSchedule

from .pull import START_TASK
from .source import StatementsConfig

SCHEDULE_PREFIX = "statements."
START_POLICY = {"type": "fixed", "interval": "1m", "max_attempts": 30}


def statement_schedules(config: StatementsConfig | None) -> list[PeriodicSchedule]:
    if config is None:
        return []
    schedules: list[PeriodicSchedule] = []
    for source in config.sources.values():
        if source.schedule is None:
            continue
        template = JobTemplate(
            kind=JobKind.TASK,
            payload={"task": START_TASK, "args": {"source": source.name, "tick": "{tick}"}},
            policy=dict(START_POLICY),
            queue=source.queue,
        )
        schedules.append(
            PeriodicSchedule(
                name=SCHEDULE_PREFIX + source.name,
                cron=source.schedule,
                tz=source.tz,
                job=template,
                catch_up=source.catch_up,
            )
        )
    return schedules
