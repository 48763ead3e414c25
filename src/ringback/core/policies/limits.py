"""The bounds fixed and exponential policies share: attempts, deadline, elapsed time.

Kept apart from the policies so that both apply the receiver's Retry-After and their
bounds in exactly the same order, with the same give-up reasons.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ringback.core.durations import format_duration
from ringback.core.errors import InvalidInput
from ringback.core.policies.base import GiveUp, RetryAt


def check_attempts(attempts: int) -> None:
    """``decide`` is asked after a failed attempt, so at least one attempt was made."""
    if attempts < 1:
        raise ValueError(f"decide() needs attempts >= 1, got {attempts}")


def honour_retry_after(planned: datetime, now: datetime, retry_after: timedelta | None) -> datetime:
    """The later of the policy's own time and the time the receiver asked for."""
    if retry_after is None:
        return planned
    return max(planned, now + retry_after)


def bounded(
    when: datetime,
    *,
    attempts: int,
    series_started_at: datetime,
    max_attempts: int | None,
    deadline: datetime | None,
    max_elapsed: timedelta | None,
) -> RetryAt | GiveUp:
    """``RetryAt(when)`` unless a bound says no more attempts."""
    if max_attempts is not None and attempts >= max_attempts:
        return GiveUp(f"max_attempts reached after {attempts} attempts")
    if deadline is not None and when > deadline:
        return GiveUp(f"deadline {iso_utc(deadline)} passed (next attempt was {iso_utc(when)})")
    if max_elapsed is not None and when > series_started_at + max_elapsed:
        return GiveUp(
            f"max_elapsed {format_duration(max_elapsed)} exceeded "
            f"(series started {iso_utc(series_started_at)}, next attempt was {iso_utc(when)})"
        )
    return RetryAt(when)


def validate_bounds(
    max_attempts: int | None, deadline: datetime | None, max_elapsed: timedelta | None
) -> datetime | None:
    """Check the shared bounds; return the deadline normalised to UTC."""
    if max_attempts is not None and (isinstance(max_attempts, bool) or max_attempts < 1):
        raise InvalidInput(
            f"max_attempts must be 1 or more (got {max_attempts!r})", field="max_attempts"
        )
    if max_elapsed is not None and max_elapsed <= timedelta(0):
        raise InvalidInput(
            f"max_elapsed must be longer than 0s (got {format_duration_safe(max_elapsed)})",
            field="max_elapsed",
        )
    if deadline is None:
        return None
    if deadline.tzinfo is None:
        raise InvalidInput(
            f"deadline {deadline.isoformat()} has no time zone; add one, e.g. '+08:00' or 'Z'",
            field="deadline",
        )
    return deadline.astimezone(UTC)


def require_positive(value: timedelta, name: str) -> None:
    if value <= timedelta(0):
        raise InvalidInput(
            f"{name} must be longer than 0s (got {format_duration_safe(value)})", field=name
        )


def format_duration_safe(value: timedelta) -> str:
    """For error messages: the compact form, or Python's own for negative values."""
    return format_duration(value) if value >= timedelta(0) else str(value)


def iso_utc(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
