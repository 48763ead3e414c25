"""The ``store`` fixture: every contract test runs once per backend.

A backend is a function that prepares an empty database for one test and returns a
``Backend``: how to make more store instances on that same database (for tests with
two "processes") and how to clean up. To add a backend, add a function to
``BACKENDS`` (and a param mark if it needs a server).
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from contract_support import Backend

from ringback.core.store.contract import Store
from ringback.core.store.sqlite import SqliteStore


def sqlite_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    path = tmp_path / "ringback.db"
    return Backend("sqlite", make=lambda: SqliteStore(path))


def postgres_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    try:
        module = importlib.import_module("ringback.core.store.postgres")
        store_class = module.PostgresStore
    except (ImportError, AttributeError) as error:
        pytest.skip(f"PostgreSQL store not available yet: {error}")
    url: str = request.getfixturevalue("pg_database_url")
    schema = f"t_{uuid.uuid4().hex}"

    async def drop_schema() -> None:
        import psycopg
        from psycopg import sql

        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
            await connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )

    return Backend(
        "postgres", make=lambda: store_class.from_url(url, schema=schema), cleanup=drop_schema
    )


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Backend]] = {
    "sqlite": sqlite_backend,
    "postgres": postgres_backend,
}


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    prepared = BACKENDS[request.param](request, tmp_path)
    try:
        yield prepared
    finally:
        await prepared.close_all()


@pytest.fixture
async def store(backend: Backend) -> Store:
    """An open store on an empty database (closed by ``backend``)."""
    return await backend.open_store()
