"""Fixtures shared by the whole suite.

``pg_database_url``: a fresh PostgreSQL database for this test run, created on the
server at 127.0.0.1:5432 (user postgres, trust auth; override the server with
RINGBACK_TEST_PG_ADMIN_URL) and dropped at the end. Tests that need it are skipped,
with the reason, when the server does not answer; under CI=true they fail instead,
so a CI run without PostgreSQL cannot pass by skipping them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

PG_ADMIN_URL = os.environ.get(
    "RINGBACK_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def database_url(admin_url: str, database: str) -> str:
    """``admin_url`` pointing at another database on the same server."""
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run, not be skipped)")
        pytest.skip(reason)
    name = f"ringback_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield database_url(PG_ADMIN_URL, name)
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
