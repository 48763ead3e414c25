"""The Statements page's view of statement pulls (the dashboard's ``StatementsView``).

A report is named ``<source>:<YYYY-MM-DD>``: one pull, hence one report, per source
and day. Break pages are slices of the stored report (its items are kept with it).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from typing import Any

from ringback.core.errors import InvalidInput, NotFound
from ringback.domain.statements.pulls import StatementsService
from ringback.domain.statements.pulls.pull import PullStatus
from ringback.domain.statements.pulls.views import effective_status
from ringback.domain.statements.reconcile.report import Category, items_to_csv
from ringback.interfaces.dashboard.providers import (
    CalendarDay,
    Column,
    DayStatus,
    ReportSummary,
    TablePage,
)

REPORT_COLUMNS = (
    Column("report_id", "Report"),
    Column("source", "Source"),
    Column("date", "Day"),
    Column("clean", "Clean"),
    Column("breaks", "Breaks"),
    Column("pending", "Pending"),
    Column("reconciled_at", "Reconciled"),
)
BREAK_COLUMNS = (
    Column("category", "Category"),
    Column("side", "Side"),
    Column("order_no", "Order"),
    Column("channel_txn_no", "Channel txn"),
    Column("statement_amount_minor", "Statement (minor)"),
    Column("our_amount_minor", "Ours (minor)"),
    Column("difference_minor", "Difference"),
    Column("statement_status", "Statement status"),
    Column("our_status", "Our status"),
)
BREAK_CATEGORIES = tuple(c.value for c in Category if c is not Category.MATCHED)
_DAY_STATUS = {
    PullStatus.RECEIVED: DayStatus.PULLED,
    PullStatus.WAITING: DayStatus.WAITING,
    PullStatus.SCHEDULED: DayStatus.WAITING,
    PullStatus.FAILED: DayStatus.FAILED,
}


class StatementsDashboard:
    def __init__(self, service: StatementsService) -> None:
        self._service = service

    async def sources(self) -> Sequence[str]:
        return [source.name for source, _ in await self._service.sources()]

    async def calendar(self, source: str, month: date) -> Sequence[CalendarDay]:
        first = month.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        listing = await self._service.list_pulls(source=source, first=first, last=last, limit=31)
        known: dict[date, CalendarDay] = {}
        for pull, job in listing.rows:
            status = _DAY_STATUS[effective_status(pull, job)]
            waiting = status is DayStatus.WAITING and job is not None
            known[pull.day] = CalendarDay(
                day=pull.day,
                status=status,
                next_allowed_at=job.run_at if waiting and job is not None else None,
                detail=pull.error or pull.last_answer,
                report_id=report_id(pull.source, pull.day) if pull.report else None,
            )
        return [
            known.get(day, CalendarDay(day=day, status=DayStatus.NONE))
            for day in (first.replace(day=n) for n in range(1, last.day + 1))
        ]

    async def list_reports(
        self, *, source: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        listing = await self._service.list_pulls(source=source, limit=limit, cursor=cursor)
        rows = [
            {
                "report_id": report_id(pull.source, pull.day),
                "source": pull.source,
                "date": pull.day.isoformat(),
                **dict(pull.report),
            }
            for pull, _ in listing.rows
            if pull.report
        ]
        return TablePage(REPORT_COLUMNS, rows, listing.next_cursor)

    async def report(self, report_id: str) -> ReportSummary | None:
        source, day = parse_report_id(report_id)
        try:
            stored = await self._service.report(source, day)
        except NotFound:
            return None
        data = stored.report
        totals: dict[str, Any] = {
            "statement lines": data["statement"]["count"],
            "statement total (minor)": data["statement"]["total_minor"],
            "our entries": data["ours"]["count"],
            "our total (minor)": data["ours"]["total_minor"],
            **{f"{name}": value for name, value in stored.summary().items()},
        }
        return ReportSummary(report_id, f"{source} {day.isoformat()}", totals, BREAK_CATEGORIES)

    async def report_breaks(
        self, report_id: str, *, category: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        items = await self._items(report_id, category)
        start = _offset(cursor)
        page = items[start : start + limit]
        more = start + limit < len(items)
        return TablePage(BREAK_COLUMNS, page, str(start + limit) if more else None)

    async def breaks_csv(self, report_id: str, *, category: str | None) -> str:
        return items_to_csv(await self._items(report_id, category))

    async def _items(self, report_id: str, category: str | None) -> list[dict[str, Any]]:
        if category is not None and category not in BREAK_CATEGORIES:
            raise InvalidInput(
                f"category must be one of {', '.join(BREAK_CATEGORIES)}", field="category"
            )
        source, day = parse_report_id(report_id)
        stored = await self._service.report(source, day)
        return [
            item
            for item in stored.report["items"]
            if item["category"] != Category.MATCHED.value
            and (category is None or item["category"] == category)
        ]


def report_id(source: str, day: date) -> str:
    return f"{source}:{day.isoformat()}"


def parse_report_id(text: str) -> tuple[str, date]:
    source, _, day = text.rpartition(":")
    try:
        return source, date.fromisoformat(day)
    except ValueError:
        raise InvalidInput("a report is named SOURCE:YYYY-MM-DD", field="report") from None


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise InvalidInput("cursor must be a number", field="cursor")
    return int(cursor)
