"""The simulated bank's statement file: GBK text, ``|``-separated, zipped.

    对账日期|20261123|商户号|898310048160001|商户名称|上海示例商户有限公司|
    总笔数|3|总金额|168.88|
    商户订单号|银行流水号|交易金额|币种|交易状态|交易时间|退款单号|
    T20261123000001|B2026112300000001|88.88|CNY|00|2026-11-23 09:12:01||
    …

Lines end in CRLF, every field is followed by ``|``, the totals line (count and net
amount) sits in the header, and the zip member is named ``对账单_20261123.txt`` in GBK
(no UTF-8 flag). ``SIMULATOR_FORMAT`` is the delimited-format config that reads it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ..formats.amounts import format_minor
from ..formats.base import CLOSED, PAID, REFUNDED, StatementLine
from .zipwriter import build_zip

BANK_ZONE = "Asia/Shanghai"
STATUS_CODES = {PAID: "00", REFUNDED: "01", CLOSED: "02"}
COLUMNS = ("商户订单号", "银行流水号", "交易金额", "币种", "交易状态", "交易时间", "退款单号")

SIMULATOR_FORMAT: dict[str, Any] = {
    "type": "delimited",
    "delimiter": "|",
    "trailing_delimiter": True,
    "header_lines": 3,
    "columns": list(COLUMNS),
    "fields": {
        "order_no": "商户订单号",
        "channel_txn_no": "银行流水号",
        "amount": "交易金额",
        "currency": "币种",
        "status": "交易状态",
        "occurred_at": "交易时间",
        "refund_no": "退款单号",
    },
    "totals": {"position": "before", "line": 2, "count_column": 1, "amount_column": 3},
    "status_map": {code: status for status, code in STATUS_CODES.items()},
    "date_format": "%Y-%m-%d %H:%M:%S",
    "timezone": BANK_ZONE,
}


def statement_text(
    lines: Sequence[StatementLine],
    *,
    day: date,
    merchant_no: str = "898310048160001",
    merchant_name: str = "上海示例商户有限公司",
) -> str:
    zone = ZoneInfo(BANK_ZONE)
    unknown = {line.status for line in lines} - STATUS_CODES.keys()
    if unknown:
        raise ValueError(f"the simulated bank has no code for status {sorted(unknown)}")
    total_minor = sum(line.amount_minor for line in lines)
    out = [
        f"对账日期|{day:%Y%m%d}|商户号|{merchant_no}|商户名称|{merchant_name}|",
        f"总笔数|{len(lines)}|总金额|{format_minor(total_minor)}|",
        "|".join(COLUMNS) + "|",
    ]
    append = out.append
    for line in lines:
        # isoformat is several times faster than strftime; the offset is cut off.
        local = line.occurred_at.astimezone(zone).isoformat(" ", "seconds")[:19]
        append(
            f"{line.order_no}|{line.channel_txn_no or ''}|{format_minor(line.amount_minor)}|"
            f"{line.currency}|{STATUS_CODES[line.status]}|{local}|{line.refund_no or ''}|"
        )
    return "\r\n".join(out) + "\r\n"


def make_statement_file(
    lines: Sequence[StatementLine],
    encoding: str = "gbk",
    *,
    day: date | None = None,
    merchant_name: str = "上海示例商户有限公司",
) -> bytes:
    """The zip the bank sends (before base64): one GBK ``|`` text member."""
    if day is None:
        if not lines:
            raise ValueError("an empty statement needs its day")
        day = lines[0].occurred_at.astimezone(ZoneInfo(BANK_ZONE)).date()
    text = statement_text(lines, day=day, merchant_name=merchant_name)
    data = text.encode(encoding)
    return build_zip([(f"对账单_{day:%Y%m%d}.txt", data)], name_encoding="gbk")
