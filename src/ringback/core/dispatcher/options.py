"""Dispatcher settings, with units in their names or types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class DispatcherOptions:
    concurrency: int = 200  # attempts in flight in this worker at most
    per_target_limit: int = 10  # attempts in flight per target (HTTP host) at most
    batch_size: int = 200  # jobs claimed (and outcomes written) per store round trip at most
    lease: timedelta = timedelta(seconds=60)
    queues: tuple[str, ...] | None = None  # None: every queue
    idle_wait: timedelta = timedelta(seconds=60)  # longest sleep with nothing due
    flush_delay: timedelta = timedelta(milliseconds=5)  # how long outcomes may wait to batch
    max_jobs: int = 0  # stop after this many attempts (worker recycling); 0: never

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.per_target_limit < 1:
            raise ValueError("per_target_limit must be at least 1")
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.lease <= timedelta(0):
            raise ValueError("lease must be positive")

    @property
    def renew_every(self) -> timedelta:
        # A third of the lease leaves two chances to renew before it expires.
        return self.lease / 3
