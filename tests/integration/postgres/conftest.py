"""A schema of its own per test in the run's fresh database, and hosts on it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ringback.core.store.postgres import PostgresStore

from .hosts import Host, make_host, write_task_module


@pytest.fixture
async def schema(pg_database_url: str) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex}"
    yield name
    async with await psycopg.AsyncConnection.connect(pg_database_url, autocommit=True) as conn:
        await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
async def store(pg_database_url: str, schema: str) -> AsyncIterator[PostgresStore]:
    """The test's own view of the database: it submits and inspects through this."""
    opened = PostgresStore.from_url(pg_database_url, schema=schema)
    await opened.open()
    yield opened
    await opened.close()


@pytest.fixture
def run_log(tmp_path: Path) -> Path:
    return tmp_path / "runs"


@pytest.fixture
def hosts(
    tmp_path: Path, pg_database_url: str, schema: str, run_log: Path
) -> Iterator[Callable[..., Host]]:
    """``hosts(name, **options)`` makes a host (not started); all are killed after."""
    tasks_dir = tmp_path / "tasks"
    write_task_module(tasks_dir, run_log)
    made: list[Host] = []

    def make(name: str, **options: str) -> Host:
        host = make_host(
            tmp_path,
            name,
            database_url=pg_database_url,
            schema=schema,
            tasks_dir=tasks_dir,
            **options,
        )
        made.append(host)
        return host

    yield make
    for host in made:
        if host.process is not None and host.process.poll() is None:
            host.kill_all()
