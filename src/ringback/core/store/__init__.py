"""The store contract and its implementations (SQLite by default, PostgreSQL)."""

from ringback.core.store.contract import (
    EnqueueResult,
    JobFilter,
    JobPage,
    Record,
    RecordResult,
    RecordWrite,
    StateCounts,
    Store,
    WriteMode,
    WriteResult,
)

__all__ = [
    "EnqueueResult",
    "JobFilter",
    "JobPage",
    "Record",
    "RecordResult",
    "RecordWrite",
    "StateCounts",
    "Store",
    "WriteMode",
    "WriteResult",
]
