"""The task job that carries a pull: asked every ``min_interval`` until its deadline."""

from __future__ import annotations

from datetime import date, datetime

from ringback.core.durations import format_duration
from ringback.core.jobs import JobKind, NewJob
from ringback.core.policies import FixedPolicy

from .pull import DATE_LABEL, PULL_TASK, SOURCE_LABEL
from .source import StatementSource


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
