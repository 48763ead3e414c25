"""A snapshot of the whole system for operators: how many jobs are in each state,
per queue, and what runs next. The API and the dashboard render the same value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ringback.core.jobs import Job, JobState
from ringback.core.store.contract import StateCounts


@dataclass(frozen=True, slots=True)
class Overview:
    generated_at: datetime
    counts: dict[JobState, int]  # every state present, zero when empty
    queues: dict[str, dict[JobState, int]]  # queue -> state -> count, every state present
    next_due: list[Job]  # the next pending jobs, earliest first
    next_due_at: datetime | None  # when the earliest pending job becomes due

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pending(self) -> int:
        """Jobs still to be answered: scheduled or running."""
        return self.counts[JobState.SCHEDULED] + self.counts[JobState.RUNNING]

    @property
    def dead(self) -> int:
        """Jobs that need an operator: the policy gave up or they failed for good."""
        return self.counts[JobState.DEAD]


def build_overview(
    counts: StateCounts,
    next_due: list[Job],
    *,
    next_due_at: datetime | None,
    generated_at: datetime,
) -> Overview:
    by_state = {state: counts.by_state.get(state, 0) for state in JobState}
    queues: dict[str, dict[JobState, int]] = {}
    for (queue, state), count in sorted(counts.by_queue_state.items()):
        queues.setdefault(queue, dict.fromkeys(JobState, 0))[state] = count
    return Overview(
        generated_at=generated_at,
        counts=by_state,
        queues=queues,
        next_due=next_due,
        next_due_at=next_due_at,
    )
