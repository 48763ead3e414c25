"""Reading a receiver's answer within bounds, and what of it is kept."""

from __future__ import annotations

from aiohttp import StreamReader
from yarl import URL

from ringback.core.jobs import ATTEMPT_EXCERPT_BYTES


async def read_capped(content: StreamReader, max_bytes: int) -> tuple[bytes, bool]:
    """At most ``max_bytes`` of the body, and whether there was more.

    One byte past the cap is read to tell "exactly the cap" from "more"; the rest is
    left unread (aiohttp then closes the connection instead of draining it), so a
    receiver streaming gigabytes costs us no more than the cap.
    """
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        chunk = await content.read(max_bytes + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if size > max_bytes:
        return body[:max_bytes], True
    return body, False


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
