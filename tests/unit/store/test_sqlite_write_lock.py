"""Taking the write lock: promptly once it is free, and not past the busy timeout."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from ringback.core.store.sqlite.write_lock import StoreConnection, begin_immediate


def _connect(path: Path, timeout_s: float) -> StoreConnection:
    # check_same_thread off: one test commits from a second thread, never concurrently.
    connection = sqlite3.connect(
        path,
        timeout=timeout_s,
        isolation_level=None,
        factory=StoreConnection,
        check_same_thread=False,
    )
    connection.busy_timeout_s = timeout_s
    connection.execute("PRAGMA journal_mode = WAL")
    return connection


def _busy_timeout_ms(connection: sqlite3.Connection) -> int:
    value: int = connection.execute("PRAGMA busy_timeout").fetchone()[0]
    return value


def test_a_waiting_writer_gets_the_lock_once_the_holder_commits(tmp_path: Path) -> None:
    holder = _connect(tmp_path / "db", 5.0)
    waiter = _connect(tmp_path / "db", 5.0)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    released_at: list[float] = []

    def commit_later() -> None:
        time.sleep(0.03)
        released_at.append(time.monotonic())
        holder.execute("COMMIT")

    thread = threading.Thread(target=commit_later)
    thread.start()
    begin_immediate(waiter)
    acquired_at = time.monotonic()
    thread.join()
    waiter.execute("INSERT INTO t VALUES (1)")
    waiter.execute("COMMIT")
    assert acquired_at >= released_at[0]  # it waited rather than failing
    assert _busy_timeout_ms(waiter) == 5000  # restored for the statements that follow


def test_a_lock_held_past_the_timeout_is_a_busy_error_and_the_timeout_is_restored(
    tmp_path: Path,
) -> None:
    holder = _connect(tmp_path / "db", 5.0)
    waiter = _connect(tmp_path / "db", 0.05)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError) as raised:
        begin_immediate(waiter)
    assert raised.value.sqlite_errorcode == sqlite3.SQLITE_BUSY
    assert time.monotonic() - started >= 0.05
    assert not waiter.in_transaction
    assert _busy_timeout_ms(waiter) == 50
    holder.execute("ROLLBACK")


def test_a_plain_connection_keeps_sqlites_own_waiting(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "db", isolation_level=None)
    begin_immediate(connection)
    assert connection.in_transaction
    connection.execute("ROLLBACK")
