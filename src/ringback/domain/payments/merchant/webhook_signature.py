"""Standard Webhooks headers for a notification signed with its app's own secret.

Every notification carries ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature: v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>`` as
described at standardwebhooks.com, so a merchant can verify it with any Standard
Webhooks library. The timestamp is the time of each attempt (receivers refuse
signatures older than five minutes), so headers are made per attempt, not stored.
The HMAC itself is the HTTP executor's; this adds the per-app secret and the id.
"""

from __future__ import annotations

from datetime import datetime

from ringback.core.executors.http.signing import signature_with_key
from ringback.domain.payments.secret import SigningSecret

HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"


def standard_webhook_headers(
    secret: SigningSecret, msg_id: str, body: bytes, at: datetime
) -> dict[str, str]:
    """The three signature headers for sending ``body`` as message ``msg_id`` at ``at``."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    if not msg_id or "." in msg_id:
        # The id is part of the dot-joined signed content; a dot would make it ambiguous.
        raise ValueError("msg_id must be non-empty and contain no '.'")
    timestamp = int(at.timestamp())
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signature_with_key(secret.key_bytes(), msg_id, timestamp, body),
    }
