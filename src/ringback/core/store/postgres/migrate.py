"""Apply the versioned SQL files in ``postgres/migrations/`` to a schema.

Several hosts may start at the same moment against an empty database. They
serialise on a transaction-scoped advisory lock derived from the schema name, so
exactly one creates the schema and applies the files while the others wait and then
find nothing left to do. All pending files are applied in one transaction: a
failure leaves the schema as it was.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import tuple_row

from ringback.core.errors import StoreError
from ringback.core.store.postgres.named_queries import queries_for, render

_MIGRATIONS_PACKAGE = "ringback.core.store.postgres.migrations"
_FILE_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    text: str


def load_migrations() -> list[Migration]:
    """Every migration file, in version order; versions must run 1, 2, 3, ..."""
    found: list[Migration] = []
    for entry in resources.files(_MIGRATIONS_PACKAGE).iterdir():
        match = _FILE_NAME.fullmatch(entry.name)
        if match is None:
            continue
        found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda migration: migration.version)
    expected = list(range(1, len(found) + 1))
    if [migration.version for migration in found] != expected:
        raise StoreError("PostgreSQL migrations must be numbered 0001, 0002, ... without gaps")
    return found


def latest_version() -> int:
    return len(load_migrations())


def advisory_lock_key(schema: str) -> int:
    """A stable signed 64-bit key per schema (Python's ``hash`` differs per process)."""
    digest = hashlib.sha256(f"ringback.migrate:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def applied_versions(conn: psycopg.AsyncConnection[Any], schema: str) -> set[int]:
    queries = queries_for(schema)
    async with conn.cursor(row_factory=tuple_row) as cur:
        await cur.execute(
            queries["migrations_table_exists"], {"table": f'"{schema}".schema_migrations'}
        )
        row = await cur.fetchone()
        if row is None or not row[0]:
            return set()
        await cur.execute(queries["applied_migrations"])
        return {int(version) for (version,) in await cur.fetchall()}


async def apply_migrations(conn: psycopg.AsyncConnection[Any], schema: str) -> int:
    """Bring ``schema`` up to date on an autocommit connection; return its version."""
    migrations = load_migrations()
    wanted = {migration.version for migration in migrations}
    # The common case, every host restarting against a current schema, takes no lock
    # and needs no CREATE privilege.
    if wanted <= await applied_versions(conn, schema):
        return await current_version(conn, schema)
    queries = queries_for(schema)
    async with conn.transaction(), conn.cursor() as cur:
        # A migration on a big table may outlast the store's statement timeout, and
        # waiting for another host's migration is waiting on this lock.
        await cur.execute("SET LOCAL statement_timeout = 0")
        await cur.execute(queries["lock_migrations"], {"lock_key": advisory_lock_key(schema)})
        await cur.execute(queries["create_schema"])
        await cur.execute(queries["create_migrations_table"])
        done = await applied_versions(conn, schema)
        for migration in migrations:
            if migration.version in done:
                continue
            await cur.execute(render(migration.text, schema))
            await cur.execute(
                queries["record_migration"],
                {"version": migration.version, "name": migration.name},
            )
    return await current_version(conn, schema)


async def current_version(conn: psycopg.AsyncConnection[Any], schema: str) -> int:
    """The highest applied migration, 0 for an empty schema."""
    return max(await applied_versions(conn, schema), default=0)
