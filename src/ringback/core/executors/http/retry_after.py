"""Reading a receiver's ``Retry-After`` header (RFC 9110 §10.2.3). Pure, no I/O.

Only 429 Too Many Requests and 503 Service Unavailable carry a meaningful one for a
callback. The header is either a number of seconds or an HTTP date. A receiver cannot
park a job forever: the delay is capped, and anything unreadable is ignored (the policy's
own schedule applies).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

RETRY_AFTER_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = timedelta(days=1)


def parse_retry_after(
    value: str | None, *, now: datetime, cap: timedelta = MAX_RETRY_AFTER
) -> timedelta | None:
    """The delay the header asks for, at most ``cap``; None when absent or unreadable.

    A date in the past means "now" (a zero delay).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        # Huge digit strings would make timedelta overflow; the cap is reached long before.
        if len(text) > 9:
            return cap
        return min(timedelta(seconds=int(text)), cap)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT; email.utils leaves "-0000" zones naive.
        when = when.replace(tzinfo=UTC)
    delay = when - now
    return min(max(delay, timedelta(0)), cap)
