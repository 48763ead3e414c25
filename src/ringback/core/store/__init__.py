"""The store contract and its implementations (SQLite by default, PostgreSQL)."""

from ringback.core.store.contract import (
    EnqueueResult,
    JobFilter,
    JobPage,
    StateCounts,
    Store,
)

__all__ = ["EnqueueResult", "JobFilter", "JobPage", "StateCounts", "Store"]
