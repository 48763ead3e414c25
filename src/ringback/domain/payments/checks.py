"""Does a verified notification fit the order the merchant registered?

A valid signature proves the channel said it; it does not prove the channel was
talking about this order at this price. A merchant's bug (or a reused order number)
can make a genuine notification wrong for the order on file, so every difference is
listed, with its reason, for the audit log and the decision to hold the notification.
"""

from __future__ import annotations

from dataclasses import dataclass

from ringback.domain.payments.channels.base import ChannelNotification
from ringback.domain.payments.merchant.app import MerchantApp
from ringback.domain.payments.money import Money, format_major


@dataclass(frozen=True, slots=True)
class RegisteredOrder:
    """An order as the merchant registered it before sending the buyer to pay."""

    merchant_app_id: str  # the ringback merchant app that owns the order
    order_no: str
    amount: Money
    channel: str | None = None  # the channel the merchant said it would use, if it did
    channel_app_id: str | None = None  # that channel's app id, if the merchant gave it


@dataclass(frozen=True, slots=True)
class Mismatch:
    field: str
    expected: str
    actual: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "expected": self.expected,
            "actual": self.actual,
            "reason": self.reason,
        }


def find_mismatches(
    notification: ChannelNotification, order: RegisteredOrder | None, app: MerchantApp
) -> list[Mismatch]:
    """Every way ``notification`` disagrees with ``order`` and ``app``; empty if none.

    ``order`` is None when no order with that number was registered: that is a
    mismatch unless the app allows unregistered orders.
    """
    found: list[Mismatch] = []
    if notification.channel not in app.allowed_channels:
        found.append(
            Mismatch(
                "channel",
                ", ".join(sorted(app.allowed_channels)),
                notification.channel,
                f"app {app.app_id} does not accept payments through {notification.channel}",
            )
        )
    if order is None:
        if not app.allow_unregistered_orders:
            found.append(
                Mismatch(
                    "order_no",
                    "a registered order",
                    notification.order_no,
                    f"no order {notification.order_no} is registered for app {app.app_id}",
                )
            )
        return found
    found.extend(_order_mismatches(notification, order, app))
    return found


def _order_mismatches(
    notification: ChannelNotification, order: RegisteredOrder, app: MerchantApp
) -> list[Mismatch]:
    found: list[Mismatch] = []
    if order.merchant_app_id != app.app_id:
        found.append(
            Mismatch(
                "app_id", app.app_id, order.merchant_app_id, "the order belongs to another app"
            )
        )
    if order.order_no != notification.order_no:
        found.append(
            Mismatch("order_no", order.order_no, notification.order_no, "the order number differs")
        )
    if order.channel is not None and order.channel != notification.channel:
        found.append(
            Mismatch(
                "channel",
                order.channel,
                notification.channel,
                "paid through another channel than the order named",
            )
        )
    if order.channel_app_id is not None and order.channel_app_id != notification.app_id:
        found.append(
            Mismatch(
                "channel_app_id",
                order.channel_app_id,
                notification.app_id,
                "paid to another channel application than the order named",
            )
        )
    expected, actual = order.amount, notification.amount
    if expected.currency != actual.currency:
        found.append(
            Mismatch("currency", expected.currency, actual.currency, "the currency differs")
        )
    elif expected.amount_minor != actual.amount_minor:
        direction = "less" if actual.amount_minor < expected.amount_minor else "more"
        found.append(
            Mismatch(
                "amount",
                format_major(expected),
                format_major(actual),
                f"the channel reports {direction} than the order amount",
            )
        )
    return found
