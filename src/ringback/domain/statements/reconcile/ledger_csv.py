"""Import our side from a CSV ledger (an export of our orders and refunds).

The first row names the columns; ``order_no``, ``amount``, ``status`` and ``occurred_at``
are required, ``channel_txn_no``, ``currency`` and ``refund_no`` optional, and any other
column is ignored. Amounts are decimal major units ("88.88", "-12.00") read with Decimal;
times are ISO 8601 with an offset ("2026-11-23T09:12:01+08:00").
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from ringback.core.errors import InvalidInput

from ..formats.amounts import AmountError, AmountParser
from .ledger import LedgerEntry

REQUIRED_COLUMNS = ("order_no", "amount", "status", "occurred_at")
OPTIONAL_COLUMNS = ("channel_txn_no", "currency", "refund_no")


def parse_ledger_csv(
    text: str, *, minor_digits: int = 2, default_currency: str = "CNY"
) -> list[LedgerEntry]:
    """Every row as a ``LedgerEntry``, or ``InvalidInput`` naming the line and column."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput(f"ledger line 1: not CSV: {exc}", field="ledger") from exc
    if header is None:
        raise InvalidInput("the ledger is empty: it needs a header row", field="ledger")
    names = [name.strip() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise InvalidInput(
            f"ledger header lacks the column(s) {', '.join(missing)}", field=missing[0]
        )
    at = {
        name: names.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in names
    }
    amount = AmountParser(minor_digits=minor_digits, thousands=True)
    entries: list[LedgerEntry] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            entries.append(_entry(row, at, reader.line_num, amount, default_currency))
    except csv.Error as exc:
        raise InvalidInput(
            f"ledger line {reader.line_num}: not CSV: {exc}", field="ledger"
        ) from exc
    return entries


def _entry(
    row: list[str], at: dict[str, int], line_no: int, amount: AmountParser, currency: str
) -> LedgerEntry:
    if max(at.values()) >= len(row):
        raise InvalidInput(
            f"ledger line {line_no}: {len(row)} cells, fewer than the header", field="ledger"
        )
    cells = {name: row[index].strip() for name, index in at.items()}
    for name in ("order_no", "status"):
        if not cells[name]:
            raise _bad(line_no, name, "is empty")
    try:
        amount_minor = amount(cells["amount"])
    except AmountError as exc:
        raise _bad(line_no, "amount", str(exc)) from exc
    return LedgerEntry(
        order_no=cells["order_no"],
        channel_txn_no=cells.get("channel_txn_no") or None,
        amount_minor=amount_minor,
        currency=cells.get("currency") or currency,
        status=cells["status"],
        occurred_at=_time(cells["occurred_at"], line_no),
        refund_no=cells.get("refund_no") or None,
    )


def _time(text: str, line_no: int) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(line_no, "occurred_at", f"{text!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise _bad(line_no, "occurred_at", f"{text!r} has no offset; write e.g. {text}+08:00")
    return when.astimezone(UTC)


def _bad(line_no: int, column: str, problem: str) -> InvalidInput:
    return InvalidInput(f"ledger line {line_no}: {column} {problem}", field=column)
