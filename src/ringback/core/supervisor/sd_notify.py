"""systemd's notification protocol (sd_notify), for ``Type=notify`` units.

A datagram of ``KEY=value`` lines to the socket named by ``NOTIFY_SOCKET``. Outside
systemd the variable is unset and every call does nothing.
"""

from __future__ import annotations

import os
import socket
import time

NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET"


class SystemdNotifier:
    def __init__(self, address: str | None = None) -> None:
        raw = address if address is not None else os.environ.get(NOTIFY_SOCKET_ENV)
        # A leading '@' names a socket in the abstract namespace.
        self._address = ("\0" + raw[1:]) if raw and raw.startswith("@") else raw

    @property
    def enabled(self) -> bool:
        return bool(self._address)

    def ready(self, status: str) -> None:
        self._send(f"READY=1\nSTATUS={status}")

    def reloading(self) -> None:
        # systemd 253+ wants the monotonic time with RELOADING=1 to order the messages.
        self._send(f"RELOADING=1\nMONOTONIC_USEC={time.monotonic_ns() // 1000}")

    def stopping(self) -> None:
        self._send("STOPPING=1")

    def status(self, status: str) -> None:
        self._send(f"STATUS={status}")

    def _send(self, message: str) -> None:
        if not self._address:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            try:
                sock.sendto(message.encode(), self._address)
            except OSError:
                # systemd went away or the socket is wrong; supervision goes on regardless.
                return
