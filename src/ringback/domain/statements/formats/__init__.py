"""Statement file formats: one module per format, all producing ``ParsedStatement``."""

from .alipay import AlipayFormat
from .amounts import AmountParser, format_minor
from .base import (
    CLOSED,
    PAID,
    REFUNDED,
    ParsedStatement,
    StatementFormat,
    StatementLine,
)
from .delimited import DelimitedFormat, TotalsSpec
from .spec import FormatSpec, parse_format_spec
from .wechatpay import WeChatPayFormat

__all__ = [
    "CLOSED",
    "PAID",
    "REFUNDED",
    "AlipayFormat",
    "AmountParser",
    "DelimitedFormat",
    "FormatSpec",
    "ParsedStatement",
    "StatementFormat",
    "StatementLine",
    "TotalsSpec",
    "WeChatPayFormat",
    "format_minor",
    "parse_format_spec",
]
