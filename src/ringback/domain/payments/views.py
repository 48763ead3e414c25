"""Orders, channel notifications and rejections as JSON-ready dicts.

The API and the CLI both render from these, so both show the same fields under the
same names. Times are ``datetime`` (each interface formats them), URLs have their
credentials hidden, and payloads of jobs go through the core's masking views.
Raw channel bodies are shown only where asked for (one order, one audit entry).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ringback.core.service.redaction import redact_url
from ringback.core.service.views import detail_view
from ringback.core.store.contract import Record
from ringback.domain.payments.money import format_major
from ringback.domain.payments.orders import Order
from ringback.domain.payments.service import OrderDetail

_RAW_FIELDS = ("raw_text", "raw_b64")
_TIME_FIELDS = ("paid_at", "received_at", "first_seen_at", "last_seen_at")


def order_view(order: Order) -> dict[str, Any]:
    payment = order.payment
    return {
        "app_id": order.app_id,
        "order_no": order.order_no,
        "amount_minor": order.amount.amount_minor,
        "amount": format_major(order.amount),
        "currency": order.amount.currency,
        "status": order.status.value,
        "registered": order.registered,
        "created_at": order.created_at,
        "status_changed_at": order.status_changed_at,
        "notify_url": None if order.notify_url is None else redact_url(order.notify_url),
        "attach": order.attach,
        "channel": order.channel,
        "payment": None
        if payment is None
        else {
            "channel": payment.channel,
            "channel_app_id": payment.channel_app_id,
            "channel_txn_no": payment.channel_txn_no,
            "paid_at": payment.paid_at,
        },
        "notifications": [
            {
                "status": notice.status.value,
                "notification_id": notice.notification_id,
                "job_keys": list(notice.job_keys),
                "at": notice.at,
            }
            for notice in order.notices
        ],
    }


def record_view(record: Record, *, with_raw: bool = False) -> dict[str, Any]:
    """A channel notification or an audit entry; raw body only ``with_raw``."""
    shown: dict[str, Any] = {}
    for name, value in record.data.items():
        if name in _RAW_FIELDS and not with_raw:
            continue
        shown[name] = _time(value) if name in _TIME_FIELDS else value
    return {"key": record.key, **shown}


def order_detail_view(detail: OrderDetail) -> dict[str, Any]:
    return {
        "order": order_view(detail.order),
        "channel_notifications": [
            record_view(record, with_raw=True) for record in detail.channel_notifications
        ],
        "merchant_notifications": [
            {
                "status": notice.notice.status.value,
                "notification_id": notice.notice.notification_id,
                "jobs": [detail_view(job) for job in notice.jobs],
            }
            for notice in detail.notices
        ],
    }


def _time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value
