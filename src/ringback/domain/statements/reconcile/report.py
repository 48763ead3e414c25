"""The outcome of one reconciliation, and the bridge that proves nothing was lost.

Sign convention: every difference is *statement minus ours*. A line only on the statement
contributes its amount, an entry only in our records minus its amount, a pair the
statement amount minus ours. So

    statement total − our total = Σ differences over every category (matched included)

and ``build_report`` refuses to build a report where that, or the per-side counts and
totals, do not hold: an item counted twice or dropped would show up as a non-zero rest.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


class Category(enum.StrEnum):
    MATCHED = "matched"
    MISSING_OURS = "missing_ours"  # on the statement, not in our records
    MISSING_STATEMENT = "missing_statement"  # in our records, not on the statement
    AMOUNT_MISMATCH = "amount_mismatch"
    STATUS_MISMATCH = "status_mismatch"
    DUPLICATE = "duplicate"  # a second line (or entry) for a key already seen on that side
    PENDING = "pending"  # unmatched near midnight, carried until the window passes


STATEMENT = "statement"
OURS = "ours"
BOTH = "both"


class BridgeBroken(AssertionError):
    """The report does not account for every line and entry exactly once (a bug)."""


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One unmatched, mismatched, duplicate or pending item (matched pairs are only counted)."""

    category: Category
    side: str  # statement, ours or both (a pair)
    order_no: str
    channel_txn_no: str | None
    refund_no: str | None
    statement_line_no: int | None
    statement_amount_minor: int | None
    our_amount_minor: int | None
    statement_status: str | None
    our_status: str | None
    occurred_at: datetime

    @property
    def difference_minor(self) -> int:
        return (self.statement_amount_minor or 0) - (self.our_amount_minor or 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "side": self.side,
            "order_no": self.order_no,
            "channel_txn_no": self.channel_txn_no,
            "refund_no": self.refund_no,
            "statement_line_no": self.statement_line_no,
            "statement_amount_minor": self.statement_amount_minor,
            "our_amount_minor": self.our_amount_minor,
            "difference_minor": self.difference_minor,
            "statement_status": self.statement_status,
            "our_status": self.our_status,
            "occurred_at": self.occurred_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Report:
    day: date
    as_of: datetime
    currency: str | None
    statement_count: int
    our_count: int
    statement_total_minor: int
    our_total_minor: int
    matched_count: int
    matched_difference_minor: int  # within tolerance; statement minus ours
    items: tuple[ReportItem, ...]

    @property
    def breaks(self) -> tuple[ReportItem, ...]:
        return tuple(item for item in self.items if item.category is not Category.PENDING)

    @property
    def pending(self) -> tuple[ReportItem, ...]:
        return tuple(item for item in self.items if item.category is Category.PENDING)

    @property
    def is_clean(self) -> bool:
        """Nothing to look at: every line and entry matched (pending items aside)."""
        return not self.breaks

    def counts(self) -> dict[Category, int]:
        """Items per category; a matched or mismatched pair counts once."""
        counts = dict.fromkeys(Category, 0)
        counts[Category.MATCHED] = self.matched_count
        for item in self.items:
            counts[item.category] += 1
        return counts

    def side_counts(self, side: str) -> dict[Category, int]:
        """Statement lines (``side="statement"``) or our entries (``"ours"``) per category."""
        counts = dict.fromkeys(Category, 0)
        counts[Category.MATCHED] = self.matched_count
        for item in self.items:
            if item.side in (side, BOTH):
                counts[item.category] += 1
        return counts

    def differences(self) -> dict[Category, int]:
        totals = dict.fromkeys(Category, 0)
        totals[Category.MATCHED] = self.matched_difference_minor
        for item in self.items:
            totals[item.category] += item.difference_minor
        return totals

    def to_json(self) -> dict[str, Any]:
        counts = self.counts()
        lines = self.side_counts(STATEMENT)
        entries = self.side_counts(OURS)
        differences = self.differences()
        return {
            "day": self.day.isoformat(),
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "statement": {"count": self.statement_count, "total_minor": self.statement_total_minor},
            "ours": {"count": self.our_count, "total_minor": self.our_total_minor},
            "categories": {
                category.value: {
                    "count": counts[category],
                    "statement_lines": lines[category],
                    "our_entries": entries[category],
                    "difference_minor": differences[category],
                }
                for category in Category
            },
            "bridge": {
                "statement_minus_ours_minor": self.statement_total_minor - self.our_total_minor,
                "sum_of_differences_minor": sum(differences.values()),
            },
            "clean": self.is_clean,
            "items": [item.to_json() for item in self.items],
        }

    def to_csv(self) -> str:
        """One row per item that is not a clean match, for a spreadsheet."""
        return items_to_csv(item.to_json() for item in self.items)


def items_to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """Report items (as in ``to_json()["items"]``) as CSV, amounts in minor units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in _CSV_COLUMNS])
    return out.getvalue()


_CSV_COLUMNS = (
    "category",
    "side",
    "order_no",
    "channel_txn_no",
    "refund_no",
    "statement_line_no",
    "statement_amount_minor",
    "our_amount_minor",
    "difference_minor",
    "statement_status",
    "our_status",
    "occurred_at",
)
# A spreadsheet runs a cell starting with these as a formula; ids come from outside.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return str(value)


def build_report(
    *,
    day: date,
    as_of: datetime,
    currency: str | None,
    statement_amounts: Sequence[int],
    our_amounts: Sequence[int],
    matched_count: int,
    matched_statement_minor: int,
    matched_our_minor: int,
    items: Iterable[ReportItem],
) -> Report:
    """Assemble the report, proving first that every input is accounted for exactly once.

    The totals are summed here from the raw amounts, independently of the classification.
    """
    report = Report(
        day=day,
        as_of=as_of,
        currency=currency,
        statement_count=len(statement_amounts),
        our_count=len(our_amounts),
        statement_total_minor=sum(statement_amounts),
        our_total_minor=sum(our_amounts),
        matched_count=matched_count,
        matched_difference_minor=matched_statement_minor - matched_our_minor,
        items=tuple(items),
    )
    _prove(report, matched_statement_minor, matched_our_minor)
    return report


def _prove(report: Report, matched_statement_minor: int, matched_our_minor: int) -> None:
    for side, count, total, matched_minor in (
        (STATEMENT, report.statement_count, report.statement_total_minor, matched_statement_minor),
        (OURS, report.our_count, report.our_total_minor, matched_our_minor),
    ):
        mine = [item for item in report.items if item.side in (side, BOTH)]
        if report.matched_count + len(mine) != count:
            raise BridgeBroken(
                f"{side}: {count} inputs but {report.matched_count} matched + {len(mine)} items"
            )
        amounts = [
            (item.statement_amount_minor if side == STATEMENT else item.our_amount_minor) or 0
            for item in mine
        ]
        if matched_minor + sum(amounts) != total:
            raise BridgeBroken(
                f"{side}: total {total} but matched {matched_minor} + items {sum(amounts)}"
            )
    rest = (report.statement_total_minor - report.our_total_minor) - sum(
        report.differences().values()
    )
    if rest != 0:
        raise BridgeBroken(f"the bridge leaves {rest} minor units unexplained")
