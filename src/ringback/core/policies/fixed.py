"""Try again at a fixed interval, e.g. poll for a statement every 30 minutes until noon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ringback.core.durations import format_duration
from ringback.core.jobs import JsonObject
from ringback.core.policies.base import GiveUp, Policy, RetryAt
from ringback.core.policies.limits import (
    bounded,
    check_attempts,
    honour_retry_after,
    iso_utc,
    require_positive,
    validate_bounds,
)


@dataclass(frozen=True)
class FixedPolicy(Policy):
    """The first attempt runs at once; each retry ``interval`` after the failed attempt ended.

    Bounds are optional and combine (the first one reached wins): ``max_attempts``
    counts attempts in the series, ``deadline`` is an absolute time no attempt may be
    scheduled after, ``max_elapsed`` is measured from the start of the series.
    With no bound at all the job is retried until it succeeds or is cancelled;
    that is allowed on purpose (a poll that must not stop), so choose it knowingly.
    """

    interval: timedelta
    max_attempts: int | None = None
    deadline: datetime | None = None
    max_elapsed: timedelta | None = None

    def __post_init__(self) -> None:
        require_positive(self.interval, "interval")
        deadline = validate_bounds(self.max_attempts, self.deadline, self.max_elapsed)
        object.__setattr__(self, "deadline", deadline)

    def first_run(self, submitted_at: datetime) -> datetime:
        return submitted_at

    def decide(
        self,
        *,
        attempts: int,
        series_started_at: datetime,
        now: datetime,
        retry_after: timedelta | None = None,
        salt: int = 0,
    ) -> RetryAt | GiveUp:
        check_attempts(attempts)
        when = honour_retry_after(now + self.interval, now, retry_after)
        return bounded(
            when,
            attempts=attempts,
            series_started_at=series_started_at,
            max_attempts=self.max_attempts,
            deadline=self.deadline,
            max_elapsed=self.max_elapsed,
        )

    def to_spec(self) -> JsonObject:
        spec: JsonObject = {"type": "fixed", "interval": format_duration(self.interval)}
        if self.max_attempts is not None:
            spec["max_attempts"] = self.max_attempts
        if self.deadline is not None:
            spec["deadline"] = iso_utc(self.deadline)
        if self.max_elapsed is not None:
            spec["max_elapsed"] = format_duration(self.max_elapsed)
        return spec
