"""The time formats channels and merchants exchange, to and from aware UTC datetimes.

Parsers raise ``ValueError`` with a human message; callers wrap it in the error type
that fits where the text came from (a channel rejection, a config error).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# Alipay writes local Beijing time without an offset. China has had no daylight saving
# since 1991, so a fixed +08:00 is exact and needs no tz database.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")
_ALIPAY = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def parse_rfc3339(text: str) -> datetime:
    """``2018-06-08T10:34:56+08:00`` or ``…Z`` → aware UTC. An offset is required."""
    if not isinstance(text, str) or _RFC3339.fullmatch(text) is None:
        raise ValueError(f"{str(text)[:40]!r} is not an RFC 3339 time with an offset")
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date and time") from None


def format_rfc3339(when: datetime) -> str:
    """Aware datetime → ``2026-01-01T08:30:00Z`` (UTC, whole seconds)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_alipay_time(text: str) -> datetime:
    """Alipay's ``2026-01-01 16:30:00`` (Beijing time) → aware UTC."""
    if not isinstance(text, str) or _ALIPAY.fullmatch(text) is None:
        raise ValueError(f"{str(text)[:40]!r} is not a 'yyyy-MM-dd HH:mm:ss' time")
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date and time") from None
    return local.replace(tzinfo=BEIJING).astimezone(UTC)


def format_alipay_time(when: datetime) -> str:
    """Aware datetime → Alipay's Beijing-time ``yyyy-MM-dd HH:mm:ss``."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
