"""``ringback stop``: ask the running master to stop and wait until it has."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from datetime import timedelta
from pathlib import Path

from ringback.core.supervisor.liveness import pid_alive
from ringback.core.supervisor.pidfile import running_master_pid

_FALLBACK_PAUSE_S = 0.05  # only where pidfd_open is missing (Linux < 5.3)


def stop_master(pid_file: Path, timeout: timedelta) -> bool:
    """SIGTERM the master holding ``pid_file``; wait up to ``timeout`` for it to exit.

    Returns True when no master runs any more (including when none ran), False
    when the master is still alive after ``timeout``. Only a master that holds
    the pid file's lock is signalled, so a stale file never hits a stranger.
    """
    pid = running_master_pid(pid_file)
    if pid is None:
        return True
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    return wait_for_exit(pid, timeout)


def wait_for_exit(pid: int, timeout: timedelta) -> bool:
    """True once ``pid`` has exited, False if still alive after ``timeout``."""
    deadline = time.monotonic() + timeout.total_seconds()
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    except (AttributeError, OSError):
        return _wait_by_probing(pid, deadline)
    try:
        # A pidfd turns readable when the process exits: no polling needed.
        readable, _, _ = select.select([pidfd], [], [], max(0.0, deadline - time.monotonic()))
        return bool(readable)
    finally:
        with contextlib.suppress(OSError):
            os.close(pidfd)


def _wait_by_probing(pid: int, deadline: float) -> bool:
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_FALLBACK_PAUSE_S)
    return True
