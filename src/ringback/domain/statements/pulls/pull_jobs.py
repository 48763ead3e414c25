"""The jobs that carry pulls.

* ``pull_job``: the ``statements.pull`` task job of one source and date, asked every
  ``min_interval`` until its deadline.
* ``statement_schedules``: each scheduled source as a periodic schedule named
  ``statements.<source>``. A tick enqueues a small ``statements.start`` job, which creates
  the day's pull (the pull record and its job, keyed ``statements.pull:<source>:<date>``)
  in one transaction. The periodic scheduler makes the tick happen once however many
  workers run; the pull's own key makes the pull exist once however often the tick job
  runs.
"""

from __future__ import annotations

from datetime import date, datetime

from ringback.core.durations import format_duration
from ringback.core.jobs import JobKind, NewJob
from ringback.core.periodic import JobTemplate, PeriodicSchedule
from ringback.core.policies import FixedPolicy

from .pull import DATE_LABEL, PULL_TASK, SOURCE_LABEL, START_TASK
from .source import StatementsConfig, StatementSource

SCHEDULE_PREFIX = "statements."
START_POLICY = {"type": "fixed", "interval": "1m", "max_attempts": 30}


def pull_job(
    source: StatementSource, day: date, *, key: str, run_at: datetime, deadline: datetime
) -> NewJob:
    """A job that asks at ``run_at``, then every ``min_interval``, until ``deadline``.

    The task itself asks again later when the gate says not yet; the policy keeps the
    rhythm and the deadline, and a job that dies there is alerted like any dead job.
    """
    policy = FixedPolicy(interval=source.min_interval, deadline=max(deadline, run_at))
    return NewJob(
        kind=JobKind.TASK,
        payload={
            "task": PULL_TASK,
            "args": {"source": source.name, "date": day.isoformat()},
            "timeout": format_duration(source.attempt_timeout),
        },
        policy=policy.to_spec(),
        run_at=run_at,
        queue=source.queue,
        key=key,
        labels={SOURCE_LABEL: source.name, DATE_LABEL: day.isoformat()},
    )


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
