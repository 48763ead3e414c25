"""The WeChat Pay transaction bill (交易账单, type ALL), a UTF-8 or GBK CSV.

    交易时间,公众账号ID,商户号,…,微信订单号,商户订单号,…,交易状态,…,货币种类,应结订单金额,…,
        微信退款单号,商户退款单号,退款金额,…
    `2026-11-23 09:12:01,`wx2421b1c4370ec43b,`1900000109,…,`SUCCESS,…,`CNY,`30.00,…
    总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额
    `2,`30.00,`10.00,`0.00,`0.18000,`30.00,`10.00

Every data cell starts with a backtick so spreadsheets keep it as text. 交易状态 SUCCESS is
a payment (amount 应结订单金额), REFUND a refund (amount minus 退款金额), REVOKED/CLOSED a
closed order. The totals row must agree with the row count and the two amount columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..errors import StatementParseError
from .amounts import AmountError, AmountParser
from .base import (
    CLOSED,
    PAID,
    REFUNDED,
    ParsedStatement,
    StatementLine,
    verify_count,
    verify_sum,
)
from .config import ConfigReader
from .csvrows import ColumnIndex, split_csv_line
from .timestamps import TimestampParser

TIME = "交易时间"
MCH_ID = "商户号"
TXN_NO = "微信订单号"
ORDER_NO = "商户订单号"
STATE = "交易状态"
CURRENCY = "货币种类"
SETTLEMENT = "应结订单金额"
REFUND_NO = "商户退款单号"
REFUND_AMOUNT = "退款金额"
STATES = {"SUCCESS": PAID, "REFUND": REFUNDED, "REVOKED": CLOSED, "CLOSED": CLOSED}

TOTAL_COUNT = "总交易单数"
TOTAL_SETTLEMENT = "应结订单总金额"
TOTAL_REFUND = "退款总金额"


@dataclass(frozen=True, slots=True)
class WeChatPayFormat:
    timezone: str = "Asia/Shanghai"

    @property
    def name(self) -> str:
        return "wechatpay"

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> WeChatPayFormat:
        read = ConfigReader(config)
        read.choice("type", ("wechatpay",), "wechatpay")
        spec = cls(timezone=read.zone("timezone", "Asia/Shanghai").key)
        read.finish()
        return spec

    def to_config(self) -> dict[str, object]:
        return {"type": self.name, "timezone": self.timezone}

    def parse(self, text: str) -> ParsedStatement:
        return _WeChatPayParser(self).parse(text)


class _WeChatPayParser:
    def __init__(self, spec: WeChatPayFormat) -> None:
        self.spec = spec
        self.amount = AmountParser()
        self.time = TimestampParser("%Y-%m-%d %H:%M:%S", ZoneInfo(spec.timezone))

    def parse(self, text: str) -> ParsedStatement:
        numbered = [
            (line_no, line.rstrip("\r"))
            for line_no, line in enumerate(text.split("\n"), start=1)
            if line.strip()
        ]
        if len(numbered) < 3:
            raise StatementParseError(
                "a WeChat Pay bill needs a header row, a totals header and a totals row"
            )
        header_no, header = numbered[0]
        needed = (TIME, MCH_ID, TXN_NO, ORDER_NO, STATE, CURRENCY, SETTLEMENT)
        columns = ColumnIndex(
            split_csv_line(header, header_no),
            (*needed, REFUND_NO, REFUND_AMOUNT),
            line_no=header_no,
            line=header,
        )
        totals_header_no, totals_header = numbered[-2]
        if not totals_header.startswith(TOTAL_COUNT):
            raise StatementParseError(
                f"the second-to-last row must be the totals header starting with {TOTAL_COUNT}: "
                "the file is truncated or not a WeChat Pay bill",
                line_no=totals_header_no,
                line=totals_header,
            )
        account: str | None = None
        lines: list[StatementLine] = []
        settlement_minor = 0
        refund_minor = 0
        for line_no, line in numbered[1:-2]:
            cells = columns.cells(line, line_no)
            try:
                settlement = self.amount(cells[SETTLEMENT])
                refund = self.amount(cells[REFUND_AMOUNT] or "0")
            except AmountError as exc:
                raise StatementParseError(str(exc), line_no=line_no, line=line) from exc
            settlement_minor += settlement
            refund_minor += refund
            account = account or cells[MCH_ID] or None
            lines.append(self._line(cells, line_no, line, settlement, refund))
        totals_no, totals_line = numbered[-1]
        declared_count, declared_settlement, declared_refund = self._totals(
            totals_header, totals_header_no, totals_line, totals_no
        )
        verify_count(declared_count, len(lines))
        verify_sum(declared_settlement, settlement_minor, f"{TOTAL_SETTLEMENT}")
        verify_sum(declared_refund, refund_minor, f"{TOTAL_REFUND}")
        return ParsedStatement(
            format=self.spec.name,
            lines=lines,
            declared_count=declared_count,
            declared_total_minor=declared_settlement - declared_refund,
            account=account,
        )

    def _line(
        self, cells: dict[str, str], line_no: int, line: str, settlement: int, refund: int
    ) -> StatementLine:
        status = STATES.get(cells[STATE])
        if status is None:
            raise StatementParseError(
                f"交易状态 {cells[STATE]!r} is not one of {', '.join(STATES)}",
                line_no=line_no,
                line=line,
            )
        if not cells[ORDER_NO]:
            raise StatementParseError("the order number is empty", line_no=line_no, line=line)
        try:
            when = self.time(cells[TIME])
        except ValueError as exc:
            raise StatementParseError(str(exc), line_no=line_no, line=line) from exc
        is_refund = status == REFUNDED
        return StatementLine(
            line_no=line_no,
            order_no=cells[ORDER_NO],
            channel_txn_no=cells[TXN_NO] or None,
            amount_minor=-refund if is_refund else settlement,
            currency=cells[CURRENCY] or "CNY",
            status=status,
            occurred_at=when,
            raw=line,
            refund_no=(cells[REFUND_NO] or None) if is_refund else None,
        )

    def _totals(self, header: str, header_no: int, line: str, line_no: int) -> tuple[int, int, int]:
        columns = ColumnIndex(
            split_csv_line(header, header_no),
            (TOTAL_COUNT, TOTAL_SETTLEMENT, TOTAL_REFUND),
            line_no=header_no,
            line=header,
        )
        cells = columns.cells(line, line_no)
        count_text = cells[TOTAL_COUNT]
        if not count_text.isdigit() or not count_text.isascii():
            raise StatementParseError(
                f"{TOTAL_COUNT} {count_text!r} is not a whole number", line_no=line_no, line=line
            )
        try:
            settlement = self.amount(cells[TOTAL_SETTLEMENT])
            refund = self.amount(cells[TOTAL_REFUND])
        except AmountError as exc:
            raise StatementParseError(str(exc), line_no=line_no, line=line) from exc
        return int(count_text), settlement, refund
