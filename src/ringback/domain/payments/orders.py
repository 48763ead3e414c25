"""An order as ringback keeps it, and the pure rules that change it.

An order is registered by the merchant (or learned from a verified channel
notification when its app allows that). Its status follows what the channels report;
each change to ``paid``, ``closed`` or ``refunded`` is one merchant notification,
identified by the stable ``notification_id`` of (app, order, status).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ringback.core.errors import Conflict, InvalidInput
from ringback.core.jobs import JsonObject
from ringback.domain.payments.channels import ChannelNotification
from ringback.domain.payments.checks import RegisteredOrder
from ringback.domain.payments.merchant.notification import MAX_ATTACH_CHARS, notification_id
from ringback.domain.payments.money import Money
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.payments.timestamps import parse_rfc3339

# Letters, digits and the punctuation Alipay and WeChat Pay allow in out_trade_no;
# no "/" (it is a path segment in the API) and no spaces.
ORDER_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-|*.:]{0,63}")
# Enough to show an order's history; older channel notifications stay queryable by app.
MAX_LINKED_NOTIFICATIONS = 50
NOTIFIED_STATUSES = frozenset({PaymentStatus.PAID, PaymentStatus.CLOSED, PaymentStatus.REFUNDED})


@dataclass(frozen=True, slots=True)
class Payment:
    """What the channel said about the money, from the latest status change."""

    channel: str
    channel_app_id: str
    channel_txn_no: str
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class MerchantNotice:
    """One status the merchant is told about, and the jobs that carry it (the first,
    then one per resend of an already acknowledged notification)."""

    status: PaymentStatus
    notification_id: str
    job_keys: tuple[str, ...]
    at: datetime

    @property
    def job_key(self) -> str:
        return self.job_keys[-1]


@dataclass(frozen=True, slots=True)
class Order:
    app_id: str
    order_no: str
    amount: Money
    status: PaymentStatus
    registered: bool  # False: learned from a channel notification
    created_at: datetime
    notify_url: str | None = None  # overrides the app's
    attach: str | None = None
    channel: str | None = None  # the channel the merchant said the buyer would use
    payment: Payment | None = None
    status_changed_at: datetime | None = None
    notices: tuple[MerchantNotice, ...] = ()
    channel_notifications: tuple[str, ...] = ()  # dedup keys, oldest first
    version: int = 0  # the store's record version this was read at; 0 = not stored

    @property
    def key(self) -> str:
        return order_key(self.app_id, self.order_no)

    def reference(self) -> RegisteredOrder:
        """What a channel notification is checked against: what the merchant
        registered, or for a learned order what the channel said first."""
        return RegisteredOrder(self.app_id, self.order_no, self.amount, channel=self.channel)

    def notice_for(self, status: PaymentStatus) -> MerchantNotice | None:
        for notice in reversed(self.notices):
            if notice.status is status:
                return notice
        return None


def order_key(app_id: str, order_no: str) -> str:
    # app ids hold no ":", so the first ":" separates the two unambiguously.
    return f"{app_id}:{order_no}"


def check_order_no(order_no: object) -> str:
    if not isinstance(order_no, str) or ORDER_NO.fullmatch(order_no) is None:
        raise InvalidInput(
            "order_no is 1-64 letters, digits or _-|*.: starting with a letter or digit",
            field="order_no",
        )
    return order_no


def new_order(
    *,
    app_id: str,
    order_no: str,
    amount: Money,
    now: datetime,
    notify_url: str | None = None,
    attach: str | None = None,
    channel: str | None = None,
) -> Order:
    if amount.amount_minor <= 0:
        raise InvalidInput("amount_minor must be positive", field="amount_minor")
    if attach is not None and len(attach) > MAX_ATTACH_CHARS:
        raise InvalidInput(f"attach is longer than {MAX_ATTACH_CHARS}", field="attach")
    return Order(
        app_id=app_id,
        order_no=check_order_no(order_no),
        amount=amount,
        status=PaymentStatus.PENDING,
        registered=True,
        created_at=now,
        notify_url=notify_url,
        attach=attach,
        channel=channel,
    )


def same_registration(existing: Order, wanted: Order) -> Order | None:
    """Registering an order again: the existing one if it is the same order, an
    adopted copy if it was only learned from a channel; Conflict if it differs."""
    if existing.amount != wanted.amount:
        raise Conflict(
            f"order {existing.order_no} is already registered with amount "
            f"{existing.amount} (not {wanted.amount})",
            field="amount_minor",
        )
    if not existing.registered:
        return replace(
            existing,
            registered=True,
            notify_url=wanted.notify_url,
            attach=wanted.attach,
            channel=wanted.channel,
        )
    for name in ("notify_url", "attach", "channel"):
        if getattr(existing, name) != getattr(wanted, name):
            raise Conflict(
                f"order {existing.order_no} is already registered with another {name}",
                field=name,
            )
    return None


def learned_order(app_id: str, notification: ChannelNotification, now: datetime) -> Order:
    """An order first heard of from the channel (the app allows unregistered orders)."""
    return Order(
        app_id=app_id,
        order_no=notification.order_no,
        amount=notification.amount,
        status=PaymentStatus.PENDING,
        registered=False,
        created_at=now,
    )


def changes_status(current: PaymentStatus, reported: PaymentStatus) -> bool:
    """Whether a reported status is news for the merchant.

    ``pending`` is never news, a repeat is not, and a refund is final: a late "paid"
    resent by a channel after the refund must not tell the merchant to ship.
    """
    if reported not in NOTIFIED_STATUSES or reported is current:
        return False
    return current is not PaymentStatus.REFUNDED


def apply_notification(order: Order, n: ChannelNotification, *, now: datetime) -> Order:
    """The order after a verified, matching channel notification (status unchanged
    unless ``changes_status``; the notification is linked either way)."""
    linked = (*order.channel_notifications, n.dedup_key)[-MAX_LINKED_NOTIFICATIONS:]
    if not changes_status(order.status, n.status):
        return replace(order, channel_notifications=linked)
    notice = MerchantNotice(
        status=n.status,
        notification_id=notification_id(order.app_id, order.order_no, n.status),
        job_keys=(notification_id(order.app_id, order.order_no, n.status),),
        at=now,
    )
    payment = Payment(n.channel, n.app_id, n.channel_txn_no, n.paid_at)
    return replace(
        order,
        status=n.status,
        payment=payment,
        status_changed_at=now,
        notices=(*order.notices, notice),
        channel_notifications=linked,
    )


def with_resend_key(order: Order, notice: MerchantNotice, job_key: str) -> Order:
    """The order with a fresh job recorded for ``notice`` (an operator resend)."""
    renewed = replace(notice, job_keys=(*notice.job_keys, job_key))
    return replace(order, notices=tuple(renewed if n is notice else n for n in order.notices))


# -- to and from the stored JSON ----------------------------------------------------


def order_to_data(order: Order) -> JsonObject:
    payment = order.payment
    return {
        "app_id": order.app_id,
        "order_no": order.order_no,
        "amount_minor": order.amount.amount_minor,
        "currency": order.amount.currency,
        "status": order.status.value,
        "registered": order.registered,
        "created_at": stored_time(order.created_at),
        "notify_url": order.notify_url,
        "attach": order.attach,
        "channel": order.channel,
        "payment": None
        if payment is None
        else {
            "channel": payment.channel,
            "channel_app_id": payment.channel_app_id,
            "channel_txn_no": payment.channel_txn_no,
            "paid_at": _time_or_none(payment.paid_at),
        },
        "status_changed_at": _time_or_none(order.status_changed_at),
        "notices": [
            {
                "status": n.status.value,
                "notification_id": n.notification_id,
                "job_keys": list(n.job_keys),
                "at": stored_time(n.at),
            }
            for n in order.notices
        ],
        "channel_notifications": list(order.channel_notifications),
    }


def order_from_data(data: JsonObject, *, version: int) -> Order:
    payment: dict[str, Any] | None = data.get("payment")
    return Order(
        app_id=data["app_id"],
        order_no=data["order_no"],
        amount=Money(data["amount_minor"], data["currency"]),
        status=PaymentStatus(data["status"]),
        registered=bool(data["registered"]),
        created_at=parse_rfc3339(data["created_at"]),
        notify_url=data.get("notify_url"),
        attach=data.get("attach"),
        channel=data.get("channel"),
        payment=None
        if payment is None
        else Payment(
            channel=payment["channel"],
            channel_app_id=payment["channel_app_id"],
            channel_txn_no=payment["channel_txn_no"],
            paid_at=_parse_or_none(payment.get("paid_at")),
        ),
        status_changed_at=_parse_or_none(data.get("status_changed_at")),
        notices=tuple(
            MerchantNotice(
                status=PaymentStatus(n["status"]),
                notification_id=n["notification_id"],
                job_keys=tuple(n["job_keys"]),
                at=parse_rfc3339(n["at"]),
            )
            for n in data.get("notices", [])
        ),
        channel_notifications=tuple(data.get("channel_notifications", [])),
        version=version,
    )


def stored_time(when: datetime) -> str:
    """UTC with microseconds, so a stored time reads back exactly."""
    return when.astimezone(UTC).isoformat()


def _time_or_none(when: datetime | None) -> str | None:
    return None if when is None else stored_time(when)


def _parse_or_none(text: str | None) -> datetime | None:
    return None if text is None else parse_rfc3339(text)
