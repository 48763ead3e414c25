"""The configurable delimited format, on realistic GBK bank files made here."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest

from ringback.domain.statements import (
    StatementLine,
    StatementParseError,
    decode_statement,
    parse_format_spec,
)
from ringback.domain.statements.formats import DelimitedFormat
from ringback.domain.statements.simulator import SIMULATOR_FORMAT, build_zip, make_statement_file

# A 工商银行-style file: leading and trailing '|', amounts in fen, compact times, the
# totals line last, one header row of column names.
ICBC_CONFIG: dict[str, object] = {
    "type": "delimited",
    "delimiter": "|",
    "leading_delimiter": True,
    "trailing_delimiter": True,
    "header_lines": 1,
    "columns": ["交易时间", "商户订单号", "银行流水号", "商户名称", "金额(分)", "状态"],
    "fields": {
        "occurred_at": "交易时间",
        "order_no": "商户订单号",
        "channel_txn_no": "银行流水号",
        "amount": "金额(分)",
        "status": "状态",
    },
    "totals": {"position": "after", "count_column": 1, "amount_column": 2},
    "date_format": "%Y%m%d%H%M%S",
    "timezone": "Asia/Shanghai",
    "amount_format": "fen",
    "status_map": {"S": "paid", "R": "refunded", "C": "closed"},
}
ICBC_TEXT = (
    "|交易时间|商户订单号|银行流水号|商户名称|金额(分)|状态|\r\n"
    "|20261123000512|T20261123000001|ICBC0001|杭州西湖龙井茶业有限公司|8888|S|\r\n"
    "|20261123091201|T20261123000002|ICBC0002|成都锦里蜀锦坊|120000|S|\r\n"
    "\r\n"
    "|20261123235959|T20261123000001|ICBC0003|杭州西湖龙井茶业有限公司|-1200|R|\r\n"
    "|合计|3|127688|\r\n"
)


def parse_icbc(text: str, **overrides: object) -> list[StatementLine]:
    return list(parse_format_spec({**ICBC_CONFIG, **overrides}).parse(text).lines)


def test_icbc_style_file_through_zip_and_gbk() -> None:
    archive = base64.b64encode(
        build_zip([("对账单_20261123.txt", ICBC_TEXT.encode("gbk"))])
    ).decode()
    decoded = decode_statement(archive, encoding="gbk")
    parsed = parse_format_spec(ICBC_CONFIG).parse(decoded.text)
    assert parsed.declared_count == 3
    assert parsed.declared_total_minor == 127688
    assert [(line.order_no, line.amount_minor, line.status) for line in parsed.lines] == [
        ("T20261123000001", 8888, "paid"),
        ("T20261123000002", 120000, "paid"),
        ("T20261123000001", -1200, "refunded"),
    ]
    first, _, last = parsed.lines
    # 00:05:12 in Shanghai is 16:05:12 the day before in UTC.
    assert first.occurred_at == datetime(2026, 11, 22, 16, 5, 12, tzinfo=UTC)
    assert last.occurred_at == datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC)
    assert first.channel_txn_no == "ICBC0001"
    assert first.currency == "CNY"
    assert (first.line_no, last.line_no) == (2, 5)  # the blank line 4 is skipped
    assert last.raw == "|20261123235959|T20261123000001|ICBC0003|杭州西湖龙井茶业有限公司|-1200|R|"


def test_simulator_file_round_trips() -> None:
    when = datetime(2026, 11, 23, 1, 12, 1, tzinfo=UTC)
    lines = [
        StatementLine(0, "T1", "B1", 8888, "CNY", "paid", when, ""),
        StatementLine(0, "T2", None, 120000, "CNY", "closed", when, ""),
        StatementLine(0, "T1", "B1", -1200, "CNY", "refunded", when, "", refund_no="R1"),
    ]
    archive = make_statement_file(lines, day=date(2026, 11, 23))
    decoded = decode_statement(base64.b64encode(archive).decode())
    parsed = parse_format_spec(SIMULATOR_FORMAT).parse(decoded.text)
    assert [line._replace(line_no=0, raw="") for line in parsed.lines] == lines
    assert parsed.declared_count == 3
    assert parsed.declared_total_minor == parsed.total_minor == 8888 + 120000 - 1200


def test_totals_before_the_rows_with_yuan_and_thousands() -> None:
    config = {
        "type": "delimited",
        "header_lines": 2,
        "columns": ["order_no", "amount", "occurred_at"],
        "totals": {"position": "before", "line": 1, "count_column": 0, "amount_column": 1},
        "thousands_separator": True,
        "date_format": "%Y/%m/%d %H:%M",
        "timezone": "UTC",
    }
    text = "\n".join(
        [
            "2|1,246.56",
            "order_no|amount|occurred_at",
            "A1|1,234.56|2026/11/23 09:12",
            "A2|12.00|2026/11/23 09:13",
        ]
    )
    parsed = parse_format_spec(config).parse(text)
    assert [line.amount_minor for line in parsed.lines] == [123456, 1200]
    assert parsed.declared_total_minor == 124656
    assert parsed.lines[0].occurred_at == datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
    with pytest.raises(StatementParseError, match=r"line 3: amount '1,234\.56'"):
        parse_format_spec({**config, "thousands_separator": False}).parse(text)
    with pytest.raises(StatementParseError, match=r"line 3: amount '1,2345\.6'"):
        parse_format_spec(config).parse(text.replace("1,234.56", "1,2345.6"))


def test_declared_count_mismatch_names_both_numbers() -> None:
    text = ICBC_TEXT.replace("|合计|3|127688|", "|合计|4|127688|")
    with pytest.raises(StatementParseError, match="declares 4 rows but holds 3"):
        parse_icbc(text)


def test_declared_amount_mismatch_names_both_numbers() -> None:
    text = ICBC_TEXT.replace("|合计|3|127688|", "|合计|3|127689|")
    with pytest.raises(StatementParseError, match=r"1276\.89 but its rows add up to 1276\.88"):
        parse_icbc(text)


def test_a_dropped_row_is_caught_by_the_totals() -> None:
    """A file cut short in transit still has to match its own totals line."""
    rows = ICBC_TEXT.split("\r\n")
    del rows[2]
    with pytest.raises(StatementParseError, match="declares 3 rows but holds 2"):
        parse_icbc("\r\n".join(rows))


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("|20261123091201|T9|ICBC9|某商户|12.5|S|", "amount '12.5' is not a whole number"),
        ("|20261123091201|T9|ICBC9|某商户|1250|X|", "status 'X' is not in the status map"),
        ("|2026-11-23 09:12|T9|ICBC9|某商户|1250|S|", "does not match"),
        ("|20261123091201||ICBC9|某商户|1250|S|", "the order number is empty"),
        ("|20261123091201|T9|ICBC9|1250|S|", "expected 6 columns, found 5"),
        ("20261123091201|T9|ICBC9|某商户|1250|S|", "expected a leading '|'"),
        ("|20261123091201|T9|ICBC9|某商户|1250|S", "expected a trailing '|'"),
    ],
)
def test_bad_line_reports_number_and_content(bad_row: str, message: str) -> None:
    rows = ICBC_TEXT.split("\r\n")
    rows.insert(3, bad_row)
    with pytest.raises(StatementParseError) as caught:
        parse_icbc("\r\n".join(rows))
    assert caught.value.line_no == 4
    assert caught.value.line == bad_row
    assert message in caught.value.message
    assert caught.value.message.startswith("line 4: ")
    assert repr(bad_row) in caught.value.message
    assert caught.value.field == "file"


PLAIN = {"type": "delimited", "columns": ["order_no", "amount", "occurred_at"], "totals": None}


def test_yuan_amounts_are_exact() -> None:
    spec = parse_format_spec(PLAIN)
    text = "A|88.88|2026-11-23 09:12:01\nB|-12|2026-11-23 09:12:01\nC|+0.5|2026-11-23 09:12:01"
    good = spec.parse(text)
    assert [line.amount_minor for line in good.lines] == [8888, -1200, 50]
    assert good.declared_count is None
    # 0.1 + 0.2 style values stay exact: 1e6 rows of 0.01 would drift as floats.
    many = "\n".join(f"R{n}|0.01|2026-11-23 09:12:01" for n in range(1000))
    assert spec.parse(many).total_minor == 1000


@pytest.mark.parametrize(
    "amount", ["88.888", "1e5", "NaN", "Infinity", "12.", ".5", "１２", "1_000", "", "--1"]
)
def test_yuan_amounts_reject_extra_decimals_and_exotic_numbers(amount: str) -> None:
    with pytest.raises(StatementParseError, match="line 1: amount"):
        parse_format_spec(PLAIN).parse(f"A|{amount}|2026-11-23 09:12:01")


def test_too_short_for_its_header_and_footer() -> None:
    with pytest.raises(StatementParseError, match="fewer than its 1 header and 1 footer"):
        parse_icbc("|交易时间|\r\n")


def test_a_missing_totals_line_is_an_error_not_a_pass() -> None:
    rows = ICBC_TEXT.rstrip("\r\n").split("\r\n")[:-1]  # drop the totals line
    with pytest.raises(StatementParseError, match=r"totals count|lacks the configured"):
        parse_icbc("\r\n".join(rows))


def test_to_config_round_trips() -> None:
    spec = parse_format_spec(ICBC_CONFIG)
    assert isinstance(spec, DelimitedFormat)
    assert parse_format_spec(spec.to_config()) == spec
    assert parse_format_spec(parse_format_spec(SIMULATOR_FORMAT).to_config()) == (
        parse_format_spec(SIMULATOR_FORMAT)
    )
