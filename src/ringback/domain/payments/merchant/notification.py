"""The notification ringback sends a merchant when one of its orders changes state.

Format (see docs/payments.md): JSON by default; ``alipay_form`` sends the same fields
form-encoded for merchants whose handlers were written for Alipay. Both carry a
``notification_id`` that is stable per (app, order, status), so a merchant that sees
the same id twice — a retry, or a channel that re-sent — can ignore the second.

Optional RSA2 signing follows Alipay's rule (``ringback.domain.payments.rsa2``): the
fields as text, sorted, ``sign``/``sign_type``/empty ones left out, SHA256withRSA,
base64 in ``sign`` and ``sign_type=RSA2``. Integers are signed as decimal text and
null fields are left out, so the JSON and form bodies sign the same content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ringback.core.errors import InvalidInput
from ringback.domain.payments.channels.base import ChannelNotification
from ringback.domain.payments.channels.form import decode_form, encode_form
from ringback.domain.payments.merchant.app import MerchantApp, NotificationFormat
from ringback.domain.payments.money import Money, format_major
from ringback.domain.payments.rsa2 import (
    SIGN_FIELD,
    SIGN_TYPE_FIELD,
    SIGN_TYPE_RSA2,
    ParamValue,
    rsa2_sign,
    rsa2_verify,
)
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.payments.timestamps import format_rfc3339

CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_FORM = "application/x-www-form-urlencoded; charset=utf-8"
MAX_ATTACH_CHARS = 256
_ID_PREFIX = "ntf_"
_ID_HEX_CHARS = 32


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One order reaching one status, as the merchant will be told."""

    app_id: str  # the ringback merchant app
    order_no: str
    channel: str
    channel_txn_no: str
    amount: Money
    status: PaymentStatus
    paid_at: datetime | None = None
    attach: str | None = None  # the merchant's own data, given when registering the order

    def __post_init__(self) -> None:
        if self.paid_at is not None and self.paid_at.tzinfo is None:
            raise InvalidInput("paid_at must be timezone-aware", field="paid_at")
        if self.attach is not None and len(self.attach) > MAX_ATTACH_CHARS:
            raise InvalidInput(f"attach is longer than {MAX_ATTACH_CHARS}", field="attach")

    @classmethod
    def from_channel(
        cls, app_id: str, notification: ChannelNotification, *, attach: str | None = None
    ) -> OrderEvent:
        return cls(
            app_id=app_id,
            order_no=notification.order_no,
            channel=notification.channel,
            channel_txn_no=notification.channel_txn_no,
            amount=notification.amount,
            status=notification.status,
            paid_at=notification.paid_at,
            attach=attach,
        )


@dataclass(frozen=True, slots=True)
class MerchantNotification:
    notification_id: str
    content_type: str
    body: bytes
    fields: dict[str, ParamValue]  # what the body holds, sign included when signed


def notification_id(app_id: str, order_no: str, status: PaymentStatus) -> str:
    """``ntf_`` + 32 hex digits, the same for every notification of this status."""
    # NUL cannot occur in ids, so distinct triples never join to the same text.
    material = "\x00".join((app_id, order_no, status.value)).encode("utf-8")
    return _ID_PREFIX + hashlib.sha256(material).hexdigest()[:_ID_HEX_CHARS]


def notification_fields(event: OrderEvent, *, now: datetime) -> dict[str, ParamValue]:
    """The fields of the notification for ``event``, built at ``now``."""
    return {
        "notification_id": notification_id(event.app_id, event.order_no, event.status),
        "notify_time": format_rfc3339(now),
        "app_id": event.app_id,
        "order_no": event.order_no,
        "channel": event.channel,
        "channel_txn_no": event.channel_txn_no,
        "amount_minor": event.amount.amount_minor,
        "amount": format_major(event.amount),
        "currency": event.amount.currency,
        "status": event.status.value,
        "paid_at": format_rfc3339(event.paid_at) if event.paid_at else None,
        "attach": event.attach,
    }


def build_notification(
    app: MerchantApp, event: OrderEvent, *, now: datetime
) -> MerchantNotification:
    """The body to send ``app`` about ``event``; RSA2-signed when the app has a key.

    Built once per event and re-sent unchanged on every attempt, so ``notify_time`` is
    when the event was first notified, not the time of the attempt.
    """
    if event.app_id != app.app_id:
        raise InvalidInput(
            f"event for app {event.app_id!r} cannot be sent to app {app.app_id!r}", field="app_id"
        )
    fields = notification_fields(event, now=now)
    if app.rsa2_private_key is not None:
        fields[SIGN_TYPE_FIELD] = SIGN_TYPE_RSA2
        fields[SIGN_FIELD] = rsa2_sign(fields, app.rsa2_private_key)
    if app.notification_format is NotificationFormat.ALIPAY_FORM:
        as_text = {k: str(v) for k, v in fields.items() if v is not None}
        return MerchantNotification(
            str(fields["notification_id"]), CONTENT_TYPE_FORM, encode_form(as_text), fields
        )
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return MerchantNotification(str(fields["notification_id"]), CONTENT_TYPE_JSON, body, fields)


def parse_notification_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """A received notification's fields, JSON or form (for merchants and simulators)."""
    if content_type and content_type.split(";")[0].strip() == "application/x-www-form-urlencoded":
        fields, _ = decode_form(body, content_type=content_type)
        return dict(fields)
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("notification body is not UTF-8 JSON", field="body") from None
    if not isinstance(value, dict):
        raise InvalidInput("notification body is not a JSON object", field="body")
    return value


def verify_rsa2(fields: Mapping[str, Any], public_key: RSAPublicKey) -> bool:
    """True when ``fields`` (parsed from a JSON or form body) carry a valid RSA2 ``sign``."""
    signature = fields.get(SIGN_FIELD)
    if not isinstance(signature, str) or fields.get(SIGN_TYPE_FIELD) != SIGN_TYPE_RSA2:
        return False
    params: dict[str, ParamValue] = {}
    for key, value in fields.items():
        if isinstance(value, bool) or not (value is None or isinstance(value, str | int)):
            return False  # nested or boolean values are not part of the format
        params[key] = value
    return rsa2_verify(params, signature, public_key)
