"""A fixed list of delays, as payment channels publish them (Alipay, WeChat Pay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ringback.core.durations import format_duration
from ringback.core.errors import InvalidInput
from ringback.core.jobs import JsonObject
from ringback.core.policies.base import GiveUp, Policy, RetryAt
from ringback.core.policies.limits import check_attempts, format_duration_safe, honour_retry_after

MAX_SCHEDULE_LENGTH = 1000


@dataclass(frozen=True)
class SchedulePolicy(Policy):
    """``delays[0]`` is the wait before the first attempt (usually 0s); ``delays[n]`` is
    the wait after the n-th failed attempt, counted from the end of that attempt.

    The policy gives up after ``len(delays)`` attempts. A receiver's Retry-After can
    only push an attempt later, never add one.
    """

    delays: tuple[timedelta, ...]

    def __post_init__(self) -> None:
        # Accept any sequence but keep a tuple, so equality and hashing are by value.
        object.__setattr__(self, "delays", tuple(self.delays))
        if not self.delays:
            raise InvalidInput("delays must list at least one delay, e.g. ['0s']", field="delays")
        if len(self.delays) > MAX_SCHEDULE_LENGTH:
            raise InvalidInput(
                f"{len(self.delays)} delays is too many; at most {MAX_SCHEDULE_LENGTH}",
                field="delays",
            )
        for index, delay in enumerate(self.delays):
            if delay < timedelta(0):
                raise InvalidInput(
                    f"delay {format_duration_safe(delay)} is negative", field=f"delays[{index}]"
                )

    @property
    def max_attempts(self) -> int:
        return len(self.delays)

    def first_run(self, submitted_at: datetime) -> datetime:
        return submitted_at + self.delays[0]

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
        if attempts >= len(self.delays):
            return GiveUp(f"schedule exhausted after {attempts} attempts")
        return RetryAt(honour_retry_after(now + self.delays[attempts], now, retry_after))

    def to_spec(self) -> JsonObject:
        return {"type": "schedule", "delays": [format_duration(d) for d in self.delays]}
