"""One empty database per test on SQLite or PostgreSQL, and as many store instances on
it as the test wants (each one a "host"). Used by the periodic and statements tests that
run several workers against one database."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ringback.core.store.contract import Store
from ringback.core.store.sqlite import SqliteStore


@dataclass
class Database:
    name: str
    make: Callable[[], Store]
    _cleanup: Callable[[], object] | None = None
    _opened: list[Store] = field(default_factory=list)

    async def open_store(self) -> Store:
        store = self.make()
        await store.open()
        self._opened.append(store)
        return store

    async def close(self) -> None:
        for store in self._opened:
            await store.close()
        if self._cleanup is not None:
            result = self._cleanup()
            if hasattr(result, "__await__"):
                await result  # type: ignore[misc]


def sqlite_database(tmp_path: Path) -> Database:
    path = tmp_path / "ringback.db"
    return Database("sqlite", lambda: SqliteStore(path))


def postgres_database(request: pytest.FixtureRequest) -> Database:
    module = importlib.import_module("ringback.core.store.postgres")
    url: str = request.getfixturevalue("pg_database_url")
    schema = f"t_{uuid.uuid4().hex}"

    async def drop_schema() -> None:
        import psycopg
        from psycopg import sql

        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
            await connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )

    return Database(
        "postgres", lambda: module.PostgresStore.from_url(url, schema=schema), drop_schema
    )


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    made = sqlite_database(tmp_path) if request.param == "sqlite" else postgres_database(request)
    try:
        yield made
    finally:
        await made.close()
