"""PostgreSQL store configuration, named queries and migration files (no server needed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ringback.core.errors import InvalidInput, StoreError
from ringback.core.store.postgres import PostgresStore
from ringback.core.store.postgres.migrate import advisory_lock_key, load_migrations
from ringback.core.store.postgres.named_queries import Queries, parse_named_sections
from ringback.core.store.postgres.settings import (
    redact_url,
    settings_from_url,
    split_url,
    wake_channel,
)

BASE = "postgresql://app:s3cret@db.internal:5432/payments"


def test_from_url_takes_ringback_params_out_and_keeps_libpq_ones() -> None:
    settings = settings_from_url(
        f"{BASE}?schema=pay&sslmode=require&pool_min=2&pool_max=7&statement_timeout_s=1.5"
        "&options=-c%20work_mem%3D8MB"
    )
    assert settings.schema == "pay"
    assert (settings.pool_min, settings.pool_max) == (2, 7)
    assert settings.statement_timeout == timedelta(seconds=1.5)
    assert settings.conninfo == f"{BASE}?sslmode=require&options=-c%20work_mem%3D8MB"
    assert settings.channel == "pay_wake"


def test_explicit_schema_wins_over_the_url_and_defaults_apply() -> None:
    assert settings_from_url(f"{BASE}?schema=pay", schema="other").schema == "other"
    settings = settings_from_url(BASE)
    assert settings.schema == "ringback"
    assert settings.conninfo == BASE
    assert (settings.pool_min, settings.pool_max) == (1, 10)
    assert settings.statement_timeout == timedelta(seconds=30)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("mysql://x/y", "url"),
        ("db.internal/payments", "url"),
        (f"{BASE}?schema=Pay", "schema"),
        (f"{BASE}?schema=1pay", "schema"),
        (f'{BASE}?schema=pay"; drop table x; --', "schema"),
        (f"{BASE}?schema={'s' * 64}", "schema"),
        (f"{BASE}?pool_max=many", "pool_max"),
        (f"{BASE}?pool_min=5&pool_max=2", "pool_max"),
        (f"{BASE}?pool_min=-1", "pool_min"),
        (f"{BASE}?statement_timeout_s=0", "statement_timeout"),
        (f"{BASE}?statement_timeout_s=soon", "statement_timeout_s"),
    ],
)
def test_bad_settings_name_the_field(url: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        PostgresStore.from_url(url)
    assert caught.value.field == field


def test_wake_channels_fit_postgres_names_and_stay_distinct() -> None:
    assert wake_channel("ringback") == "ringback_wake"
    longest = "a" * 63
    almost = "a" * 62 + "b"
    assert len(wake_channel(longest)) <= 63
    assert len(wake_channel(almost)) <= 63
    assert wake_channel(longest) != wake_channel(almost)
    assert wake_channel(longest).endswith("_wake")


def test_constructor_refuses_ringback_params_rather_than_ignoring_them() -> None:
    with pytest.raises(InvalidInput) as caught:
        PostgresStore(f"{BASE}?schema=pay")
    assert caught.value.field == "url"
    assert "from_url" in caught.value.message


def test_constructor_checks_its_arguments() -> None:
    with pytest.raises(InvalidInput) as caught:
        PostgresStore(BASE, statement_timeout=timedelta(0))
    assert caught.value.field == "statement_timeout"
    with pytest.raises(InvalidInput):
        PostgresStore(BASE, pool_min=3, pool_max=2)


def test_password_never_shows_in_repr() -> None:
    store = PostgresStore.from_url(f"{BASE}?schema=pay")
    assert "s3cret" not in repr(store)
    assert "app:***@db.internal:5432" in repr(store)
    assert redact_url("postgresql://db/x") == "postgresql://db/x"


def test_split_url_keeps_spaces_percent_encoded_for_libpq() -> None:
    conninfo, ours = split_url("postgresql://db/x?options=-c%20a%3Db&schema=s")
    assert conninfo == "postgresql://db/x?options=-c%20a%3Db"
    assert ours == {"schema": "s"}


def test_named_sections_parse_and_reject_mistakes() -> None:
    text = "-- header\n-- name: first\nSELECT 1\n\n-- name: second\n-- why\nSELECT 2\n"
    assert parse_named_sections(text, source="t.sql") == {
        "first": "SELECT 1",
        "second": "-- why\nSELECT 2",
    }
    with pytest.raises(StoreError, match="defined twice"):
        parse_named_sections("-- name: a\nSELECT 1\n-- name: a\nSELECT 2", source="t.sql")
    with pytest.raises(StoreError, match="empty"):
        parse_named_sections("-- name: a\n\n-- name: b\nSELECT 1", source="t.sql")
    with pytest.raises(StoreError, match="bad query name"):
        parse_named_sections("-- name: Bad-Name\nSELECT 1", source="t.sql")


def test_every_query_binds_the_schema_as_a_quoted_identifier() -> None:
    queries = Queries("tenant_a")
    expected = {"claim_jobs", "insert_jobs", "apply_outcomes", "purge_finished", "listen"}
    assert expected <= queries.names()
    claim = queries["claim_jobs"].as_string(None)
    assert '"tenant_a".jobs' in claim
    assert "FOR UPDATE SKIP LOCKED" in claim
    assert 'LISTEN "tenant_a_wake"' in queries["listen"].as_string(None)
    listing = queries["list_jobs"].as_string(None)
    assert "{part_job_filter}" not in listing
    assert "labels @>" in listing
    with pytest.raises(StoreError):
        queries["no_such_query"]


def test_migrations_are_numbered_from_one_and_lock_keys_are_stable() -> None:
    migrations = load_migrations()
    assert [migration.version for migration in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "initial"
    assert advisory_lock_key("ringback") == advisory_lock_key("ringback")
    assert advisory_lock_key("ringback") != advisory_lock_key("other")
    assert -(2**63) <= advisory_lock_key("ringback") < 2**63
