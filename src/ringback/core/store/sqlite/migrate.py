"""Versioned schema migrations for the SQLite store.

Each file ``migrations/NNNN_description.sql`` is one version. ``apply_migrations``
runs the pending ones in order, each in its own ``BEGIN IMMEDIATE`` transaction
together with its row in ``schema_migrations``: a crash leaves either the whole
version or none of it, and two processes opening a new file at once do not both apply
it (the second sees the row once it gets the write lock). Running it again is a no-op.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

from ringback.core.store.sqlite.connection import write_transaction
from ringback.core.store.sqlite.queries import SQL, split_statements

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_PACKAGE = "ringback.core.store.sqlite.migrations"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """Every migration shipped with the package, by version; gaps or repeats are errors."""
    migrations: list[Migration] = []
    for entry in resources.files(_PACKAGE).iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None:
            continue
        migrations.append(
            Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8"))
        )
    migrations.sort(key=lambda migration: migration.version)
    expected = list(range(1, len(migrations) + 1))
    if [migration.version for migration in migrations] != expected:
        raise RuntimeError(f"SQLite migrations must be numbered 1..n without gaps: {migrations}")
    return migrations


def apply_migrations(
    connection: sqlite3.Connection, migrations: list[Migration], applied_at_us: int
) -> list[int]:
    """Apply the pending migrations; return the versions applied now."""
    applied_now: list[int] = []
    for migration in migrations:
        with write_transaction(connection):
            connection.execute(SQL["create_schema_migrations"])
            done = {row[0] for row in connection.execute(SQL["applied_migrations"])}
            if migration.version in done:
                continue
            for statement in split_statements(migration.sql):
                connection.execute(statement)
            connection.execute(
                SQL["record_migration"],
                {"version": migration.version, "name": migration.name, "applied_at": applied_at_us},
            )
        applied_now.append(migration.version)
    return applied_now


def schema_version(connection: sqlite3.Connection) -> int:
    row = connection.execute(SQL["schema_version"]).fetchone()
    return int(row[0])
