"""Is a process (still) there, and is it a ringback master?"""

from __future__ import annotations

import os
from pathlib import Path

MASTER_TITLE = "ringback: master"
_PROC = Path("/proc")


def pid_alive(pid: int) -> bool:
    """True while ``pid`` names a process that has not exited (zombies count as gone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return not _is_zombie(pid)


def looks_like_master(pid: int) -> bool:
    """True when ``pid`` is alive and, where /proc shows it, carries the master title.

    The title check guards against a recycled pid: after a crash the state file may
    name a pid that now belongs to an unrelated process.
    """
    if not pid_alive(pid):
        return False
    cmdline = _PROC / str(pid) / "cmdline"
    try:
        raw = cmdline.read_bytes()
    except FileNotFoundError:
        return not _PROC.is_dir()  # no /proc on this system: trust the pid
    except OSError:
        return True
    return raw.replace(b"\0", b" ").strip().startswith(MASTER_TITLE.encode())


def _is_zombie(pid: int) -> bool:
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return False
    # The state letter follows the parenthesised command name, which may hold spaces.
    _, _, rest = stat.rpartition(")")
    return rest.strip().startswith("Z")
