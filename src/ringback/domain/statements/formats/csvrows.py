"""Shared reading of the channels' CSV bills (Alipay, WeChat Pay).

Both put a tab or a backtick around ids so spreadsheets keep them as text; both name their
columns in Chinese, sometimes with full-width and sometimes with ASCII parentheses.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from ..errors import StatementParseError


def split_csv_line(line: str, line_no: int) -> list[str]:
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error as exc:
        raise StatementParseError(f"not a CSV row: {exc}", line_no=line_no, line=line) from exc
    return rows[0] if rows else []


def clean_cell(value: str) -> str:
    """Drop the spreadsheet guards: the backtick prefix, the trailing tab, padding."""
    value = value.strip()
    if value.startswith("`"):
        value = value[1:].strip()
    return value


def header_key(name: str) -> str:
    return clean_cell(name).replace("（", "(").replace("）", ")").replace(" ", "")


class ColumnIndex:
    """Where each needed column is, found by name in a header row."""

    def __init__(
        self, header: Sequence[str], needed: Sequence[str], *, line_no: int, line: str
    ) -> None:
        keys = [header_key(name) for name in header]
        self.width = len(keys)
        self._at: dict[str, int] = {}
        missing = []
        for name in needed:
            key = header_key(name)
            if key in keys:
                self._at[name] = keys.index(key)
            else:
                missing.append(name)
        if missing:
            raise StatementParseError(
                f"the header row lacks the column(s) {', '.join(missing)}",
                line_no=line_no,
                line=line,
            )

    def cells(self, line: str, line_no: int) -> dict[str, str]:
        values = split_csv_line(line, line_no)
        # A trailing comma after the last column is common; more or fewer cells is not.
        if len(values) == self.width + 1 and not values[-1].strip():
            values.pop()
        if len(values) != self.width:
            raise StatementParseError(
                f"expected {self.width} columns, found {len(values)}", line_no=line_no, line=line
            )
        return {name: clean_cell(values[at]) for name, at in self._at.items()}
