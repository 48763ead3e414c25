"""The payment states ringback tells merchants about, whatever the channel calls them."""

from __future__ import annotations

import enum


class PaymentStatus(enum.StrEnum):
    PAID = "paid"  # money received (Alipay TRADE_SUCCESS/FINISHED, WeChat SUCCESS)
    CLOSED = "closed"  # the trade ended without payment (timed out, cancelled, failed)
    REFUNDED = "refunded"  # paid, then refunded in full
    PENDING = "pending"  # created, waiting for the buyer to pay
