"""Times typed into the dashboard's forms.

A browser's ``datetime-local`` field sends ``2026-03-01T08:00`` without a zone; the
dashboard shows every time in UTC, so such a time is read as UTC. ISO 8601 with an
offset (``…Z``, ``…+08:00``) is accepted too and converted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ringback.core.errors import InvalidInput


def parse_form_time(text: str, field: str) -> datetime:
    cleaned = text.strip().replace(" ", "T")
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput("write the time as 2026-03-01T08:00 (UTC)", field=field) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
