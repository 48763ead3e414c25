"""Format configuration: each mistake is an InvalidInput naming its field."""

from __future__ import annotations

from typing import Any

import pytest

from ringback.core.errors import InvalidInput
from ringback.domain.statements import parse_format_spec
from ringback.domain.statements.formats import AlipayFormat, DelimitedFormat, WeChatPayFormat

BASE: dict[str, Any] = {
    "type": "delimited",
    "columns": ["order_no", "amount", "occurred_at", "status"],
    "totals": {"position": "after", "count_column": 1, "amount_column": 2},
}


def test_each_type() -> None:
    assert isinstance(parse_format_spec(BASE), DelimitedFormat)
    assert isinstance(parse_format_spec({"type": "alipay"}), AlipayFormat)
    assert isinstance(parse_format_spec({"type": "wechatpay"}), WeChatPayFormat)


def test_defaults_of_the_delimited_format() -> None:
    spec = parse_format_spec(BASE)
    assert isinstance(spec, DelimitedFormat)
    assert spec.delimiter == "|"
    assert spec.footer_lines == 1  # the totals line after the rows implies one footer line
    assert spec.timezone == "Asia/Shanghai"
    assert spec.amount_format == "yuan"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "csv"}, "format.type"),
        ({"type": None}, "format.type"),
        ({"delimiter": 7}, "format.delimiter"),
        ({"delimiter": ""}, "format.delimiter"),
        ({"columns": []}, "format.columns"),
        ({"columns": ["order_no", "amount"]}, "format.columns"),
        ({"columns": ["order_no", "amount", "occurred_at", "amount"]}, "format.columns"),
        ({"fields": {"order_no": "商户订单号"}}, "format.fields.order_no"),
        ({"fields": {"shop": "order_no"}}, "format.fields.shop"),
        ({"header_lines": -1}, "format.header_lines"),
        ({"header_lines": True}, "format.header_lines"),
        ({"leading_delimiter": "yes"}, "format.leading_delimiter"),
        ({"timezone": "Mars/Olympus"}, "format.timezone"),
        ({"amount_format": "cents"}, "format.amount_format"),
        ({"status_map": {"00": 1}}, "format.status_map"),
        ({"totals": "last"}, "format.totals"),
        (
            {"totals": {"position": "middle", "count_column": 1, "amount_column": 2}},
            "format.totals.position",
        ),
        ({"totals": {"position": "after", "amount_column": 2}}, "format.totals.count_column"),
        (
            {"totals": {"position": "after", "count_column": 1, "amount_column": 2, "sum": 1}},
            "format.totals.sum",
        ),
        (
            {"totals": {"position": "before", "line": 2, "count_column": 1, "amount_column": 2}},
            "format.totals.line",
        ),
        ({"delimeter": "|"}, "format.delimeter"),
    ],
)
def test_mistakes_name_their_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_format_spec({**BASE, **change})
    assert caught.value.field == field
    assert field in caught.value.message


def test_totals_must_be_stated_even_when_absent() -> None:
    config = {key: value for key, value in BASE.items() if key != "totals"}
    with pytest.raises(InvalidInput) as caught:
        parse_format_spec(config)
    assert caught.value.field == "format.totals"
    assert isinstance(parse_format_spec({**config, "totals": None}), DelimitedFormat)


def test_channel_formats_refuse_unknown_options() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_format_spec({"type": "alipay", "delimiter": ","})
    assert caught.value.field == "format.delimiter"
    with pytest.raises(InvalidInput) as caught:
        parse_format_spec({"type": "alipay", "amount_column": "服务费（元）"})
    assert caught.value.field == "format.amount_column"


def test_not_a_mapping() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_format_spec(["delimited"])  # type: ignore[arg-type]
    assert caught.value.field == "format"
