"""When to start a child again after it exited: a pure decision, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ringback.core.errors import InvalidInput
from ringback.core.supervisor.exit_codes import EXIT_RECYCLE


@dataclass(frozen=True, slots=True)
class RestartDecision:
    delay: timedelta  # wait this long before starting the replacement
    streak: int  # consecutive crashes so far, including this one (0 after a recycle)
    crashed: bool  # False for a recycle, which is reported as routine


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """Exponential backoff for children that keep dying.

    The first crash after a healthy run is restarted at once (a worker killed by
    the OOM killer should be back within a second). Each further crash in a row
    doubles the wait from ``backoff_base`` up to ``backoff_max``. A child that
    stayed up for ``stable_uptime`` has its streak forgiven.

    A child exiting with ``EXIT_RECYCLE`` asked to be replaced (e.g. after N jobs)
    and is restarted at once, unless it lived less than ``recycle_min_uptime``:
    then the request is treated as a crash, so a child that recycles itself on
    start cannot spin the machine.
    """

    backoff_base: timedelta = timedelta(milliseconds=500)
    backoff_max: timedelta = timedelta(seconds=30)
    stable_uptime: timedelta = timedelta(seconds=30)
    recycle_min_uptime: timedelta = timedelta(seconds=1)

    def __post_init__(self) -> None:
        if self.backoff_base <= timedelta(0):
            raise InvalidInput("the restart backoff base must be positive", field="backoff_base")
        if self.backoff_max < self.backoff_base:
            raise InvalidInput(
                "the restart backoff maximum must be at least the base", field="backoff_max"
            )
        for name in ("stable_uptime", "recycle_min_uptime"):
            if getattr(self, name) < timedelta(0):
                raise InvalidInput(f"{name} cannot be negative", field=name)

    def after_exit(
        self, *, returncode: int | None, uptime: timedelta, streak: int
    ) -> RestartDecision:
        """Decide for a child that exited with ``returncode`` after ``uptime``,
        with ``streak`` consecutive crashes before this exit."""
        if returncode == EXIT_RECYCLE and uptime >= self.recycle_min_uptime:
            return RestartDecision(delay=timedelta(0), streak=0, crashed=False)
        if uptime >= self.stable_uptime:
            streak = 0
        streak += 1
        return RestartDecision(delay=self.backoff(streak), streak=streak, crashed=True)

    def backoff(self, streak: int) -> timedelta:
        """The wait before restart number ``streak`` of a crash streak."""
        if streak <= 1:
            return timedelta(0)
        delay = self.backoff_base
        for _ in range(streak - 2):
            if delay >= self.backoff_max:
                break
            delay *= 2
        return min(delay, self.backoff_max)
