"""The parsed statement: lines with exact amounts in minor units and UTC times.

``StatementLine`` is a NamedTuple rather than a dataclass on purpose: a daily file can hold
a million lines, and a NamedTuple is built about three times faster than a frozen
dataclass while being just as immutable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from ..errors import StatementParseError
from .amounts import format_minor

PAID = "paid"
REFUNDED = "refunded"
CLOSED = "closed"


class StatementLine(NamedTuple):
    line_no: int  # 1-based line number in the decoded text
    order_no: str  # the merchant's order number (ours)
    channel_txn_no: str | None  # the bank's or channel's transaction number
    amount_minor: int  # signed: refunds are negative
    currency: str
    status: str  # paid, refunded, closed … after the format's status mapping
    occurred_at: datetime  # UTC
    raw: str  # the line as it was in the file
    refund_no: str | None = None  # the merchant's refund number, on refund lines


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    format: str  # delimited, alipay, wechatpay
    lines: Sequence[StatementLine]
    declared_count: int | None  # what the file says it holds; None if it has no totals
    declared_total_minor: int | None  # net of refunds, in minor units
    account: str | None = None  # merchant or account id named in the file, if any

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)


class StatementFormat(Protocol):
    """A configured file format: text in, verified statement out."""

    @property
    def name(self) -> str: ...

    def parse(self, text: str) -> ParsedStatement: ...

    def to_config(self) -> dict[str, object]: ...


def verify_count(declared: int, parsed: int, what: str = "rows") -> None:
    if declared != parsed:
        raise StatementParseError(
            f"totals do not match: the file declares {declared} {what} but holds {parsed}"
        )


def verify_sum(declared_minor: int, parsed_minor: int, what: str = "total amount") -> None:
    if declared_minor != parsed_minor:
        raise StatementParseError(
            f"totals do not match: the file declares a {what} of {format_minor(declared_minor)} "
            f"but its rows add up to {format_minor(parsed_minor)}"
        )
