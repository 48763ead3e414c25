"""The master's pid file, guarded by an advisory lock.

The master holds an exclusive ``flock`` on the pid file for as long as it runs.
That makes "is a master running?" exact: a pid file nobody holds is stale,
whatever pid it names (the kernel drops the lock when the master dies, even by
SIGKILL), and a recycled pid can never be mistaken for a live master.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from pathlib import Path

_LOCK_RETRIES = 5  # a reader probing the lock holds it for microseconds
_LOCK_RETRY_PAUSE_S = 0.02


class PidFileBusy(Exception):
    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"pid file {path} is held by a running master (pid {pid})")
        self.path = path
        self.pid = pid


class PidFile:
    """Owned by the running master: ``acquire`` on start, ``release`` on exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.stale_pid: int | None = None  # what a stale file named, for the log

    def acquire(self, pid: int) -> None:
        """Take the lock and write ``pid``; raise ``PidFileBusy`` if a master runs."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _lock(fd, exclusive=True, retries=_LOCK_RETRIES):
                holder = _parse_pid(_read_all(fd))
                os.close(fd)
                raise PidFileBusy(self.path, holder)
            # Another master may have unlinked the file between our open and lock;
            # then we hold a lock on a dead inode and must start over.
            if _same_file(fd, self.path):
                break
            os.close(fd)
        self.stale_pid = _parse_pid(_read_all(fd))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{pid}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Remove the file, then drop the lock (in that order, so no one reads a
        file we are about to delete as live)."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            if _same_file(self._fd, self.path):
                self.path.unlink()
        os.close(self._fd)
        self._fd = None


def running_master_pid(path: Path) -> int | None:
    """The pid of the master holding ``path``, or None if no master holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        if _lock(fd, exclusive=False, retries=1):
            return None  # nobody holds it: stale (our probe lock goes with the close)
        return _parse_pid(_read_all(fd))
    finally:
        os.close(fd)


def _lock(fd: int, *, exclusive: bool, retries: int) -> bool:
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    for attempt in range(retries):
        try:
            fcntl.flock(fd, mode)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            if attempt + 1 < retries:
                time.sleep(_LOCK_RETRY_PAUSE_S)
            continue
        return True
    return False


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _read_all(fd: int) -> bytes:
    return os.pread(fd, 64, 0)


def _parse_pid(raw: bytes) -> int | None:
    text = raw.decode("ascii", errors="replace").strip()
    return int(text) if text.isdigit() else None
