"""examples/outbox.py, run as documented against a database of its own."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from ringback.core.store.postgres.settings import wake_channel

pytestmark = pytest.mark.postgres

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "outbox.py"
SCHEMA = "shop_jobs"  # not the default, to check the example honours ?schema=


@pytest.fixture
def shop_url(pg_database_url: str) -> Iterator[str]:
    """A fresh database: the example makes a ``payments`` table in its public schema."""
    name = f"ringback_outbox_{secrets.token_hex(4)}"
    with psycopg.connect(pg_database_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            parts = urlsplit(pg_database_url)
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


def run_example(url: str) -> str:
    env = {**os.environ, "RINGBACK_DATABASE_URL": f"{url}?schema={SCHEMA}"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(conn: psycopg.Connection[Any], query: sql.SQL | sql.Composed) -> list[tuple[Any, ...]]:
    return conn.execute(query).fetchall()


def wake_ups(listener: psycopg.Connection[Any]) -> int:
    return sum(1 for _ in listener.notifies(timeout=0.3))


def test_the_payment_and_its_job_commit_together_or_not_at_all(shop_url: str) -> None:
    with psycopg.connect(shop_url, autocommit=True) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(wake_channel(SCHEMA))))
        first = run_example(shop_url)
        woken = wake_ups(listener)  # one per committed transaction, none for the rollback
        second = run_example(shop_url)
        woken_again = wake_ups(listener)

    assert "T1: captured" in first and "created=True" in first
    assert "T2: ledger refused T2; the payment and its job were rolled back" in first
    assert woken == 2
    assert "created=True" not in second and second.count("created=False") == 2
    assert woken_again == 0  # nothing new was made, so nobody was woken

    jobs = sql.SQL("SELECT key, state, payload FROM {} ORDER BY key").format(
        sql.Identifier(SCHEMA, "jobs")
    )
    with psycopg.connect(shop_url) as conn:
        payments = rows(conn, sql.SQL("SELECT * FROM payments ORDER BY trade_no"))
        stored = rows(conn, jobs)
    assert payments == [("T1", 8888, "captured"), ("T3", 4200, "captured")]
    assert [(key, state) for key, state, _ in stored] == [
        ("notify:T1", "scheduled"),
        ("notify:T3", "scheduled"),
    ]
    assert [payload["json"]["out_trade_no"] for _, _, payload in stored] == ["T1", "T3"]
