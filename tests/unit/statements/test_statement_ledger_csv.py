"""Importing our side from a CSV ledger."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ringback.core.errors import InvalidInput
from ringback.domain.statements import LedgerEntry, parse_ledger_csv

LEDGER = (
    "\ufefforder_no,shop,amount,currency,status,occurred_at,channel_txn_no,refund_no\r\n"
    "T20261123000001,西湖店,88.88,CNY,paid,2026-11-23T09:12:01+08:00,4200001,\r\n"
    'T20261123000002,锦里店,"1,234.56",,paid,2026-11-23T01:30:00Z,,\r\n'
    "\r\n"
    "T20261123000001,西湖店,-12.00,CNY,refunded,2026-11-23T15:00:00+08:00,4200001,RF1\r\n"
)


def test_parses_entries_exactly() -> None:
    entries = parse_ledger_csv(LEDGER)
    assert entries == [
        LedgerEntry(
            "T20261123000001",
            "4200001",
            8888,
            "CNY",
            "paid",
            datetime(2026, 11, 23, 1, 12, 1, tzinfo=UTC),
            None,
        ),
        LedgerEntry(
            "T20261123000002",
            None,
            123456,
            "CNY",
            "paid",
            datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
            None,
        ),
        LedgerEntry(
            "T20261123000001",
            "4200001",
            -1200,
            "CNY",
            "refunded",
            datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
            "RF1",
        ),
    ]


def test_minimal_columns_and_default_currency() -> None:
    text = "order_no,amount,status,occurred_at\nA,1.5,paid,2026-11-23T00:00:00+00:00\n"
    [only] = parse_ledger_csv(text, default_currency="USD")
    assert (only.amount_minor, only.currency, only.channel_txn_no) == (150, "USD", None)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("", "ledger", "empty"),
        ("order_no,amount,occurred_at\n", "status", "lacks the column(s) status"),
        (
            "order_no,amount,status,occurred_at\nA,1.234,paid,2026-11-23T00:00:00Z\n",
            "amount",
            "ledger line 2: amount",
        ),
        (
            "order_no,amount,status,occurred_at\nA,abc,paid,2026-11-23T00:00:00Z\n",
            "amount",
            "ledger line 2",
        ),
        (
            "order_no,amount,status,occurred_at\nA,1,paid,2026-11-23 08:00:00\n",
            "occurred_at",
            "has no offset",
        ),
        (
            "order_no,amount,status,occurred_at\nA,1,paid,yesterday\n",
            "occurred_at",
            "not an ISO 8601",
        ),
        (
            "order_no,amount,status,occurred_at\n,1,paid,2026-11-23T00:00:00Z\n",
            "order_no",
            "is empty",
        ),
        ("order_no,amount,status,occurred_at\nA,1,,2026-11-23T00:00:00Z\n", "status", "is empty"),
        ("order_no,amount,status,occurred_at\nA,1\n", "ledger", "fewer than the header"),
        ('order_no,amount,status,occurred_at\nA,"1,paid,x\n', "ledger", "not CSV"),
    ],
)
def test_bad_ledgers_name_line_and_column(text: str, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_ledger_csv(text)
    assert caught.value.field == field
    assert message in caught.value.message
