"""Signals as bytes on a pipe, so the master's selector wakes on them.

The master never polls. The C-level signal handler writes each signal's number
to a non-blocking pipe (``signal.set_wakeup_fd``); the master's selector watches
the read end next to the children's readiness pipes and wakes the moment a child
exits (SIGCHLD) or an operator signals. The Python-level handlers do nothing:
they exist only because the wakeup byte is written for handled signals alone.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType

HANDLED_SIGNALS = (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

_Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


def _note(signum: int, frame: FrameType | None) -> None:
    """Deliberately empty: the wakeup pipe carries the signal."""


class SignalInbox:
    """A context manager: installs the handlers and the wakeup pipe, restores both."""

    def __init__(self) -> None:
        self._read_fd = -1
        self._write_fd = -1
        self._previous_fd = -1
        self._previous: dict[int, _Handler] = {}

    @property
    def fd(self) -> int:
        return self._read_fd

    def __enter__(self) -> SignalInbox:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("the supervisor must run in the main thread (it handles signals)")
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        os.set_blocking(self._write_fd, False)
        self._previous_fd = signal.set_wakeup_fd(self._write_fd, warn_on_full_buffer=False)
        for signum in HANDLED_SIGNALS:
            self._previous[signum] = signal.signal(signum, _note)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        signal.set_wakeup_fd(self._previous_fd)
        os.close(self._read_fd)
        os.close(self._write_fd)

    def drain(self) -> list[int]:
        """The signals received since the last call, in order of arrival."""
        received: list[int] = []
        while True:
            try:
                chunk = os.read(self._read_fd, 512)
            except BlockingIOError:
                return received
            if not chunk:
                return received
            received.extend(chunk)
