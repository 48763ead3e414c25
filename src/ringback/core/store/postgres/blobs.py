"""Content-addressed blobs on PostgreSQL: the bytes in ``{schema}.blobs`` (``bytea``).

Statement files and raw notifications are kept as evidence; naming them by their
SHA-256 makes storing the same bytes twice a no-op and lets records point at them.
``PostgresStore.put_blob`` and ``get_blob`` run ``queries/records.sql``'s blob
statements with these parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ringback.core.store.postgres.rows import Row
from ringback.core.store.postgres.validation import check_time
from ringback.core.store.record_input import check_blob, check_sha256


def insert_params(data: object, now: object) -> tuple[str, dict[str, Any]]:
    """The blob's SHA-256 and the ``insert_blob`` parameters (checked first)."""
    when: datetime = check_time(now, "now")
    blob = check_blob(data)
    return blob.sha256, {
        "sha256": blob.sha256,
        "size": len(blob.data),
        "data": blob.data,
        "now": when,
    }


def lookup_params(sha256: object) -> dict[str, Any]:
    return {"sha256": check_sha256(sha256)}


def data_from_rows(rows: Sequence[Row]) -> bytes | None:
    return bytes(rows[0]["data"]) if rows else None
