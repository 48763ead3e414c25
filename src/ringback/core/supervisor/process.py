"""One running child: the process, its readiness pipe and its stop deadline."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from datetime import datetime

from ringback.core.supervisor.child import (
    CHILD_NAME_ENV,
    MASTER_PID_ENV,
    PROCESS_TITLE_ENV,
    READY_FD_ENV,
    STATE_DIR_ENV,
    SUPERVISOR_ENV_NAMES,
)
from ringback.core.supervisor.sd_notify import NOTIFY_SOCKET_ENV
from ringback.core.supervisor.spec import ChildSpec


@dataclass(eq=False)
class ChildProcess:
    name: str
    popen: subprocess.Popen[bytes]
    started_mono: float
    started_at: datetime
    ready_fd: int | None  # read end of the readiness pipe until the byte (or EOF) came
    ready: bool = False
    term_sent: bool = False
    kill_at: float | None = None  # monotonic deadline for SIGKILL once asked to stop

    @property
    def pid(self) -> int:
        return self.popen.pid

    def send(self, signum: signal.Signals) -> None:
        # Popen.send_signal checks for a reaped child first, so a recycled pid is
        # never signalled.
        with contextlib.suppress(ProcessLookupError):
            self.popen.send_signal(signum)

    def terminate(self, kill_at: float) -> None:
        """SIGTERM once; later calls may only bring the SIGKILL deadline forward."""
        if not self.term_sent:
            self.term_sent = True
            self.send(signal.SIGTERM)
        self.kill_at = kill_at if self.kill_at is None else min(self.kill_at, kill_at)

    def close_ready_fd(self) -> None:
        if self.ready_fd is not None:
            os.close(self.ready_fd)
            self.ready_fd = None


def spawn(
    spec: ChildSpec,
    *,
    master_pid: int,
    state_dir: str | None,
    started_mono: float,
    started_at: datetime,
) -> ChildProcess:
    """Start ``spec`` in the master's process group with a fresh readiness pipe.

    Raises OSError when the program cannot be started.
    """
    read_fd, write_fd = os.pipe()
    env = child_environment(spec, master_pid=master_pid, state_dir=state_dir)
    env[READY_FD_ENV] = str(write_fd)
    try:
        popen = subprocess.Popen(
            spec.argv,
            env=env,
            stdin=subprocess.DEVNULL,
            pass_fds=(write_fd,),  # kept at the same number in the child
            close_fds=True,
            start_new_session=False,
        )
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)  # only the child holds the write end, so its exit means EOF
    os.set_blocking(read_fd, False)
    return ChildProcess(
        name=spec.name,
        popen=popen,
        started_mono=started_mono,
        started_at=started_at,
        ready_fd=read_fd,
    )


def child_environment(spec: ChildSpec, *, master_pid: int, state_dir: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SUPERVISOR_ENV_NAMES and key != NOTIFY_SOCKET_ENV
    }
    env.update(spec.env or {})
    env[CHILD_NAME_ENV] = spec.name
    env[MASTER_PID_ENV] = str(master_pid)
    if spec.title:
        env[PROCESS_TITLE_ENV] = spec.title
    if state_dir is not None:
        env[STATE_DIR_ENV] = state_dir
    return env


def read_ready(fd: int) -> bool | None:
    """True when the ready byte arrived, False on EOF (the child closed or exited),
    None when nothing is there yet."""
    try:
        data = os.read(fd, 64)
    except BlockingIOError:
        return None
    return bool(data)
