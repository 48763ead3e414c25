"""Bank and channel statements: decode the file, parse it, reconcile it against our records.

Everything here is pure (no storage, no hidden clock); pulling the file on a schedule and
keeping the results are wired on top by the service.
"""

from .decode import DecodedFile, decode_statement, decode_statement_bytes
from .errors import StatementDecodeError, StatementParseError
from .formats import (
    AlipayFormat,
    DelimitedFormat,
    FormatSpec,
    ParsedStatement,
    StatementLine,
    WeChatPayFormat,
    parse_format_spec,
)
from .limits import DecodeLimits
from .reconcile import (
    Category,
    LedgerEntry,
    ReconcileOptions,
    Report,
    ReportItem,
    parse_ledger_csv,
    reconcile,
)

__all__ = [
    "AlipayFormat",
    "Category",
    "DecodeLimits",
    "DecodedFile",
    "DelimitedFormat",
    "FormatSpec",
    "LedgerEntry",
    "ParsedStatement",
    "ReconcileOptions",
    "Report",
    "ReportItem",
    "StatementDecodeError",
    "StatementLine",
    "StatementParseError",
    "WeChatPayFormat",
    "decode_statement",
    "decode_statement_bytes",
    "parse_format_spec",
    "parse_ledger_csv",
    "reconcile",
]
