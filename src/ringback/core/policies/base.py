"""The policy protocol and the decisions it returns (plain values, no I/O)."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta

from ringback.core.jobs import JsonObject


@dataclass(frozen=True, slots=True)
class RetryAt:
    when: datetime


@dataclass(frozen=True, slots=True)
class GiveUp:
    reason: str  # e.g. "schedule exhausted after 8 attempts", "deadline 12:00 passed"


Decision = RetryAt | GiveUp


class Policy(abc.ABC):
    """When to try a job again.

    ``attempts`` counts the attempts already made in the series (1 after the
    first failure). ``series_started_at`` is when the series began (deadlines are
    measured from it). ``now`` is when the failed attempt ended. ``retry_after``
    is a delay the receiver asked for (HTTP Retry-After, or a task's own request);
    policies honour it within their bounds (never past a deadline or max attempts).
    ``salt`` makes jitter deterministic per job: same inputs, same answer.
    """

    @abc.abstractmethod
    def first_run(self, submitted_at: datetime) -> datetime:
        """When the first attempt is due for a job submitted at ``submitted_at``."""

    @abc.abstractmethod
    def decide(
        self,
        *,
        attempts: int,
        series_started_at: datetime,
        now: datetime,
        retry_after: timedelta | None = None,
        salt: int = 0,
    ) -> RetryAt | GiveUp: ...

    @abc.abstractmethod
    def to_spec(self) -> JsonObject:
        """The canonical JSON spec; ``parse_policy(p.to_spec())`` equals ``p``."""
