"""The SQLite connection's settings and failure reporting."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ringback.core.errors import StoreError
from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.sqlite import SqliteStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _job() -> NewJob:
    return NewJob(kind=JobKind.TASK, payload={}, policy={}, run_at=T0)


async def test_the_file_is_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "jobs.db")
    await store.open()
    try:
        synchronous = await store._connection.run(
            lambda c: c.execute("PRAGMA synchronous").fetchone()[0]
        )
        foreign_keys = await store._connection.run(
            lambda c: c.execute("PRAGMA foreign_keys").fetchone()[0]
        )
        await store.enqueue([_job()], T0)
        assert (tmp_path / "jobs.db-wal").exists()
    finally:
        await store.close()
    assert synchronous == 2  # FULL
    assert foreign_keys == 1
    with sqlite3.connect(tmp_path / "jobs.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_missing_parent_directories_are_created(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "var" / "data" / "jobs.db")
    await store.open()
    await store.close()
    assert (tmp_path / "var" / "data" / "jobs.db").is_file()


async def test_using_a_store_that_is_not_open_is_a_store_error(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "jobs.db")
    with pytest.raises(StoreError, match="not open"):
        await store.get_job(1)
    await store.open()
    await store.close()
    with pytest.raises(StoreError, match="not open"):
        await store.enqueue([_job()], T0)


async def test_a_held_write_lock_turns_into_a_store_error_after_the_busy_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "jobs.db"
    store = SqliteStore(path, busy_timeout_s=0.05)
    await store.open()
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="locked"):
            await store.enqueue([_job()], T0)
        blocker.execute("ROLLBACK")
        [result] = await store.enqueue([_job()], T0)  # the store is still usable
        assert result.created
    finally:
        blocker.close()
        await store.close()


async def test_open_and_close_are_idempotent(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "jobs.db")
    await store.open()
    await store.open()
    await store.close()
    await store.close()
