"""Apply the store's migrations (``ringback migrate``, and ``serve`` before it forks)."""

from __future__ import annotations

from ringback.core.config import Settings
from ringback.interfaces.runtime.components import build_store


async def migrate(settings: Settings) -> int:
    """Open the store (which migrates it) and return its schema version."""
    store = build_store(settings)
    await store.open()
    try:
        return await store.schema_version()
    finally:
        await store.close()
