"""Pick and build a store from a URL.

* ``sqlite:///relative/path.db``: a file relative to ``base_dir`` (default: the working
  directory), e.g. ``sqlite:///var/ringback.db``.
* ``sqlite:////abs/path.db``: an absolute path (four slashes: three, then the root).
* ``postgresql://user@host:5432/db`` (or ``postgres://``): the PostgreSQL store, loaded
  only when asked for so that the embedded setup never needs it.

The store comes back unopened; the caller awaits ``open()``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ringback.core.errors import ConfigError
from ringback.core.store.contract import Store
from ringback.core.store.sqlite import SqliteStore

_POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})


def open_store(url: str, *, base_dir: Path | None = None) -> Store:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "sqlite":
        return SqliteStore(sqlite_path(url, base_dir=base_dir))
    if scheme in _POSTGRES_SCHEMES:
        return _postgres_store(url)
    raise ConfigError(
        f"unknown store URL scheme {scheme or '(none)'!r}: use sqlite:///path.db or postgresql://…",
        field="store.url",
    )


def sqlite_path(url: str, *, base_dir: Path | None = None) -> Path:
    """The database file a ``sqlite:///…`` URL names."""
    parts = urlsplit(url)
    if parts.netloc:
        raise ConfigError(
            f"sqlite URL names a host ({parts.netloc!r}); use sqlite:///relative.db "
            "or sqlite:////absolute.db",
            field="store.url",
        )
    if parts.query or parts.fragment:
        raise ConfigError("sqlite URL takes no query or fragment", field="store.url")
    if not url.lower().startswith("sqlite:///"):
        raise ConfigError("sqlite URL must start with sqlite:///", field="store.url")
    # urlsplit keeps the path's leading slash: "sqlite:///a.db" -> "/a.db" (relative),
    # "sqlite:////srv/a.db" -> "//srv/a.db" (absolute).
    raw = unquote(parts.path)[1:]
    if not raw or raw.endswith("/"):
        raise ConfigError("sqlite URL names no database file", field="store.url")
    path = Path(raw)
    if path.is_absolute():
        return path
    return (base_dir if base_dir is not None else Path.cwd()) / path


def _postgres_store(url: str) -> Store:
    try:
        module = importlib.import_module("ringback.core.store.postgres")
        store_class = module.PostgresStore
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"PostgreSQL store not available ({error})", field="store.url") from error
    store = store_class.from_url(url)
    if not isinstance(store, Store):
        raise ConfigError("PostgreSQL store not available (not a Store)", field="store.url")
    return store
