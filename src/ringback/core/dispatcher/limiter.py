"""Per-target concurrency: one slow or dead receiver cannot take every slot."""

from __future__ import annotations

from collections import Counter, deque

from ringback.core.jobs import Job


class TargetLimiter:
    """Counts attempts in flight per target and parks jobs whose target is full.

    Parking only happens for jobs claimed in the same batch as the one that filled
    their target; later claims exclude full targets altogether (see ``saturated``).
    """

    def __init__(self, per_target_limit: int) -> None:
        self._limit = per_target_limit
        self._in_flight: Counter[str] = Counter()
        self._parked: dict[str, deque[Job]] = {}

    def try_acquire(self, job: Job) -> bool:
        if job.target is None:
            return True
        if self._in_flight[job.target] >= self._limit:
            self._parked.setdefault(job.target, deque()).append(job)
            return False
        self._in_flight[job.target] += 1
        return True

    def release(self, target: str | None) -> Job | None:
        """Free one slot of ``target``; return a parked job that may now start."""
        if target is None:
            return None
        parked = self._parked.get(target)
        if parked:
            job = parked.popleft()
            if not parked:
                del self._parked[target]
            return job  # the slot passes straight to the parked job
        self._in_flight[target] -= 1
        if self._in_flight[target] <= 0:
            del self._in_flight[target]
        return None

    def saturated(self) -> frozenset[str]:
        return frozenset(t for t, n in self._in_flight.items() if n >= self._limit)

    def parked_jobs(self) -> list[Job]:
        return [job for queue in self._parked.values() for job in queue]

    def parked_count(self) -> int:
        return sum(len(queue) for queue in self._parked.values())

    def drop_parked(self) -> list[Job]:
        jobs = self.parked_jobs()
        self._parked.clear()
        return jobs
