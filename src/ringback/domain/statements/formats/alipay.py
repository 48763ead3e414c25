"""The Alipay merchant bill (业务明细), as downloaded from the open platform: a GBK CSV.

    #支付宝业务明细查询
    #账号：[20881234567890120156]
    #起始日期：[2026年11月23日 00:00:00]   终止日期：[2026年11月24日 00:00:00]
    #----------------------------------------业务明细列表----------------------------------------
    支付宝交易号,商户订单号,业务类型,…,完成时间,…,订单金额（元）,商家实收（元）,…,退款批次号/请求号,…
    2026112322001412345678901234\t,T20261123000001\t,交易,…,30.00,30.00,…
    2026112322001412345678901234\t,T20261123000001\t,退款,…,-10.00,-10.00,…,R0001\t,…
    #----------------------------------------业务明细列表结束------------------------------------
    #交易合计：1笔，商家实收共30.00元，商家优惠共0.00元
    #退款合计：1笔，商家实收退款共-10.00元，商家优惠退款共0.00元
    #导出时间：[2026年11月24日 09:30:12]

Ids end in a tab so spreadsheets keep them as text. 业务类型 交易 is a payment, 退款 a
refund (negative amounts). The footer's counts and 商家实收 sums are checked per kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..errors import StatementParseError
from .amounts import AmountError, AmountParser
from .base import PAID, REFUNDED, ParsedStatement, StatementLine, verify_count, verify_sum
from .config import ConfigReader
from .csvrows import ColumnIndex, split_csv_line
from .timestamps import TimestampParser

TXN_NO = "支付宝交易号"
ORDER_NO = "商户订单号"
KIND = "业务类型"
CREATED_AT = "创建时间"
FINISHED_AT = "完成时间"
ORDER_AMOUNT = "订单金额（元）"
RECEIVED = "商家实收（元）"
REFUND_NO = "退款批次号/请求号"
KINDS = {"交易": PAID, "退款": REFUNDED}

_ACCOUNT = re.compile(r"#账号：\[([^\]]*)\]")
_TRADE_TOTALS = re.compile(r"#交易合计：(\d+)笔，商家实收共([-+\d.,]+)元")
_REFUND_TOTALS = re.compile(r"#退款合计：(\d+)笔，商家实收退款共([-+\d.,]+)元")


@dataclass(frozen=True, slots=True)
class AlipayFormat:
    amount_column: str = ORDER_AMOUNT  # the column matched against our orders
    timezone: str = "Asia/Shanghai"

    @property
    def name(self) -> str:
        return "alipay"

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> AlipayFormat:
        read = ConfigReader(config)
        read.choice("type", ("alipay",), "alipay")
        spec = cls(
            amount_column=read.choice("amount_column", (ORDER_AMOUNT, RECEIVED), ORDER_AMOUNT),
            timezone=read.zone("timezone", "Asia/Shanghai").key,
        )
        read.finish()
        return spec

    def to_config(self) -> dict[str, object]:
        return {"type": self.name, "amount_column": self.amount_column, "timezone": self.timezone}

    def parse(self, text: str) -> ParsedStatement:
        return _AlipayParser(self).parse(text)


@dataclass(slots=True)
class _Sums:
    count: int = 0
    received_minor: int = 0


class _AlipayParser:
    def __init__(self, spec: AlipayFormat) -> None:
        self.spec = spec
        self.amount = AmountParser(thousands=True)
        self.time = TimestampParser("%Y-%m-%d %H:%M:%S", ZoneInfo(spec.timezone))

    def parse(self, text: str) -> ParsedStatement:
        account: str | None = None
        columns: ColumnIndex | None = None
        lines: list[StatementLine] = []
        sums = {PAID: _Sums(), REFUNDED: _Sums()}
        footer: list[tuple[int, str]] = []
        for line_no, line in enumerate(text.split("\n"), start=1):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            if line.startswith("#"):
                found = _ACCOUNT.match(line)
                if found:
                    account = found.group(1).strip()
                if columns is not None:
                    footer.append((line_no, line))
                continue
            if footer:
                raise StatementParseError(
                    "a detail row after the footer", line_no=line_no, line=line
                )
            if columns is None:
                needed = (TXN_NO, ORDER_NO, KIND, CREATED_AT, FINISHED_AT, REFUND_NO)
                columns = ColumnIndex(
                    split_csv_line(line, line_no),
                    (*needed, ORDER_AMOUNT, RECEIVED),
                    line_no=line_no,
                    line=line,
                )
                continue
            lines.append(self._row(columns, line, line_no, sums))
        if columns is None:
            raise StatementParseError("no column header row: this is not an Alipay bill")
        self._verify(footer, sums)
        declared_count = sums[PAID].count + sums[REFUNDED].count
        declared_total = sums[PAID].received_minor + sums[REFUNDED].received_minor
        return ParsedStatement(
            format=self.spec.name,
            lines=lines,
            declared_count=declared_count,
            declared_total_minor=declared_total,
            account=account,
        )

    def _row(
        self, columns: ColumnIndex, line: str, line_no: int, sums: dict[str, _Sums]
    ) -> StatementLine:
        cells = columns.cells(line, line_no)
        status = KINDS.get(cells[KIND])
        if status is None:
            raise StatementParseError(
                f"业务类型 {cells[KIND]!r} is neither 交易 nor 退款", line_no=line_no, line=line
            )
        try:
            amount = self.amount(cells[self.spec.amount_column])
            received = self.amount(cells[RECEIVED])
            when = self.time(cells[FINISHED_AT] or cells[CREATED_AT])
        except (AmountError, ValueError) as exc:
            raise StatementParseError(str(exc), line_no=line_no, line=line) from exc
        if (status == REFUNDED) != (amount < 0) and amount != 0:
            raise StatementParseError(
                "refund rows must be negative and payment rows positive",
                line_no=line_no,
                line=line,
            )
        if not cells[ORDER_NO]:
            raise StatementParseError("the order number is empty", line_no=line_no, line=line)
        sums[status].count += 1
        sums[status].received_minor += received
        return StatementLine(
            line_no=line_no,
            order_no=cells[ORDER_NO],
            channel_txn_no=cells[TXN_NO] or None,
            amount_minor=amount,
            currency="CNY",
            status=status,
            occurred_at=when,
            raw=line,
            refund_no=(cells[REFUND_NO] or None) if status == REFUNDED else None,
        )

    def _verify(self, footer: list[tuple[int, str]], sums: dict[str, _Sums]) -> None:
        for pattern, status, label in (
            (_TRADE_TOTALS, PAID, "交易合计"),
            (_REFUND_TOTALS, REFUNDED, "退款合计"),
        ):
            found = [(no, line, m) for no, line in footer if (m := pattern.match(line))]
            if not found:
                raise StatementParseError(
                    f"no #{label} footer line: the file is truncated or not an Alipay bill"
                )
            line_no, line, match = found[0]
            try:
                declared_minor = self.amount(match.group(2))
            except AmountError as exc:
                raise StatementParseError(str(exc), line_no=line_no, line=line) from exc
            kind = "payment" if status == PAID else "refund"
            verify_count(int(match.group(1)), sums[status].count, f"{kind} rows")
            verify_sum(declared_minor, sums[status].received_minor, f"{kind} 商家实收 total")
