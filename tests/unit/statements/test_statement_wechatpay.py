"""The WeChat Pay bill: backtick-guarded cells, a totals header and a totals row at the end."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from ringback.domain.statements import StatementParseError, decode_statement, parse_format_spec
from ringback.domain.statements.formats import ParsedStatement, WeChatPayFormat
from ringback.domain.statements.simulator import build_zip

HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
TOTALS_HEADER = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)


def row(
    at: str,
    txn: str,
    order: str,
    state: str,
    settlement: str,
    goods: str,
    refund_no: str = "0",
    refund: str = "0.00",
) -> str:
    cells = [
        at,
        "wx2421b1c4370ec43b",
        "1900000109",
        "0",
        "",
        txn,
        order,
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "NATIVE",
        state,
        "CMB_CREDIT",
        "CNY",
        settlement,
        "0.00",
        "50000001" if state == "REFUND" else "0",
        refund_no,
        refund,
        "0.00",
        "ORIGINAL" if state == "REFUND" else "",
        "SUCCESS" if state == "REFUND" else "",
        goods,
        "",
        "0.18000",
        "0.60%",
        settlement,
        refund,
        "",
    ]
    return ",".join("`" + cell for cell in cells)


ROWS = [
    row(
        "2026-11-23 09:12:01",
        "4200001234202611230001",
        "T20261123000001",
        "SUCCESS",
        "30.00",
        "成都锦里蜀锦围巾",
    ),
    row(
        "2026-11-23 10:00:00",
        "4200001234202611230002",
        "T20261123000002",
        "SUCCESS",
        "58.00",
        "桂林米粉礼盒",
    ),
    row(
        "2026-11-23 11:00:00",
        "4200001234202611230003",
        "T20261123000003",
        "REVOKED",
        "0.00",
        "云南普洱",
    ),
    row(
        "2026-11-23 15:30:00",
        "4200001234202611230001",
        "T20261123000001",
        "REFUND",
        "0.00",
        "成都锦里蜀锦围巾",
        "RF20261123001",
        "10.00",
    ),
]


def bill(rows: list[str], totals: str = "`4,`88.00,`10.00,`0.00,`0.72000,`88.00,`10.00") -> str:
    return "\r\n".join([HEADER, *rows, TOTALS_HEADER, totals]) + "\r\n"


def parse(text: str) -> ParsedStatement:
    return parse_format_spec({"type": "wechatpay"}).parse(text)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_realistic_bill_through_a_zip(encoding: str) -> None:
    archive = build_zip([("微信支付账单_20261123.csv", bill(ROWS).encode(encoding))])
    decoded = decode_statement(base64.b64encode(archive).decode())
    parsed = parse(decoded.text)
    assert parsed.format == "wechatpay"
    assert parsed.account == "1900000109"
    assert parsed.declared_count == 4
    assert parsed.declared_total_minor == 7800
    assert [(line.order_no, line.amount_minor, line.status) for line in parsed.lines] == [
        ("T20261123000001", 3000, "paid"),
        ("T20261123000002", 5800, "paid"),
        ("T20261123000003", 0, "closed"),
        ("T20261123000001", -1000, "refunded"),
    ]
    refund = parsed.lines[-1]
    assert refund.refund_no == "RF20261123001"
    assert refund.channel_txn_no == "4200001234202611230001"
    assert refund.occurred_at == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    assert refund.line_no == 5
    assert parsed.lines[0].refund_no is None


@pytest.mark.parametrize(
    ("totals", "message"),
    [
        ("`5,`88.00,`10.00,`0.00,`0.72000,`88.00,`10.00", "declares 5 rows but holds 4"),
        ("`4,`88.01,`10.00,`0.00,`0.72000,`88.00,`10.00", "88.01 but its rows add up to 88.00"),
        ("`4,`88.00,`9.00,`0.00,`0.72000,`88.00,`10.00", "9.00 but its rows add up to 10.00"),
        ("`4,`88.00", "expected 7 columns, found 2"),
        ("`four,`88.00,`10.00,`0.00,`0.72000,`88.00,`10.00", "总交易单数 'four'"),
    ],
)
def test_totals_row_is_verified(totals: str, message: str) -> None:
    with pytest.raises(StatementParseError, match=message):
        parse(bill(ROWS, totals))


def test_truncated_bill_without_totals() -> None:
    text = "\r\n".join([HEADER, *ROWS]) + "\r\n"
    with pytest.raises(StatementParseError, match="totals header") as caught:
        parse(text)
    assert caught.value.line_no == 4


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (row("2026-11-23 09:30:00", "4200009", "T9", "SUCCESS", "3O.00", "茶"), "amount '3O.00'"),
        (row("2026-11-23 09:30:00", "4200009", "T9", "PAYING", "30.00", "茶"), "交易状态 'PAYING'"),
        (row("23/11/2026 09:30", "4200009", "T9", "SUCCESS", "30.00", "茶"), "does not match"),
        (
            row("2026-11-23 09:30:00", "4200009", "", "SUCCESS", "30.00", "茶"),
            "order number is empty",
        ),
    ],
)
def test_bad_row_names_its_line(bad: str, message: str) -> None:
    with pytest.raises(StatementParseError) as caught:
        parse(bill([ROWS[0], bad, *ROWS[1:]]))
    assert caught.value.line_no == 3
    assert message in caught.value.message
    assert caught.value.line == bad


def test_header_without_needed_columns() -> None:
    with pytest.raises(StatementParseError, match="lacks the column"):
        parse(bill(ROWS).replace("商户订单号", "订单"))


def test_too_short_to_be_a_bill() -> None:
    with pytest.raises(StatementParseError, match="needs a header row"):
        parse(HEADER + "\r\n")


def test_config() -> None:
    spec = parse_format_spec({"type": "wechatpay", "timezone": "Asia/Shanghai"})
    assert isinstance(spec, WeChatPayFormat)
    assert parse_format_spec(spec.to_config()) == spec
