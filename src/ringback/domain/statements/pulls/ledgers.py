"""Our side of a day's reconciliation: entries from ringback's orders or from a CSV ledger.

An order that was paid is one entry (+amount, at the payment time); one that was then
refunded is a second entry (−amount, at the refund). Closed and pending orders moved no
money and give none. Only entries inside the statement day (in the reconciliation's
``day_zone``) are used; items near midnight are the reconciler's ``pending`` business.

Orders are found by their creation time: those created up to ``ORDERS_LOOKBACK`` before
the day are read. A refund of an older order is not seen this way; reconcile such days
against a CSV export.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from ringback.core.errors import InvalidInput
from ringback.core.store.contract import Store
from ringback.domain.payments.orders import Order
from ringback.domain.payments.repository import NS_ORDER, order_of
from ringback.domain.payments.status import PaymentStatus

from ..formats import PAID, REFUNDED
from ..reconcile import LedgerEntry, ReconcileOptions, parse_ledger_csv
from .ledger_spec import LedgerKind, LedgerSpec

ORDERS_LOOKBACK = timedelta(days=7)
PAGE = 500


async def load_ledger(
    store: Store,
    spec: LedgerSpec,
    day: date,
    options: ReconcileOptions,
    *,
    csv_text: str | None = None,
) -> list[LedgerEntry]:
    """The day's entries; ``csv_text`` (a ledger given by hand) overrides ``spec``."""
    start, end = options.day_bounds(day)
    if csv_text is not None:
        return _within(parse_ledger_csv(csv_text), start, end)
    if spec.kind is LedgerKind.CSV:
        assert spec.path is not None
        text = await asyncio.to_thread(_read, spec.path)
        return _within(parse_ledger_csv(text), start, end)
    if spec.kind is LedgerKind.ORDERS:
        return await _from_orders(store, spec.app_id, start, end)
    raise InvalidInput(
        "this source has no ledger (ledger = 'none'); give one with --ledger-csv",
        field="ledger",
    )


def order_entries(order: Order) -> list[LedgerEntry]:
    """The money movements an order stands for (pure)."""
    if order.status not in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
        return []
    payment = order.payment
    paid_notice = order.notice_for(PaymentStatus.PAID)
    paid_at = (
        (payment.paid_at if payment is not None else None)
        or (paid_notice.at if paid_notice is not None else None)
        or order.created_at
    )
    txn = None if payment is None else payment.channel_txn_no
    money = order.amount
    entries = [LedgerEntry(order.order_no, txn, money.amount_minor, money.currency, PAID, paid_at)]
    if order.status is PaymentStatus.REFUNDED:
        refund_notice = order.notice_for(PaymentStatus.REFUNDED)
        refunded_at = (
            refund_notice.at if refund_notice is not None else order.status_changed_at
        ) or paid_at
        entries.append(
            LedgerEntry(
                order.order_no, txn, -money.amount_minor, money.currency, REFUNDED, refunded_at
            )
        )
    return entries


async def _from_orders(
    store: Store, app_id: str | None, start: datetime, end: datetime
) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    before: tuple[datetime, str] | None = None
    while True:
        page = await store.list_records(
            NS_ORDER,
            group=app_id,
            ref_from=start - ORDERS_LOOKBACK,
            ref_to=end,
            limit=PAGE,
            before=before,
        )
        for record in page:
            entries.extend(order_entries(order_of(record)))
        if len(page) < PAGE:
            return _within(entries, start, end)
        before = (page[-1].ref_time, page[-1].key)


def _within(entries: Iterable[LedgerEntry], start: datetime, end: datetime) -> list[LedgerEntry]:
    return [entry for entry in entries if start <= entry.occurred_at < end]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read the ledger {path}: {error}", field="ledger") from None
