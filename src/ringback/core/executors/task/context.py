"""What a task may learn about the attempt it is running in."""

from __future__ import annotations

from dataclasses import dataclass, field

from ringback.core.jobs import Job


@dataclass(frozen=True, slots=True)
class TaskContext:
    """Passed as ``ctx`` to tasks that declare a ``ctx`` parameter."""

    job_id: int
    attempt: int  # 1-based number of this attempt within the series
    series: int  # 1, then +1 for each manual retry of a dead job
    queue: str
    key: str | None  # the job's idempotency key, if it has one
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_job(cls, job: Job) -> TaskContext:
        # A claimed job's ``attempts`` counts the attempts already made (the store
        # adds this one when the outcome is recorded).
        return cls(
            job_id=job.id,
            attempt=job.attempts + 1,
            series=job.series,
            queue=job.queue,
            key=job.key,
            labels=dict(job.labels),
        )
