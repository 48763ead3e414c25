"""Our side of a reconciliation: one money movement (a payment or a refund) per entry.

An order that was paid and later refunded is two entries, exactly as it is two lines on the
bank's statement. Like ``StatementLine`` this is a NamedTuple so that a million of them are
cheap to build.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class LedgerEntry(NamedTuple):
    order_no: str
    channel_txn_no: str | None
    amount_minor: int  # signed: refunds are negative, as on the statement
    currency: str
    status: str  # paid, refunded, closed … in the statement formats' vocabulary
    occurred_at: datetime  # UTC
    refund_no: str | None = None  # our refund number, on refund entries
