"""What the master loop is told once, at start: its limits, clocks and hooks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ringback.core.clock import Clock
from ringback.core.supervisor.restart_policy import RestartPolicy
from ringback.core.supervisor.sd_notify import SystemdNotifier
from ringback.core.supervisor.spec import ChildSpec

ReloadSpecs = Callable[[], Sequence[ChildSpec]]


@dataclass(frozen=True, slots=True)
class LoopSettings:
    policy: RestartPolicy
    grace_s: float
    ready_timeout_s: float
    state_file: Path | None
    reload: ReloadSpecs | None
    mono: Callable[[], float]
    clock: Clock
    notifier: SystemdNotifier
