"""The SQLite store: one file, WAL, several processes (see docs/storage.md)."""

from ringback.core.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
