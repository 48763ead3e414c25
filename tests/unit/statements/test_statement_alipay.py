"""The Alipay bill: GBK CSV with '#' header and footer lines and tab-guarded ids."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from ringback.domain.statements import StatementParseError, decode_statement, parse_format_spec
from ringback.domain.statements.formats import AlipayFormat, ParsedStatement
from ringback.domain.statements.simulator import build_zip

COLUMNS = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,"
    "终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)


def row(
    txn: str,
    order: str,
    kind: str,
    goods: str,
    finished: str,
    amount: str,
    received: str,
    refund_no: str = "",
) -> str:
    amount, received = (f'"{value}"' if "," in value else value for value in (amount, received))
    cells = [
        f"{txn}\t",
        f"{order}\t",
        kind,
        goods,
        finished,
        finished,
        "",
        "西湖店",
        "",
        "",
        "138****0000",
        amount,
        received,
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "",
        "0.00",
        "0.00",
        f"{refund_no}\t" if refund_no else "",
        "-0.18",
        "0.00",
        "",
    ]
    return ",".join(cells)


ROWS = [
    row(
        "2026112322001412340001",
        "T20261123000001",
        "交易",
        "西湖龙井 250g",
        "2026-11-23 09:12:05",
        "30.00",
        "30.00",
    ),
    row(
        "2026112322001412340002",
        "T20261123000002",
        "交易",
        "明前碧螺春",
        "2026-11-23 23:59:58",
        "1,280.00",
        "1,270.00",
    ),
    row(
        "2026112322001412340001",
        "T20261123000001",
        "退款",
        "西湖龙井 250g",
        "2026-11-23 15:00:00",
        "-10.00",
        "-10.00",
        "RF0001",
    ),
]


def bill(
    rows: list[str],
    *,
    trade: str = "2笔，商家实收共1,300.00元",
    refund: str = "1笔，商家实收退款共-10.00元",
) -> str:
    lines = [
        "#支付宝业务明细查询",
        "#账号：[20881234567890120156]",
        "#起始日期：[2026年11月23日 00:00:00]   终止日期：[2026年11月24日 00:00:00]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        COLUMNS,
        *rows,
        "#-----------------------------------------业务明细列表结束------------------------------------",
        f"#交易合计：{trade}，商家优惠共0.00元",
        f"#退款合计：{refund}，商家优惠退款共0.00元",
        "#导出时间：[2026年11月24日 09:30:12]",
    ]
    return "\r\n".join(lines) + "\r\n"


def parse(text: str, **config: str) -> ParsedStatement:
    return parse_format_spec({"type": "alipay", **config}).parse(text)


def test_realistic_gbk_bill_through_a_zip() -> None:
    archive = build_zip([("20881234567890120156_20261123_业务明细.csv", bill(ROWS).encode("gbk"))])
    decoded = decode_statement(base64.b64encode(archive).decode(), encoding="gbk")
    parsed = parse_format_spec({"type": "alipay"}).parse(decoded.text)
    assert parsed.format == "alipay"
    assert parsed.account == "20881234567890120156"
    assert parsed.declared_count == 3
    assert parsed.declared_total_minor == 129000
    first, second, refund = parsed.lines
    assert first.order_no == "T20261123000001"  # the guarding tab is gone
    assert first.channel_txn_no == "2026112322001412340001"
    assert (first.amount_minor, first.status, first.refund_no) == (3000, "paid", None)
    assert first.occurred_at == datetime(2026, 11, 23, 1, 12, 5, tzinfo=UTC)
    assert second.amount_minor == 128000  # 订单金额 by default, thousands separator read
    assert (refund.amount_minor, refund.status, refund.refund_no) == (-1000, "refunded", "RF0001")
    assert refund.line_no == 8
    assert "西湖龙井" in refund.raw


def test_amount_column_can_be_what_the_merchant_received() -> None:
    parsed = parse(bill(ROWS), amount_column="商家实收（元）")
    assert [line.amount_minor for line in parsed.lines] == [3000, 127000, -1000]


@pytest.mark.parametrize(
    ("trade", "refund", "message"),
    [
        (
            "3笔，商家实收共1,300.00元",
            "1笔，商家实收退款共-10.00元",
            "declares 3 payment rows but holds 2",
        ),
        (
            "2笔，商家实收共1,300.01元",
            "1笔，商家实收退款共-10.00元",
            "1300.01 but its rows add up to 1300.00",
        ),
        (
            "2笔，商家实收共1,300.00元",
            "0笔，商家实收退款共0.00元",
            "declares 0 refund rows but holds 1",
        ),
        (
            "2笔，商家实收共1,300.00元",
            "1笔，商家实收退款共-11.00元",
            "-11.00 but its rows add up to -10.00",
        ),
    ],
)
def test_footer_totals_are_verified(trade: str, refund: str, message: str) -> None:
    with pytest.raises(StatementParseError, match=message):
        parse(bill(ROWS, trade=trade, refund=refund))


def test_missing_footer_means_truncated() -> None:
    text = bill(ROWS).split("#-----------------------------------------业务明细列表结束")[0]
    with pytest.raises(StatementParseError, match="no #交易合计 footer line"):
        parse(text)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            row("20261123220014", "T9", "交易", "茶", "2026-11-23 10:00:00", "12.3x", "12.30"),
            "amount '12.3x'",
        ),
        (
            row("20261123220014", "T9", "转账", "茶", "2026-11-23 10:00:00", "12.30", "12.30"),
            "业务类型 '转账'",
        ),
        (
            row("20261123220014", "T9", "退款", "茶", "2026-11-23 10:00:00", "12.30", "12.30"),
            "refund rows must be negative",
        ),
        (
            row("20261123220014", "T9", "交易", "茶", "2026/11/23 10:00", "12.30", "12.30"),
            "does not match",
        ),
        ("20261123220014\t,T9\t,交易", "expected 25 columns, found 3"),
    ],
)
def test_bad_row_names_its_line(bad: str, message: str) -> None:
    with pytest.raises(StatementParseError) as caught:
        parse(bill([ROWS[0], bad, *ROWS[1:]]))
    assert caught.value.line_no == 7
    assert message in caught.value.message
    assert caught.value.line == bad


def test_a_row_after_the_footer_is_refused() -> None:
    text = bill(ROWS) + ROWS[0] + "\r\n"
    with pytest.raises(StatementParseError, match="a detail row after the footer"):
        parse(text)


def test_not_an_alipay_bill() -> None:
    with pytest.raises(StatementParseError, match="lacks the column"):
        parse("order,amount\r\nT1,1.00\r\n")
    with pytest.raises(StatementParseError, match="no column header row"):
        parse("#only comments\r\n")


def test_config() -> None:
    spec = parse_format_spec({"type": "alipay", "amount_column": "商家实收（元）"})
    assert isinstance(spec, AlipayFormat)
    assert parse_format_spec(spec.to_config()) == spec
