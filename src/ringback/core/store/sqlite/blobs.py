"""Content-addressed blobs on SQLite: the bytes in the ``blobs`` table, named by SHA-256.

Statement files and raw notifications are kept as evidence; naming them by their
digest makes storing the same bytes twice a no-op and lets records point at them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ringback.core.store.record_input import check_blob, check_sha256
from ringback.core.store.sqlite.codec import to_micros
from ringback.core.store.sqlite.connection import write_transaction
from ringback.core.store.sqlite.records import RECORDS_SQL


def put_blob(connection: sqlite3.Connection, data: bytes, now: datetime) -> str:
    """Keep ``data`` (synced before returning); return its SHA-256 hex."""
    now_us = to_micros(now, "now")
    blob = check_blob(data)
    params = {"sha256": blob.sha256, "size": len(blob.data), "data": blob.data, "now": now_us}
    with write_transaction(connection):
        connection.execute(RECORDS_SQL["insert_blob"], params)
    return blob.sha256


def get_blob(connection: sqlite3.Connection, sha256: str) -> bytes | None:
    row = connection.execute(RECORDS_SQL["get_blob"], {"sha256": check_sha256(sha256)}).fetchone()
    return None if row is None else bytes(row["data"])
