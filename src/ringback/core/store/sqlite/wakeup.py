"""Cross-process wake-ups for the SQLite store, without polling.

SQLite has no LISTEN/NOTIFY, and a dispatcher that re-reads the database on a timer
either wastes work or starts jobs late. Instead, the processes sharing one database
file meet in a directory next to it::

    jobs.db
    jobs.db.wake/
        4711-9f3a2c1e.sock      <- a waiting store in process 4711
        4802-00b1d7aa.sock      <- another one in process 4802

* A store that waits (``wait_for_jobs``) binds a unix datagram socket there, named
  by its pid and a random suffix, on its first wait, and keeps it until ``close``.
  Datagrams that arrive while it is busy queue up in the socket, so a change made
  between two waits is not lost: the next wait returns at once.
* After committing a change that can make work due sooner (enqueue, retry,
  reschedule, release), a store sends a one-byte datagram to every socket in the
  directory except its own. Sending never blocks: a full socket already has wake-ups
  queued. A socket file that refuses (its process died without cleaning up) or
  vanished is deleted and skipped.
* Waiters in the same store are woken directly, without a round trip.
* The first wait only binds and returns True at once: changes made before the socket
  existed could not be heard, so the caller must look at the database once more.

A waiter drains all queued datagrams when it wakes: many enqueues make one wake-up.
Socket paths are limited to about 100 bytes; a longer directory path is reached
through ``/proc/self/fd`` (Linux). Where neither works the store logs a warning and
waiting falls back to the caller's timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from pathlib import Path

_log = logging.getLogger(__name__)

_SUFFIX = ".sock"
_MAX_SOCKET_PATH_BYTES = 100  # sun_path holds 108 on Linux, 104 on macOS
_DRAIN_BYTES = 64


class WakeChannel:
    """Wake-ups between the stores that share one database file."""

    def __init__(self, database: Path) -> None:
        self.directory = Path(f"{database}.wake")
        self._socket: socket.socket | None = None
        self._name: str | None = None
        self._directory_fd: int | None = None
        self._unavailable = False
        self._local_pending = False
        self._waiters: set[asyncio.Future[None]] = set()
        self._reader_loop: asyncio.AbstractEventLoop | None = None

    # -- sending (any thread) ------------------------------------------------------
    def notify_others(self) -> int:
        """Send one datagram to every other waiting store; return how many were reached."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return 0
        reached = 0
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.setblocking(False)
            for name in names:
                if not name.endswith(_SUFFIX) or name == self._name:
                    continue
                reached += self._send(sender, name)
        return reached

    def _send(self, sender: socket.socket, name: str) -> int:
        try:
            sender.sendto(b"\x01", self._address(name))
        except (ConnectionRefusedError, FileNotFoundError):
            # Nobody is bound there any more: the owner died without cleaning up.
            with contextlib.suppress(OSError):
                (self.directory / name).unlink()
            return 0
        except BlockingIOError:
            return 1  # its queue is full, so it has wake-ups pending already
        except OSError as error:
            _log.debug("wake-up to %s not sent: %s", name, error)
            return 0
        return 1

    # -- waking this store (event loop thread) -------------------------------------
    def notify_local(self) -> None:
        self._local_pending = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    # -- waiting ---------------------------------------------------------------------
    async def wait(self, timeout_s: float) -> bool:
        if self._socket is None and not self._unavailable:
            self._bind()
            return True
        if self._consume():
            return True
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.add(waiter)
        if self._socket is not None and self._reader_loop is None:
            loop.add_reader(self._socket.fileno(), self._on_readable)
            self._reader_loop = loop
        try:
            await asyncio.wait({waiter}, timeout=max(timeout_s, 0.0))
        finally:
            self._waiters.discard(waiter)
            woken = waiter.done() and not waiter.cancelled()
            waiter.cancel()
            if not self._waiters:
                self._stop_reading()
        # Every waiter that was woken says so, even if another one drained the queue.
        return self._consume() or woken

    def _stop_reading(self) -> None:
        reader_loop, self._reader_loop = self._reader_loop, None
        if reader_loop is not None and self._socket is not None:
            reader_loop.remove_reader(self._socket.fileno())

    def _on_readable(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _consume(self) -> bool:
        """Take every pending wake-up (local flag and queued datagrams); True if any."""
        woken, self._local_pending = self._local_pending, False
        if self._socket is None:
            return woken
        while True:
            try:
                self._socket.recv(_DRAIN_BYTES)
            except (BlockingIOError, InterruptedError):
                return woken
            woken = True

    # -- life cycle --------------------------------------------------------------------
    def _bind(self) -> None:
        name = f"{os.getpid()}-{secrets.token_hex(4)}{_SUFFIX}"
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            receiver.setblocking(False)
            receiver.bind(self._address(name))
        except OSError as error:
            receiver.close()
            self._unavailable = True
            _log.warning(
                "cross-process wake-ups unavailable for %s (%s); waiting relies on timeouts",
                self.directory,
                error,
            )
            return
        self._socket, self._name = receiver, name

    def _address(self, name: str) -> str:
        path = str(self.directory / name)
        if len(os.fsencode(path)) <= _MAX_SOCKET_PATH_BYTES:
            return path
        # Too long for sun_path: name the directory through a short descriptor path.
        if self._directory_fd is None:
            self._directory_fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY)
        return f"/proc/self/fd/{self._directory_fd}/{name}"

    def close(self) -> None:
        for waiter in self._waiters:
            waiter.cancel()
        self._waiters.clear()
        self._stop_reading()
        receiver, self._socket = self._socket, None
        if receiver is not None:
            receiver.close()
        if self._name is not None:
            with contextlib.suppress(OSError):
                (self.directory / self._name).unlink()
            self._name = None
        if self._directory_fd is not None:
            os.close(self._directory_fd)
            self._directory_fd = None
