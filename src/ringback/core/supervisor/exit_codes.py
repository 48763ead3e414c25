"""Exit codes with names, shared by the master, its children and the CLI.

Values follow sysexits(3) where one fits, so that systemd's
``RestartPreventExitStatus=`` and shell scripts can tell them apart.
"""

from __future__ import annotations

import signal

EXIT_OK = 0
EXIT_FAILURE = 1  # an unexpected error
EXIT_USAGE = 2  # bad command line or input (InvalidInput)
EXIT_ALREADY_RUNNING = 73  # EX_CANTCREAT: the pid file is held by a live master
EXIT_RECYCLE = 75  # EX_TEMPFAIL: a child asks to be replaced; not a crash, no backoff
EXIT_CONFIG = 78  # EX_CONFIG: the configuration cannot be used

_NAMES = {
    EXIT_OK: "ok",
    EXIT_FAILURE: "failure",
    EXIT_USAGE: "usage",
    EXIT_ALREADY_RUNNING: "already running",
    EXIT_RECYCLE: "recycle",
    EXIT_CONFIG: "config error",
}


def describe_exit(returncode: int | None) -> str:
    """A short phrase for logs: ``exit code 1 (failure)``, ``killed by SIGKILL``.

    ``returncode`` follows ``subprocess``: negative means killed by that signal,
    None means the process could not be started at all.
    """
    if returncode is None:
        return "could not start"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}"
    label = _NAMES.get(returncode)
    return f"exit code {returncode} ({label})" if label else f"exit code {returncode}"
