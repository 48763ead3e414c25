"""PostgreSQL stores on a fresh schema of the session's test database, as separate
hosts would open them; closed and the schema dropped after each test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import psycopg
import pytest
from psycopg import sql

from ringback.core.store.postgres import PostgresStore

MakeStore = Callable[[], Awaitable[PostgresStore]]


@pytest.fixture
def schema() -> str:
    return f"t_{uuid.uuid4().hex}"


@pytest.fixture
async def make_store(pg_database_url: str, schema: str) -> AsyncIterator[MakeStore]:
    made: list[PostgresStore] = []

    async def make() -> PostgresStore:
        store = PostgresStore.from_url(pg_database_url, schema=schema)
        made.append(store)
        await store.open()
        return store

    yield make
    for store in made:
        await store.close()
    async with await psycopg.AsyncConnection.connect(pg_database_url, autocommit=True) as conn:
        await conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture
async def store(make_store: MakeStore) -> PostgresStore:
    return await make_store()
