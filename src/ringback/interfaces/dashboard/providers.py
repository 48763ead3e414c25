"""What the Payments and Statements pages need from their features.

The dashboard does not know the payments or statements domains; the runtime passes an
object that implements one of these protocols when the feature is configured (and
None when it is not, which the page then says). Rows are plain mappings of
JSON-ready values (str, int, bool, None, aware ``datetime``), already masked by the
provider: the dashboard prints them as text and never looks inside.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the row key
    title: str  # the column heading


@dataclass(frozen=True, slots=True)
class TablePage:
    """One page of a listing, newest first; ``next_cursor`` asks for the next (older) one."""

    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
    next_cursor: str | None = None


class PaymentsView(Protocol):
    """Orders and notifications for the Payments page."""

    async def list_orders(self, *, app_id: str | None, limit: int, cursor: str | None) -> TablePage:
        """Orders, with the merchant notification status of each (a column)."""
        ...

    async def list_notifications(
        self, *, app_id: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        """Accepted channel notifications."""
        ...

    async def list_rejected(self, *, limit: int, cursor: str | None) -> TablePage:
        """Refused channel requests, with the reason in a column."""
        ...


class DayStatus(enum.StrEnum):
    PULLED = "pulled"  # the statement is in (and reconciled, if a report exists)
    WAITING = "waiting"  # not ready yet; the next request is allowed at next_allowed_at
    FAILED = "failed"  # the pull gave up or the file was refused
    NONE = "none"  # nothing planned for that day


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    status: DayStatus
    next_allowed_at: datetime | None = None  # for WAITING
    detail: str | None = None  # why it failed, what is awaited
    report_id: str | None = None  # the reconciliation report of that day, if any


@dataclass(frozen=True, slots=True)
class ReportSummary:
    report_id: str
    title: str  # e.g. "alipay 2026-03-14"
    totals: Mapping[str, Any]  # name -> value, shown as a small table
    categories: Sequence[str] = field(default_factory=tuple)  # break categories to filter by


class StatementsView(Protocol):
    """Statement pulls and reconciliation reports for the Statements page."""

    async def sources(self) -> Sequence[str]: ...

    async def calendar(self, source: str, month: date) -> Sequence[CalendarDay]:
        """The days of ``month`` (its first day is given) for one source."""
        ...

    async def list_reports(
        self, *, source: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        """Reconciliation reports; every row has a ``report_id``."""
        ...

    async def report(self, report_id: str) -> ReportSummary | None: ...

    async def report_breaks(
        self, report_id: str, *, category: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        """The report's breaks (unmatched and mismatched items), optionally of one category."""
        ...

    async def breaks_csv(self, report_id: str, *, category: str | None) -> str:
        """Every break of the report (of ``category``, if given) as CSV text."""
        ...
