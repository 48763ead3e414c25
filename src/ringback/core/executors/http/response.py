"""What of a receiver's answer is kept, and how a redirect is shown."""

from __future__ import annotations

from yarl import URL

from ringback.core.jobs import ATTEMPT_EXCERPT_BYTES


def excerpt(body: bytes) -> str:
    """The start of the answer as recorded with the attempt (invalid UTF-8 replaced)."""
    return body[:ATTEMPT_EXCERPT_BYTES].decode("utf-8", errors="replace")


def redirect_target(location: str | None, base: URL) -> str | None:
    """Where a redirect points, for the error text, without credentials or query.

    The query string and any user info are dropped: they may hold tokens, and the
    attempt log is read by more people than the receiver's owner.
    """
    if not location:
        return None
    try:
        target = base.join(URL(location))
        return str(target.with_user(None).with_query(None).with_fragment(None))
    except (ValueError, TypeError):
        return "an unreadable Location"
