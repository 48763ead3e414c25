"""``store``: an open, empty store, once per backend (SQLite file, PostgreSQL schema)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ringback.core.store.contract import Store
from ringback.core.store.postgres import PostgresStore
from ringback.core.store.sqlite import SqliteStore


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        sqlite = SqliteStore(tmp_path / "ringback.db")
        await sqlite.open()
        yield sqlite
        await sqlite.close()
        return
    url: str = request.getfixturevalue("pg_database_url")
    schema = f"t_{uuid.uuid4().hex}"
    postgres = PostgresStore.from_url(url, schema=schema)
    await postgres.open()
    yield postgres
    await postgres.close()
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
