"""A configurable delimited statement (the usual bank ``|`` file).

Layout, top to bottom: ``header_lines`` lines that are not rows, the rows, then
``footer_lines`` lines that are not rows. The totals line (count and net amount) sits in
the header (``position: before``) or the footer (``position: after``), at ``line`` within
that block, with the count and amount in the given 0-based columns.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import NoReturn
from zoneinfo import ZoneInfo

from ringback.core.errors import InvalidInput

from ..errors import StatementParseError
from .amounts import AMOUNT_UNITS, YUAN, AmountError, AmountParser
from .base import PAID, ParsedStatement, StatementLine, verify_count, verify_sum
from .config import ConfigReader
from .timestamps import TimestampParser

FIELDS = ("order_no", "channel_txn_no", "amount", "currency", "status", "occurred_at", "refund_no")
REQUIRED_FIELDS = ("order_no", "amount", "occurred_at")
BEFORE = "before"
AFTER = "after"


@dataclass(frozen=True, slots=True)
class TotalsSpec:
    position: str  # before (in the header lines) or after (in the footer lines)
    count_column: int
    amount_column: int
    line: int = 1  # 1-based within the header or footer block


@dataclass(frozen=True, slots=True)
class DelimitedFormat:
    columns: tuple[str, ...]  # the file's columns, in order
    totals: TotalsSpec | None
    fields: Mapping[str, str] = field(default_factory=dict)  # field -> column; default: same
    delimiter: str = "|"
    leading_delimiter: bool = False
    trailing_delimiter: bool = False
    header_lines: int = 0
    footer_lines: int = 0
    date_format: str = "%Y-%m-%d %H:%M:%S"
    timezone: str = "Asia/Shanghai"
    amount_format: str = YUAN
    minor_digits: int = 2
    thousands_separator: bool = False
    status_map: Mapping[str, str] | None = None  # file value -> paid/refunded/closed…
    currency: str = "CNY"  # when there is no currency column

    @property
    def name(self) -> str:
        return "delimited"

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> DelimitedFormat:
        read = ConfigReader(config)
        read.choice("type", ("delimited",), "delimited")
        columns = read.string_list("columns")
        fields = read.string_map("fields") or {}
        _check_fields(read, columns, fields)
        totals_reader = read.sub("totals")
        totals = _read_totals(totals_reader) if totals_reader is not None else None
        default_footer = 1 if totals is not None and totals.position == AFTER else 0
        spec = cls(
            columns=columns,
            fields=fields,
            totals=totals,
            delimiter=read.string("delimiter", "|"),
            leading_delimiter=read.boolean("leading_delimiter", False),
            trailing_delimiter=read.boolean("trailing_delimiter", False),
            header_lines=read.integer("header_lines", 0),
            footer_lines=read.integer("footer_lines", default_footer),
            date_format=read.string("date_format", "%Y-%m-%d %H:%M:%S"),
            timezone=read.zone("timezone", "Asia/Shanghai").key,
            amount_format=read.choice("amount_format", AMOUNT_UNITS, YUAN),
            minor_digits=read.integer("minor_digits", 2),
            thousands_separator=read.boolean("thousands_separator", False),
            status_map=read.string_map("status_map"),
            currency=read.string("currency", "CNY"),
        )
        read.finish()
        if totals is not None:
            block = spec.header_lines if totals.position == BEFORE else spec.footer_lines
            if totals.line > block:
                which = "header_lines" if totals.position == BEFORE else "footer_lines"
                raise InvalidInput(
                    f"format.totals.line is {totals.line} but {which} is only {block}",
                    field="format.totals.line",
                )
        return spec

    def to_config(self) -> dict[str, object]:
        config: dict[str, object] = {
            "type": self.name,
            "columns": list(self.columns),
            "fields": dict(self.fields),
            "totals": None,
            "delimiter": self.delimiter,
            "leading_delimiter": self.leading_delimiter,
            "trailing_delimiter": self.trailing_delimiter,
            "header_lines": self.header_lines,
            "footer_lines": self.footer_lines,
            "date_format": self.date_format,
            "timezone": self.timezone,
            "amount_format": self.amount_format,
            "minor_digits": self.minor_digits,
            "thousands_separator": self.thousands_separator,
            "status_map": dict(self.status_map) if self.status_map is not None else None,
            "currency": self.currency,
        }
        if self.totals is not None:
            config["totals"] = {
                "position": self.totals.position,
                "line": self.totals.line,
                "count_column": self.totals.count_column,
                "amount_column": self.totals.amount_column,
            }
        return config

    def parse(self, text: str) -> ParsedStatement:
        return _DelimitedParser(self, ZoneInfo(self.timezone)).parse(text)


class _DelimitedParser:
    """One parse of one file; keeps the per-row work to a split, lookups and two parsers."""

    def __init__(self, spec: DelimitedFormat, zone: tzinfo) -> None:
        self.spec = spec
        self.amount = AmountParser(
            spec.amount_format,
            minor_digits=spec.minor_digits,
            thousands=spec.thousands_separator,
        )
        self.time = TimestampParser(spec.date_format, zone)
        position = {name: index for index, name in enumerate(spec.columns)}
        self.index = {
            name: position[spec.fields.get(name, name)]
            for name in FIELDS
            if spec.fields.get(name, name) in position
        }

    def parse(self, text: str) -> ParsedStatement:
        spec = self.spec
        physical = text.split("\n")
        # Blank lines at the very end (a final newline, padding) are not part of the footer.
        end = len(physical)
        while end > 0 and not physical[end - 1].strip():
            end -= 1
        first_row = spec.header_lines
        last_row = end - spec.footer_lines
        if last_row < first_row:
            raise StatementParseError(
                f"the file has {end} lines, fewer than its {spec.header_lines} header and "
                f"{spec.footer_lines} footer lines"
            )
        with _collector_paused():
            lines = self._rows(physical, first_row, last_row)
        declared_count: int | None = None
        declared_total: int | None = None
        if spec.totals is not None:
            at = (
                spec.totals.line - 1
                if spec.totals.position == BEFORE
                else last_row + spec.totals.line - 1
            )
            declared_count, declared_total = self._totals(physical[at], at + 1)
            verify_count(declared_count, len(lines))
            verify_sum(declared_total, sum(line.amount_minor for line in lines))
        return ParsedStatement(
            format=spec.name,
            lines=lines,
            declared_count=declared_count,
            declared_total_minor=declared_total,
        )

    def _split(self, line: str, line_no: int) -> list[str]:
        """The cells of a row or totals line, without the empty edges of its delimiters."""
        spec = self.spec
        parts = line.split(spec.delimiter)
        if spec.leading_delimiter:
            if parts[0]:
                raise StatementParseError(
                    f"expected a leading {spec.delimiter!r}", line_no=line_no, line=line
                )
            del parts[0]
        if spec.trailing_delimiter:
            if len(parts) < 2 or parts[-1]:
                raise StatementParseError(
                    f"expected a trailing {spec.delimiter!r}", line_no=line_no, line=line
                )
            del parts[-1]
        return parts

    def _rows(self, physical: list[str], first: int, last: int) -> list[StatementLine]:
        # The hot loop of a million-line file: everything it touches is a local, and the
        # delimiters at the edges are checked on the split cells instead of by slicing.
        spec = self.spec
        lead = 1 if spec.leading_delimiter else 0
        trail = spec.trailing_delimiter
        width = len(spec.columns) + lead + (1 if trail else 0)
        delimiter = spec.delimiter
        status_map = spec.status_map
        at = {name: column + lead for name, column in self.index.items()}
        order_at, amount_at, time_at = at["order_no"], at["amount"], at["occurred_at"]
        channel_at = at.get("channel_txn_no")
        currency_at = at.get("currency")
        status_at = at.get("status")
        refund_at = at.get("refund_no")
        parse_amount = self.amount
        parse_time = self.time
        known_time = self.time.cache.get
        out: list[StatementLine] = []
        append = out.append
        for position in range(first, last):
            line = physical[position]
            if line.endswith("\r"):
                line = line[:-1]
            if not line or line.isspace():
                continue
            parts = line.split(delimiter)
            if len(parts) != width or (lead and parts[0]) or (trail and parts[-1]):
                self._bad_shape(line, position + 1)
            try:
                amount = parse_amount(parts[amount_at])
                stamp = parts[time_at]
                when = known_time(stamp) or parse_time(stamp)
                status = PAID if status_at is None else parts[status_at].strip()
                if status_map is not None:
                    status = status_map[status]
            except (AmountError, ValueError) as exc:
                raise StatementParseError(str(exc), line_no=position + 1, line=line) from exc
            except KeyError as exc:
                raise StatementParseError(
                    f"status {exc.args[0]!r} is not in the status map",
                    line_no=position + 1,
                    line=line,
                ) from exc
            order_no = parts[order_at].strip()
            if not order_no:
                raise StatementParseError(
                    "the order number is empty", line_no=position + 1, line=line
                )
            append(
                StatementLine(
                    position + 1,
                    order_no,
                    (parts[channel_at].strip() or None) if channel_at is not None else None,
                    amount,
                    parts[currency_at].strip() if currency_at is not None else spec.currency,
                    status,
                    when,
                    line,
                    (parts[refund_at].strip() or None) if refund_at is not None else None,
                )
            )
        return out

    def _bad_shape(self, line: str, line_no: int) -> NoReturn:
        """Raise the precise complaint about a row whose cells do not fit the columns."""
        parts = self._split(line, line_no)
        raise StatementParseError(
            f"expected {len(self.spec.columns)} columns, found {len(parts)}",
            line_no=line_no,
            line=line,
        )

    def _totals(self, line: str, line_no: int) -> tuple[int, int]:
        totals = self.spec.totals
        assert totals is not None
        line = line.rstrip("\r")
        parts = self._split(line, line_no)
        try:
            count_text = parts[totals.count_column].strip()
            amount_text = parts[totals.amount_column]
        except IndexError:
            raise StatementParseError(
                "the totals line lacks the configured count or amount column",
                line_no=line_no,
                line=line,
            ) from None
        if not count_text.isdigit() or not count_text.isascii():
            raise StatementParseError(
                f"totals count {count_text!r} is not a whole number", line_no=line_no, line=line
            )
        try:
            return int(count_text), self.amount(amount_text)
        except AmountError as exc:
            raise StatementParseError(str(exc), line_no=line_no, line=line) from exc


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while a million rows are built.

    Each row allocates a list and a tuple, and every few hundred allocations the collector
    walks the young objects: about 40% of the parse time, for rows that hold no cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_fields(read: ConfigReader, columns: tuple[str, ...], fields: Mapping[str, str]) -> None:
    for name, column in fields.items():
        if name not in FIELDS:
            raise InvalidInput(
                f"format.fields.{name} is not a field (fields: {', '.join(FIELDS)})",
                field=f"format.fields.{name}",
            )
        if column not in columns:
            raise InvalidInput(
                f"format.fields.{name} names column {column!r}, which is not in columns",
                field=f"format.fields.{name}",
            )
    if len(set(columns)) != len(columns):
        raise read.invalid("columns", "must not repeat a name", list(columns))
    for name in REQUIRED_FIELDS:
        if fields.get(name, name) not in columns:
            raise InvalidInput(
                f"format.columns has no column for the required field {name!r}",
                field="format.columns",
            )


def _read_totals(read: ConfigReader) -> TotalsSpec:
    totals = TotalsSpec(
        position=read.choice("position", (BEFORE, AFTER), AFTER),
        count_column=read.integer("count_column"),
        amount_column=read.integer("amount_column"),
        line=read.integer("line", 1, minimum=1),
    )
    read.finish()
    return totals
