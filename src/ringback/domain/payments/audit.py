"""What is kept of every channel request: accepted notifications and rejected ones.

Both keep the raw body as received (the evidence if a channel, a merchant or an
auditor asks later) and the headers that carry signatures, never anything else the
request brought along. Rejections keep the reason code and message, and the
mismatches when a genuine notification did not fit the order.

A rejected request that arrives again unchanged (channels resend until accepted) is
the same audit entry seen once more, so replays cannot flood the log.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from ringback.core.jobs import JsonObject
from ringback.core.store.contract import Record
from ringback.domain.payments.channels import ChannelNotification
from ringback.domain.payments.checks import Mismatch
from ringback.domain.payments.orders import stored_time

NS_NOTIFICATION = "payments.notification"
NS_REJECTED = "payments.rejected"
# Channels cap their bodies below this; a longer one is kept in part (it was refused).
MAX_KEPT_BODY_BYTES = 64 * 1024
_KEPT_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "user-agent",
        "x-forwarded-for",
        "x-ringback-signature",
        "wechatpay-serial",
        "wechatpay-signature",
        "wechatpay-timestamp",
        "wechatpay-nonce",
        "wechatpay-signature-type",
    }
)


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth keeping: content and signature, no cookies or credentials."""
    return {k.lower(): v[:1024] for k, v in headers.items() if k.lower() in _KEPT_HEADERS}


def raw_body(body: bytes) -> JsonObject:
    """The body as text when it is UTF-8 (channels send ASCII forms and UTF-8 JSON),
    else base64; with its size and SHA-256 to prove it is the one received."""
    kept = body[:MAX_KEPT_BODY_BYTES]
    fields: JsonObject = {
        "raw_sha256": hashlib.sha256(body).hexdigest(),
        "raw_bytes": len(body),
        "raw_truncated": len(kept) < len(body),
    }
    try:
        fields["raw_text"] = kept.decode("utf-8")
    except UnicodeDecodeError:
        fields["raw_b64"] = base64.b64encode(kept).decode("ascii")
    return fields


def original_body(data: Mapping[str, object]) -> bytes:
    """The kept body back as bytes (from ``raw_text`` or ``raw_b64``)."""
    text = data.get("raw_text")
    if isinstance(text, str):
        return text.encode("utf-8")
    encoded = data.get("raw_b64")
    return base64.b64decode(encoded) if isinstance(encoded, str) else b""


def notification_record(
    n: ChannelNotification,
    *,
    app_id: str,
    headers: Mapping[str, str],
    received_at: datetime,
    status_changed: bool,
    notification_id: str | None,
) -> Record:
    """A verified notification, keyed by its dedup key: a resend finds it."""
    data: JsonObject = {
        "dedup_key": n.dedup_key,
        "channel": n.channel,
        "app_id": app_id,
        "order_no": n.order_no,
        "channel_app_id": n.app_id,
        "channel_txn_no": n.channel_txn_no,
        "amount_minor": n.amount.amount_minor,
        "currency": n.amount.currency,
        "status": n.status.value,
        "paid_at": None if n.paid_at is None else stored_time(n.paid_at),
        "received_at": stored_time(received_at),
        "status_changed": status_changed,
        "notification_id": notification_id,
        "headers": kept_headers(headers),
        **raw_body(n.raw),
    }
    return Record(
        namespace=NS_NOTIFICATION,
        key=n.dedup_key,
        data=data,
        ref_time=received_at,
        group=app_id,
    )


def rejection_key(channel: str, reason_code: str, body: bytes) -> str:
    return f"{channel}:{reason_code}:{hashlib.sha256(body).hexdigest()[:40]}"


def rejection_record(
    channel: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    reason_code: str,
    message: str,
    field: str | None,
    received_at: datetime,
    mismatches: Sequence[Mismatch] = (),
    notification: ChannelNotification | None = None,
    app_id: str | None = None,
) -> Record:
    """An audit entry for a refused request; grouped by channel (the app may be unknown)."""
    data: JsonObject = {
        "channel": channel,
        "reason_code": reason_code,
        "message": message,
        "field": field,
        "mismatches": [m.as_dict() for m in mismatches],
        "app_id": app_id,
        "order_no": None if notification is None else notification.order_no,
        "dedup_key": None if notification is None else notification.dedup_key,
        "first_seen_at": stored_time(received_at),
        "last_seen_at": stored_time(received_at),
        "seen_count": 1,
        "headers": kept_headers(headers),
        **raw_body(body),
    }
    return Record(
        namespace=NS_REJECTED,
        key=rejection_key(channel, reason_code, body),
        data=data,
        ref_time=received_at,
        group=channel,
    )


def seen_again(record: Record, *, at: datetime) -> Record:
    """The audit entry after the same refused request arrived once more."""
    data = {
        **record.data,
        "last_seen_at": stored_time(at),
        "seen_count": int(record.data.get("seen_count", 1)) + 1,
    }
    return Record(
        namespace=record.namespace,
        key=record.key,
        data=data,
        ref_time=record.ref_time,
        group=record.group,
    )
