"""open_store: a store URL becomes an (unopened) store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ringback.core.errors import ConfigError
from ringback.core.store.factory import open_store, sqlite_path
from ringback.core.store.sqlite import SqliteStore


def test_a_relative_sqlite_url_is_under_the_base_dir(tmp_path: Path) -> None:
    store = open_store("sqlite:///var/ringback.db", base_dir=tmp_path)
    assert isinstance(store, SqliteStore)
    assert store.path == tmp_path / "var" / "ringback.db"


def test_a_relative_sqlite_url_defaults_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlite_path("sqlite:///ringback.db") == tmp_path / "ringback.db"


def test_an_absolute_sqlite_url_ignores_the_base_dir(tmp_path: Path) -> None:
    assert sqlite_path("sqlite:////srv/ringback/jobs.db", base_dir=tmp_path) == Path(
        "/srv/ringback/jobs.db"
    )


def test_escaped_characters_are_decoded(tmp_path: Path) -> None:
    assert sqlite_path("sqlite:///my%20jobs.db", base_dir=tmp_path) == tmp_path / "my jobs.db"


async def test_the_store_comes_back_unopened_and_opens(tmp_path: Path) -> None:
    store = open_store("sqlite:///jobs.db", base_dir=tmp_path)
    assert not (tmp_path / "jobs.db").exists()
    await store.open()
    try:
        assert await store.schema_version() >= 1
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite://host/jobs.db", "host"),
        ("sqlite:///", "no database file"),
        ("sqlite:///var/", "no database file"),
        ("sqlite:///jobs.db?mode=ro", "no query"),
        ("mysql://localhost/jobs", "unknown store URL scheme 'mysql'"),
        ("jobs.db", "unknown store URL scheme"),
    ],
)
def test_bad_urls_are_config_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        open_store(url)
    assert raised.value.field == "store.url"


def test_postgres_without_its_backend_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes the import fail, as if the package were absent.
    monkeypatch.setitem(sys.modules, "ringback.core.store.postgres", None)
    with pytest.raises(ConfigError, match="PostgreSQL store not available"):
        open_store("postgresql://postgres@127.0.0.1:5432/ringback")


def test_postgres_urls_build_the_postgres_store() -> None:
    postgres = pytest.importorskip("ringback.core.store.postgres")
    store = open_store("postgresql://postgres@127.0.0.1:5432/ringback")
    assert isinstance(store, postgres.PostgresStore)
