"""Preview a policy: the attempt times it plans if every attempt fails instantly."""

from __future__ import annotations

from datetime import datetime

from ringback.core.policies.base import GiveUp, Policy


def describe_schedule(policy: Policy, start: datetime, n: int, *, salt: int = 0) -> list[datetime]:
    """Up to ``n`` planned attempt times for a job submitted at ``start``.

    The list is shorter than ``n`` when the policy gives up earlier. Each attempt is
    taken to fail the moment it starts, so this is the earliest the series could run;
    real attempts take time and push later retries back by as much.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    if n == 0:
        return []
    times = [policy.first_run(start)]
    while len(times) < n:
        decision = policy.decide(
            attempts=len(times), series_started_at=start, now=times[-1], salt=salt
        )
        if isinstance(decision, GiveUp):
            break
        times.append(decision.when)
    return times
