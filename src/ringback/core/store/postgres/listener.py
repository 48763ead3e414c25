"""Wake-ups through LISTEN/NOTIFY on a dedicated connection.

A pooled connection cannot listen: LISTEN belongs to a session, and a pooled session
is lent to whoever asks next. So the store keeps one extra connection that does
nothing but LISTEN. Notifications that arrive while nobody waits are buffered by
psycopg and reported by the next wait, so a job enqueued between two waits is not
missed. If the connection drops, the next wait reconnects and reports a wake-up,
because notifications sent while it was down are lost and the caller should look.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from typing import Any

import psycopg

from ringback.core.store.postgres.named_queries import queries_for

Configure = Callable[[psycopg.AsyncConnection[Any]], Coroutine[Any, Any, None]]


class WakeListener:
    def __init__(self, conninfo: str, schema: str, configure: Configure) -> None:
        self._conninfo = conninfo
        self._schema = schema
        self._configure = configure
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()  # one waiter reads the connection at a time

    async def start(self) -> None:
        """Connect and LISTEN; raises ``psycopg.OperationalError`` when unreachable."""
        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        try:
            await self._configure(conn)
            await conn.execute(queries_for(self._schema)["listen"])
        except BaseException:
            await conn.close()
            raise
        self._conn = conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    @property
    def backend_pid(self) -> int | None:
        """The server process listening, for operators and tests (None when down)."""
        conn = self._conn
        return None if conn is None or conn.closed else conn.info.backend_pid

    async def wait(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout_s)
        try:
            async with asyncio.timeout(max(0.0, timeout_s)):
                await self._lock.acquire()
        except TimeoutError:
            return False
        try:
            conn = self._conn
            if conn is None or conn.closed:
                return await self._reconnect(deadline)
            try:
                return await self._receive(conn, _remaining(deadline))
            except psycopg.OperationalError:
                await self.close()
                return await self._reconnect(deadline)
        finally:
            self._lock.release()

    async def _receive(self, conn: psycopg.AsyncConnection[Any], timeout_s: float) -> bool:
        woke = False
        async with contextlib.aclosing(conn.notifies(timeout=timeout_s, stop_after=1)) as stream:
            async for _ in stream:
                woke = True
        if woke:
            # Take every notification already here (one per committed transaction),
            # so that a burst of enqueues does not wake the caller once per transaction.
            async with contextlib.aclosing(conn.notifies(timeout=0.0)) as backlog:
                async for _ in backlog:
                    pass
        return woke

    async def _reconnect(self, deadline: float) -> bool:
        try:
            await self.start()
        except psycopg.OperationalError:
            # The database is down: do not spin; the caller's next claim will fail
            # loudly enough, and the next wait tries again.
            await asyncio.sleep(_remaining(deadline))
            return False
        return True


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())
