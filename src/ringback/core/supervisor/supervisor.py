"""The master process: a pid file, a process title, signals, and the loop.

``Supervisor.run()`` owns what lives as long as the master: the pid file lock,
the signal wakeup pipe and the selector. The children themselves are managed by
``MasterLoop`` (master_loop.py).

Children stay in the master's process group. A Ctrl-C at a terminal therefore
reaches master and children at once (children treat SIGINT like SIGTERM), and
``kill -- -<master pid>`` or systemd's final SIGKILL of the cgroup takes them all,
so no worker outlives its master by accident.
"""

from __future__ import annotations

import logging
import os
import selectors
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import setproctitle

from ringback.core.clock import Clock, SystemClock
from ringback.core.errors import InvalidInput
from ringback.core.supervisor.exit_codes import EXIT_ALREADY_RUNNING, EXIT_FAILURE, EXIT_OK
from ringback.core.supervisor.liveness import MASTER_TITLE
from ringback.core.supervisor.master_loop import MasterLoop
from ringback.core.supervisor.pidfile import PidFile, PidFileBusy
from ringback.core.supervisor.restart_policy import RestartPolicy
from ringback.core.supervisor.sd_notify import SystemdNotifier
from ringback.core.supervisor.settings import LoopSettings, ReloadSpecs
from ringback.core.supervisor.signals import SignalInbox
from ringback.core.supervisor.spec import ChildSpec, check_unique_names

log = logging.getLogger("ringback.supervisor")


class Supervisor:
    """Runs ``specs`` as children until told to stop.

    ``grace``: how long children get between SIGTERM and SIGKILL (on stop, and for
    a predecessor during a reload). ``restart_backoff_base``/``_max``: the crash
    backoff (see ``RestartPolicy``). ``ready_timeout``: how long a reload waits for
    a successor's readiness byte. ``reload``: called on SIGHUP for the new specs
    (None: replace the children with the same specs). ``pid_file`` and
    ``state_file`` are optional; the state file's folder is the children's
    ``RINGBACK_STATE_DIR``.
    """

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        clock_monotonic: Callable[[], float] = time.monotonic,
        grace: timedelta,
        restart_backoff_max: timedelta,
        pid_file: Path | None,
        state_file: Path | None,
        restart_backoff_base: timedelta = timedelta(milliseconds=500),
        stable_uptime: timedelta = timedelta(seconds=30),
        recycle_min_uptime: timedelta = timedelta(seconds=1),
        ready_timeout: timedelta = timedelta(seconds=30),
        reload: ReloadSpecs | None = None,
        clock: Clock | None = None,
        title: str = MASTER_TITLE,
        notifier: SystemdNotifier | None = None,
    ) -> None:
        check_unique_names(specs)
        if grace < timedelta(0):
            raise InvalidInput("grace cannot be negative", field="grace")
        if ready_timeout <= timedelta(0):
            raise InvalidInput("ready_timeout must be positive", field="ready_timeout")
        self._specs = list(specs)
        self._settings = LoopSettings(
            policy=RestartPolicy(
                backoff_base=min(restart_backoff_base, restart_backoff_max),
                backoff_max=restart_backoff_max,
                stable_uptime=stable_uptime,
                recycle_min_uptime=recycle_min_uptime,
            ),
            grace_s=grace.total_seconds(),
            ready_timeout_s=ready_timeout.total_seconds(),
            state_file=state_file,
            reload=reload,
            mono=clock_monotonic,
            clock=clock or SystemClock(),
            notifier=notifier or SystemdNotifier(),
        )
        self._pid_file = pid_file
        self._title = title

    def run(self) -> int:
        """Supervise until SIGTERM/SIGINT; return the exit code. Main thread only.

        ``EXIT_OK`` after a stop; ``EXIT_ALREADY_RUNNING`` when another master holds
        the pid file; ``EXIT_FAILURE`` if the loop itself failed (children killed).
        """
        setproctitle.setproctitle(self._title)
        master_pid = os.getpid()
        pid_file = PidFile(self._pid_file) if self._pid_file is not None else None
        if pid_file is not None:
            try:
                pid_file.acquire(master_pid)
            except PidFileBusy as busy:
                log.error("%s; not starting a second master", busy)
                return EXIT_ALREADY_RUNNING
            if pid_file.stale_pid is not None:
                log.info("replaced a stale pid file that named pid %d", pid_file.stale_pid)
        try:
            code = self._supervise(master_pid)
        finally:
            if pid_file is not None:
                pid_file.release()
        log.info("master stopped")
        return code

    def _supervise(self, master_pid: int) -> int:
        with SignalInbox() as inbox, selectors.DefaultSelector() as selector:
            selector.register(inbox.fd, selectors.EVENT_READ, None)
            loop = MasterLoop(
                self._specs,
                self._settings,
                selector=selector,
                master_pid=master_pid,
                started_at=self._settings.clock.now(),
            )
            try:
                loop.run(inbox)
            except Exception:
                log.exception("the master failed; killing its children")
                loop.kill_and_wait()
                return EXIT_FAILURE
            finally:
                loop.write_state(final=True)
        return EXIT_OK
