"""Pure rules of pulling: when a request may go, and our orders as ledger entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ringback.core.errors import ConfigError
from ringback.domain.payments.money import Money
from ringback.domain.payments.orders import MerchantNotice, Order, Payment
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.statements.pulls import GateState, LedgerKind, free_slot, order_entries
from ringback.domain.statements.pulls.gate import wait_until
from ringback.domain.statements.pulls.ledger_spec import parse_ledger_spec

T = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
HALF = timedelta(minutes=30)


def test_the_gate_allows_a_request_only_a_whole_interval_after_the_last() -> None:
    assert wait_until(GateState(None, None), HALF, T) is None
    last = GateState(T, "statements.pull:bank:2026-11-23")
    assert wait_until(last, HALF, T + HALF - timedelta(microseconds=1)) == T + HALF
    assert wait_until(last, HALF, T + HALF) is None
    # A clock that went backwards does not open the gate early.
    assert wait_until(last, HALF, T - timedelta(hours=1)) == T + HALF


def test_a_free_slot_comes_after_the_last_request_and_every_earlier_queued_pull() -> None:
    assert free_slot(None, HALF, T, []) == T
    assert free_slot(T, HALF, T + timedelta(minutes=10), []) == T + HALF
    # Two pulls queued at or before our slot each take one; a later one does not.
    queued = [T + HALF, T + timedelta(minutes=40), T + timedelta(hours=5)]
    assert free_slot(T, HALF, T, queued) == T + 3 * HALF
    assert free_slot(T - timedelta(hours=2), HALF, T, [T - timedelta(minutes=1)]) == T + HALF


def order(status: PaymentStatus, **extra: object) -> Order:
    paid_at = T - timedelta(hours=6)
    notices = (MerchantNotice(PaymentStatus.PAID, "n1", ("k1",), paid_at + timedelta(seconds=3)),)
    if status is PaymentStatus.REFUNDED:
        refund = MerchantNotice(PaymentStatus.REFUNDED, "n2", ("k2",), paid_at + HALF)
        notices += (refund,)
    values: dict[str, object] = {
        "app_id": "shop",
        "order_no": "A1",
        "amount": Money(8888, "CNY"),
        "status": status,
        "registered": True,
        "created_at": paid_at - timedelta(minutes=1),
        "payment": Payment("alipay", "2021", "TXN1", paid_at),
        "notices": notices if status is not PaymentStatus.PENDING else (),
    }
    values.update(extra)
    return Order(**values)  # type: ignore[arg-type]


def test_a_paid_order_is_one_entry_at_its_payment_time() -> None:
    [entry] = order_entries(order(PaymentStatus.PAID))
    assert (entry.order_no, entry.channel_txn_no, entry.amount_minor) == ("A1", "TXN1", 8888)
    assert (entry.status, entry.currency) == ("paid", "CNY")
    assert entry.occurred_at == T - timedelta(hours=6)


def test_a_refunded_order_is_a_payment_and_a_refund() -> None:
    paid, refund = order_entries(order(PaymentStatus.REFUNDED))
    assert paid.amount_minor == 8888 and paid.status == "paid"
    assert refund.amount_minor == -8888 and refund.status == "refunded"
    assert refund.occurred_at == T - timedelta(hours=6) + HALF


def test_without_the_channel_time_the_notice_time_counts() -> None:
    [entry] = order_entries(order(PaymentStatus.PAID, payment=None))
    assert entry.occurred_at == T - timedelta(hours=6) + timedelta(seconds=3)
    assert entry.channel_txn_no is None


@pytest.mark.parametrize("status", [PaymentStatus.PENDING, PaymentStatus.CLOSED])
def test_orders_that_moved_no_money_give_no_entry(status: PaymentStatus) -> None:
    assert order_entries(order(status)) == []


def test_ledger_specs(tmp_path: Path) -> None:
    assert parse_ledger_spec("orders", base_dir=tmp_path, field="f").kind is LedgerKind.ORDERS
    one_app = parse_ledger_spec("orders:shop-1", base_dir=tmp_path, field="f")
    assert one_app.app_id == "shop-1" and one_app.describe() == "orders:shop-1"
    csv = parse_ledger_spec("csv:a/b.csv", base_dir=tmp_path, field="f")
    assert csv.path == (tmp_path / "a" / "b.csv").resolve()
    assert parse_ledger_spec("none", base_dir=tmp_path, field="f").kind is LedgerKind.NONE
    for bad in ("orders:", "csv:", "ledger", "none:x"):
        with pytest.raises(ConfigError):
            parse_ledger_spec(bad, base_dir=tmp_path, field="f")
