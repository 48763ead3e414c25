"""Exponential backoff with a cap and deterministic jitter."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ringback.core.durations import format_duration
from ringback.core.errors import InvalidInput
from ringback.core.jobs import JsonObject
from ringback.core.policies.base import GiveUp, Policy, RetryAt
from ringback.core.policies.limits import (
    bounded,
    check_attempts,
    format_duration_safe,
    honour_retry_after,
    iso_utc,
    require_positive,
    validate_bounds,
)

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class ExponentialPolicy(Policy):
    """After the n-th failure wait ``min(cap, base * factor**(n-1))``, less jitter.

    Jitter spreads retries of many jobs that failed together: the wait is drawn from
    ``[delay * (1 - jitter), delay]``, so it never exceeds the cap. The draw is a hash
    of (salt, attempts), not a random number, so the same job asking the same question
    always gets the same answer (replays and tests are exact).

    A receiver's Retry-After may push an attempt beyond ``cap`` (the cap limits how
    far the policy backs off on its own, not what the receiver asks for) but never
    beyond ``deadline``, ``max_elapsed`` or ``max_attempts``: then the policy gives up.
    With no bound the job is retried every ``cap`` until it succeeds or is cancelled.
    """

    base: timedelta = timedelta(seconds=1)
    factor: float = 2.0
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.0
    max_attempts: int | None = None
    deadline: datetime | None = None
    max_elapsed: timedelta | None = None

    def __post_init__(self) -> None:
        require_positive(self.base, "base")
        if self.cap < self.base:
            raise InvalidInput(
                f"cap {format_duration_safe(self.cap)} is shorter than base "
                f"{format_duration_safe(self.base)}",
                field="cap",
            )
        _check_number(self.factor, "factor", low=1.0, high=None)
        _check_number(self.jitter, "jitter", low=0.0, high=1.0)
        # Store floats so that a spec saying 2 and one saying 2.0 give equal policies.
        object.__setattr__(self, "factor", float(self.factor))
        object.__setattr__(self, "jitter", float(self.jitter))
        deadline = validate_bounds(self.max_attempts, self.deadline, self.max_elapsed)
        object.__setattr__(self, "deadline", deadline)

    def first_run(self, submitted_at: datetime) -> datetime:
        return submitted_at

    def delay(self, attempts: int, salt: int = 0) -> timedelta:
        """The policy's own wait after the ``attempts``-th failure, jitter included."""
        check_attempts(attempts)
        full_us = self._backoff_us(attempts)
        cut_us = int(full_us * self.jitter * jitter_fraction(salt, attempts))
        return timedelta(microseconds=full_us - cut_us)

    def _backoff_us(self, attempts: int) -> int:
        base_us = self.base // _MICROSECOND
        cap_us = self.cap // _MICROSECOND
        exponent = attempts - 1
        if exponent == 0 or self.factor == 1.0:
            return base_us
        # Compare logarithms first: factor**exponent overflows long before attempts
        # stop being plausible, and the cap is reached much earlier anyway.
        if exponent * math.log(self.factor) >= math.log(cap_us / base_us):
            return cap_us
        return min(cap_us, round(base_us * self.factor**exponent))

    def decide(
        self,
        *,
        attempts: int,
        series_started_at: datetime,
        now: datetime,
        retry_after: timedelta | None = None,
        salt: int = 0,
    ) -> RetryAt | GiveUp:
        when = honour_retry_after(now + self.delay(attempts, salt), now, retry_after)
        return bounded(
            when,
            attempts=attempts,
            series_started_at=series_started_at,
            max_attempts=self.max_attempts,
            deadline=self.deadline,
            max_elapsed=self.max_elapsed,
        )

    def to_spec(self) -> JsonObject:
        spec: JsonObject = {
            "type": "exponential",
            "base": format_duration(self.base),
            "factor": self.factor,
            "cap": format_duration(self.cap),
            "jitter": self.jitter,
        }
        if self.max_attempts is not None:
            spec["max_attempts"] = self.max_attempts
        if self.deadline is not None:
            spec["deadline"] = iso_utc(self.deadline)
        if self.max_elapsed is not None:
            spec["max_elapsed"] = format_duration(self.max_elapsed)
        return spec


def jitter_fraction(salt: int, attempts: int) -> float:
    """A number in [0, 1) that depends only on (salt, attempts)."""
    digest = hashlib.blake2b(
        f"{salt}:{attempts}".encode(), digest_size=8, person=b"ringback-jitter"
    ).digest()
    return int.from_bytes(digest, "big") / 2**64


def _check_number(value: float, name: str, *, low: float, high: float | None) -> None:
    raw: object = value
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise InvalidInput(f"{name} must be a number (got {raw!r})", field=name)
    if raw < low or (high is not None and raw > high):
        bounds = f"at least {low:g}" if high is None else f"between {low:g} and {high:g}"
        raise InvalidInput(f"{name} must be {bounds} (got {raw!r})", field=name)
