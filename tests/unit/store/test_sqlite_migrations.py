"""SQLite schema migrations: ordered, recorded, idempotent, safe to race."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from ringback.core.store.sqlite import SqliteStore
from ringback.core.store.sqlite.migrate import apply_migrations, load_migrations


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}


def _migration_rows(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version, name FROM schema_migrations").fetchall()


def test_shipped_migrations_are_numbered_from_one() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "initial"


async def test_open_applies_every_migration_once(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    store = SqliteStore(path)
    await store.open()
    latest = len(load_migrations())
    assert await store.schema_version() == latest
    await store.close()
    assert {"jobs", "attempts", "schema_migrations"} <= _tables(path)

    for _ in range(2):  # reopening is a no-op
        again = SqliteStore(path)
        await again.open()
        assert await again.schema_version() == latest
        await again.close()
    assert _migration_rows(path) == [(m.version, m.name) for m in load_migrations()]


def test_applying_twice_applies_nothing_the_second_time(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "jobs.db", isolation_level=None) as connection:
        migrations = load_migrations()
        assert apply_migrations(connection, migrations, 0) == [m.version for m in migrations]
        assert apply_migrations(connection, migrations, 0) == []


async def test_stores_opening_a_new_file_together_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    stores = [SqliteStore(path) for _ in range(4)]
    await asyncio.gather(*(store.open() for store in stores))
    versions = {await store.schema_version() for store in stores}
    for store in stores:
        await store.close()
    assert versions == {len(load_migrations())}
    assert len(_migration_rows(path)) == len(load_migrations())


async def test_a_failed_migration_leaves_no_trace(tmp_path: Path) -> None:
    from ringback.core.store.sqlite.migrate import Migration

    broken = [*load_migrations(), Migration(99, "broken", "CREATE TABLE x (a);\nNOT SQL;")]
    with sqlite3.connect(tmp_path / "jobs.db", isolation_level=None) as connection:
        try:
            apply_migrations(connection, broken, 0)
        except sqlite3.OperationalError:
            pass
        else:
            raise AssertionError("the broken migration should have failed")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_migrations")]
    assert "x" not in tables
    assert 99 not in versions
    assert versions == [m.version for m in load_migrations()]
