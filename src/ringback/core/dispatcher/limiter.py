"""Per-target concurrency: one slow or dead receiver cannot take every slot."""

from __future__ import annotations

from collections import Counter

from ringback.core.jobs import Job


class TargetLimiter:
    """Counts attempts in flight per target.

    Claims skip full targets (``saturated`` goes to the store as ``exclude_targets``),
    so a job is refused here only when its target filled up earlier in the same
    batch; the dispatcher hands such a job straight back to the store.
    """

    def __init__(self, per_target_limit: int) -> None:
        self._limit = per_target_limit
        self._in_flight: Counter[str] = Counter()

    def try_acquire(self, job: Job) -> bool:
        if job.target is None:
            return True
        if self._in_flight[job.target] >= self._limit:
            return False
        self._in_flight[job.target] += 1
        return True

    def release(self, target: str | None) -> bool:
        """Free one slot of ``target``; True if the target had been full."""
        if target is None:
            return False
        was_full = self._in_flight[target] >= self._limit
        self._in_flight[target] -= 1
        if self._in_flight[target] <= 0:
            del self._in_flight[target]
        return was_full

    def saturated(self) -> frozenset[str]:
        return frozenset(t for t, n in self._in_flight.items() if n >= self._limit)
