"""Keep-alive connections to receivers, shared by all attempts, bounded in number.

Idle connections are parked per (scheme, host, port) and the most recently used one is
taken first (LIFO): it is the least likely to have been closed by the receiver, and the
older ones age out. A parked connection is only reused for an attempt whose pin lists
the address it is connected to: when DNS moves a host, or the guard's verdict changes,
old connections to the previous addresses are closed, not used.

At most ``limit`` connections are open or opening at once. An attempt that finds none
free waits in line (first come, first served); a connection given back while someone
waits goes straight to them, so waiting attempts are not overtaken by new ones.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Mapping

from yarl import URL

from ringback.core.executors.http.addresses import normalise_host, parse_ip
from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.wire.answer import Answer
from ringback.core.executors.http.wire.connect import default_tls_context, open_connection
from ringback.core.executors.http.wire.connection import WireConnection
from ringback.core.executors.http.wire.errors import (
    Disconnected,
    UnpinnedConnection,
    WireError,
)
from ringback.core.executors.http.wire.request import encode_request

# Receivers commonly close idle connections after 5-75 s; 15 s keeps bursts to one
# merchant on warm connections without holding sockets to everyone who was called once.
IDLE_TIMEOUT_S = 15.0

PoolKey = tuple[str, str, int]  # scheme, vetted host name, port
_Handed = WireConnection | None  # what a waiter gets: a connection, or a free slot


class PoolClosed(WireError):
    """The pool was closed while the attempt waited for a connection."""


class ConnectionPool:
    def __init__(
        self,
        *,
        limit: int,
        tls_context: ssl.SSLContext | None = None,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
    ) -> None:
        if limit < 1:
            raise ValueError("a pool needs room for at least one connection")
        self._limit = limit
        self._tls_context = tls_context
        self._idle_timeout_s = idle_timeout_s
        self._idle: dict[PoolKey, list[WireConnection]] = {}
        self._keys: dict[WireConnection, PoolKey] = {}  # open connections (each holds a slot)
        # Slots held: open connections plus those being opened (and waiters' hand-overs).
        self._slots_taken = 0
        self._waiters: deque[asyncio.Future[_Handed]] = deque()
        self._sweeper: asyncio.TimerHandle | None = None
        self.closed = False

    @property
    def open_connections(self) -> int:
        """Connections open or being opened (each holds one of ``limit`` slots)."""
        return self._slots_taken

    @property
    def idle_connections(self) -> int:
        return sum(len(stack) for stack in self._idle.values())

    async def request(
        self,
        pin: Pin,
        method: str,
        url: URL,
        headers: Mapping[str, str],
        body: bytes,
        *,
        connect_timeout_s: float,
        max_body_bytes: int,
    ) -> Answer:
        """Send one request to a pinned address of ``url``'s host; its answer.

        The body is read up to ``max_body_bytes`` (``Answer.truncated`` says there was
        more). Raises a WireError when no answer came; cancelling it (a timeout around
        the call) closes the connection it was using.
        """
        key = self._key(pin, url)
        message = encode_request(method, url, headers, body)
        answers_head = method == "HEAD"
        connection, reused = await self._check_out(key, pin, connect_timeout_s)
        try:
            try:
                answer = await connection.exchange(
                    message, answers_head=answers_head, max_body_bytes=max_body_bytes
                )
            except Disconnected:
                if not (reused and connection.received_nothing):
                    raise
                # The receiver closed the parked connection as we picked it (idle
                # timeouts race like this), so it most likely never read the request.
                # One more try on a new connection, and only one: a fresh connection
                # failing the same way is the receiver's doing, and is reported.
                connection = await self._replace(connection, key, pin, connect_timeout_s)
                answer = await connection.exchange(
                    message, answers_head=answers_head, max_body_bytes=max_body_bytes
                )
        except BaseException:
            self._drop(connection)  # errors and cancellations leave it in an unknown state
            raise
        self._check_in(connection)
        return answer

    async def close(self) -> None:
        """Close the idle connections; those in use close when their answer is read."""
        self.closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(PoolClosed("the connection pool was closed"))
        parked = [connection for stack in self._idle.values() for connection in stack]
        self._idle.clear()
        for connection in parked:
            self._drop(connection)
        if parked:
            await asyncio.sleep(0)  # let the transports release their sockets

    # -- checking connections out and in --------------------------------------------------

    def _key(self, pin: Pin, url: URL) -> PoolKey:
        host = normalise_host(url.raw_host or "")
        if host != pin.host:
            address = parse_ip(host)  # an IPv6 literal may be spelt differently
            if address is None or str(address) != pin.host:
                raise UnpinnedConnection(f"refusing to connect to {host}: it was not vetted")
        port = url.port
        if port != pin.port:
            raise UnpinnedConnection(f"refusing to connect to port {port}: it was not vetted")
        return (url.scheme, pin.host, port)

    async def _check_out(
        self, key: PoolKey, pin: Pin, connect_timeout_s: float
    ) -> tuple[WireConnection, bool]:
        """A connection for ``key`` and whether it was reused."""
        if self.closed:
            raise PoolClosed("the connection pool was closed")
        stack = self._idle.get(key)
        while stack:
            connection = stack.pop()
            if self._fits(connection, key, pin):
                return connection, True
            self._drop(connection)
        handed = await self._claim_slot()
        if handed is not None:
            if self._fits(handed, key, pin):
                return handed, True
            self._close_keeping_slot(handed)
        return await self._open_in_slot(key, pin, connect_timeout_s), False

    def _fits(self, connection: WireConnection, key: PoolKey, pin: Pin) -> bool:
        """Whether a parked or handed-over connection may carry this attempt."""
        transport = connection.transport
        now_s = asyncio.get_running_loop().time()
        return (
            self._keys.get(connection) == key
            and connection.address in pin.addresses
            and now_s - connection.idle_since_s < self._idle_timeout_s
            and transport is not None
            and not transport.is_closing()
        )

    def _check_in(self, connection: WireConnection) -> None:
        if not connection.reusable or connection.lost or self.closed:
            self._drop(connection)
            return
        connection.idle_since_s = asyncio.get_running_loop().time()
        if self._hand_over(connection):
            return
        key = self._keys.get(connection)
        if key is None:  # its slot was given away: it is being closed
            connection.close()
            return
        self._idle.setdefault(key, []).append(connection)
        if self._sweeper is None:
            self._arm_sweeper()

    async def _replace(
        self, connection: WireConnection, key: PoolKey, pin: Pin, connect_timeout_s: float
    ) -> WireConnection:
        if connection in self._keys:
            self._close_keeping_slot(connection)
        else:
            # Already lost, and its slot freed with it (maybe to a waiter): take another.
            connection.close()
            handed = await self._claim_slot()
            if handed is not None:
                self._close_keeping_slot(handed)  # the retry wants a fresh connection
        return await self._open_in_slot(key, pin, connect_timeout_s)

    # -- slots ----------------------------------------------------------------------------

    async def _open_in_slot(
        self, key: PoolKey, pin: Pin, connect_timeout_s: float
    ) -> WireConnection:
        """Open a connection in a slot the caller holds; the slot is freed if that fails."""
        scheme, _host, port = key
        tls = None
        if scheme == "https":
            tls = self._tls_context or default_tls_context()
        try:
            connection = await open_connection(
                pin, port, tls=tls, connect_timeout_s=connect_timeout_s
            )
        except BaseException:
            self._free_slot()
            raise
        self._keys[connection] = key
        connection.on_lost = self._lost
        if connection.lost:  # closed before on_lost was set: settle it now
            self._lost(connection)
        return connection

    async def _claim_slot(self) -> _Handed:
        """A slot for one more connection (None), or a live connection handed over
        with its slot."""
        while True:
            handed = await self._slot()
            if handed is None or handed in self._keys:
                return handed
            # It closed after it was handed over and its slot went with it: wait again.

    async def _slot(self) -> _Handed:
        """Wait for room for one more connection: None when a slot was taken for the
        caller, or a connection someone gave back (it brings its own slot)."""
        if not self._waiters and (self._slots_taken < self._limit or self._evict_one_idle()):
            self._slots_taken += 1
            return None
        waiter: asyncio.Future[_Handed] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.cancelled():
                self._waiters.remove(waiter)
            else:
                # Handed something just as we were cancelled: pass it on, or it leaks.
                self._pass_on(waiter.result())
            raise

    def _pass_on(self, handed: _Handed) -> None:
        if handed is None:
            self._free_slot()
        else:
            self._check_in(handed)

    def _hand_over(self, handed: _Handed) -> bool:
        """Give a free slot or a connection to the first live waiter, if there is one."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(handed)
                return True
        return False

    def _free_slot(self) -> None:
        if not self._hand_over(None):
            self._slots_taken -= 1

    def _evict_one_idle(self) -> bool:
        """Close the longest-idle parked connection to free its slot (at the limit, a
        new target is worth more than a spare connection to an old one)."""
        oldest: WireConnection | None = None
        for stack in self._idle.values():
            if stack and (oldest is None or stack[0].idle_since_s < oldest.idle_since_s):
                oldest = stack[0]
        if oldest is None:
            return False
        self._unpark(oldest)
        self._close_keeping_slot(oldest)
        self._slots_taken -= 1
        return True

    # -- closing ----------------------------------------------------------------------------

    def _drop(self, connection: WireConnection) -> None:
        """Close ``connection`` and free its slot (once, however often it is dropped)."""
        connection.close()
        if self._keys.pop(connection, None) is not None:
            self._free_slot()

    def _close_keeping_slot(self, connection: WireConnection) -> None:
        """Close ``connection``; its slot passes to the caller's next connection."""
        self._keys.pop(connection, None)
        connection.close()

    def _lost(self, connection: WireConnection) -> None:
        """The transport closed (either side): forget the connection at once."""
        self._unpark(connection)
        if self._keys.pop(connection, None) is not None:
            self._free_slot()

    def _unpark(self, connection: WireConnection) -> None:
        key = self._keys.get(connection)
        stack = self._idle.get(key) if key is not None else None
        if stack and connection in stack:
            stack.remove(connection)

    def _arm_sweeper(self) -> None:
        # Half the idle timeout: a parked connection is closed at most 1.5 times the
        # timeout after its last use (check-out also refuses expired ones).
        loop = asyncio.get_running_loop()
        self._sweeper = loop.call_later(self._idle_timeout_s / 2, self._sweep)

    def _sweep(self) -> None:
        self._sweeper = None
        oldest_kept_s = asyncio.get_running_loop().time() - self._idle_timeout_s
        for key in list(self._idle):
            stack = self._idle[key]
            # Oldest first: parked in order of use.
            expired = 0
            while expired < len(stack) and stack[expired].idle_since_s <= oldest_kept_s:
                expired += 1
            for connection in stack[:expired]:
                self._drop(connection)
            del stack[:expired]
            if not stack:
                del self._idle[key]
        if self._idle and not self.closed:
            self._arm_sweeper()
