"""Deciding what a verified channel notification does to an order. Pure: no I/O.

The service reads the order, asks ``decide``, and writes what it says in one store
transaction: the channel notification, the order, and the merchant notification job
when the status changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ringback.domain.payments.channels import ChannelNotification
from ringback.domain.payments.checks import Mismatch, find_mismatches
from ringback.domain.payments.merchant import MerchantApp
from ringback.domain.payments.orders import (
    MerchantNotice,
    Order,
    apply_notification,
    learned_order,
)

# The audit log's reason for a genuine notification that does not fit, by the first
# field found different.
_MISMATCH_REASONS = {
    "order_no": "unknown_order",
    "amount": "amount_mismatch",
    "currency": "currency_mismatch",
    "channel": "channel_mismatch",
    "channel_app_id": "channel_app_mismatch",
    "app_id": "app_mismatch",
}


@dataclass(frozen=True, slots=True)
class Accepted:
    before: Order | None  # None: the order is new (learned from this notification)
    after: Order

    @property
    def new_notice(self) -> MerchantNotice | None:
        """The status the merchant must now be told about, if this changed it."""
        before_notices = 0 if self.before is None else len(self.before.notices)
        if len(self.after.notices) > before_notices:
            return self.after.notices[-1]
        return None


@dataclass(frozen=True, slots=True)
class Refused:
    reason_code: str
    message: str
    mismatches: tuple[Mismatch, ...]


def mismatch_reason(mismatches: Sequence[Mismatch]) -> str:
    return _MISMATCH_REASONS.get(mismatches[0].field, "mismatch")


def decide(
    app: MerchantApp, order: Order | None, n: ChannelNotification, *, now: datetime
) -> Accepted | Refused:
    """Accept ``n`` for ``order`` of ``app`` (None: no such order), or refuse it."""
    reference = None if order is None else order.reference()
    mismatches = find_mismatches(n, reference, app)
    if mismatches:
        reasons = "; ".join(m.reason for m in mismatches)
        return Refused(mismatch_reason(mismatches), reasons, tuple(mismatches))
    base = order if order is not None else learned_order(app.app_id, n, now)
    return Accepted(before=order, after=apply_notification(base, n, now=now))
