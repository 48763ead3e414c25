"""One SQLite connection driven by one background thread.

sqlite3 calls block, so every call runs on a dedicated single-thread executor that owns
the connection; coroutines await the results and the event loop never blocks. Because
all calls go through that one thread they are serialised, which is exactly what one
SQLite connection needs. Several processes can open the same file: WAL lets readers and
one writer proceed together, and write transactions start with ``BEGIN IMMEDIATE`` so
they take the write lock up front (waiting up to the busy timeout, see ``write_lock``)
instead of failing half-way when upgrading a read.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from ringback.core.errors import RingbackError, StoreError
from ringback.core.store.sqlite.queries import SQL, split_statements
from ringback.core.store.sqlite.write_lock import (
    StoreConnection,
    begin_immediate,
    execute_when_free,
)

T = TypeVar("T")


class SerialConnection:
    """A connection plus the one thread allowed to use it."""

    def __init__(self, path: Path, *, busy_timeout_s: float) -> None:
        self._path = path
        self._busy_timeout_s = busy_timeout_s
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    async def open(self) -> None:
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ringback-sqlite")
        try:
            self._connection = await self._submit(self._connect)
        except BaseException:
            self._executor.shutdown(wait=True)
            self._executor = None
            raise

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        connection, self._connection = self._connection, None
        if connection is not None:
            await asyncio.get_running_loop().run_in_executor(executor, connection.close)
        executor.shutdown(wait=True)

    async def run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``operation(connection)`` on the store's thread; sqlite errors become StoreError."""
        connection = self._connection
        if connection is None:
            raise StoreError("the SQLite store is not open")
        return await self._submit(lambda: operation(connection))

    async def _submit(self, call: Callable[[], T]) -> T:
        if self._executor is None:
            raise StoreError("the SQLite store is not open")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except RingbackError:
            raise
        except sqlite3.Error as error:
            raise StoreError(f"SQLite ({self._path}): {error}") from error

    def _connect(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; each write says BEGIN IMMEDIATE.
        # check_same_thread stays on: only this executor's thread ever touches it.
        connection = sqlite3.connect(
            self._path,
            timeout=self._busy_timeout_s,
            isolation_level=None,
            factory=StoreConnection,
        )
        connection.busy_timeout_s = self._busy_timeout_s
        try:
            connection.row_factory = sqlite3.Row
            for statement in split_statements(SQL["configure_connection"]):
                execute_when_free(connection, statement, timeout_s=self._busy_timeout_s)
        except BaseException:
            connection.close()
            raise
        return connection


@contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    With ``synchronous=FULL`` the commit is on disk when this block exits.
    """
    begin_immediate(connection)
    try:
        yield connection
        connection.execute(SQL["commit"])
    except BaseException:
        _roll_back(connection)
        raise


@contextmanager
def read_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A consistent snapshot for reads made of several statements."""
    connection.execute(SQL["begin_read"])
    try:
        yield connection
        connection.execute(SQL["commit"])
    except BaseException:
        _roll_back(connection)
        raise


def _roll_back(connection: sqlite3.Connection) -> None:
    # SQLite may already have rolled back by itself (e.g. disk full); a second
    # ROLLBACK would fail and hide the error that matters.
    if connection.in_transaction:
        connection.execute(SQL["rollback"])
