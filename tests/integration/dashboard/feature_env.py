"""The dashboard mounted by hand (``create_app`` + ``dashboard_router``) for what the
embedded service does not pass in: a supervisor's state folder and the Payments and
Statements providers.

The providers here are the tests' own implementations of the dashboard's protocols
over fixed rows: what is under test is how the dashboard pages, filters, escapes and
downloads what a provider gives, not the payments or statements domains.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from ringback.core.clock import FakeClock
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import JobKind
from ringback.core.service import JobService
from ringback.core.service.stats import StatsService
from ringback.core.store.sqlite import SqliteStore
from ringback.interfaces.api import create_app
from ringback.interfaces.dashboard import (
    CalendarDay,
    Column,
    DayStatus,
    PaymentsView,
    ReportSummary,
    StatementsView,
    TablePage,
    dashboard_router,
)

TOKEN = "feature-test-token-0123456789"
NOW = datetime(2026, 3, 14, 10, 30, tzinfo=UTC)


def page_of(
    columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], limit: int, cursor: str | None
) -> TablePage:
    """Rows newest first, ``limit`` at a time; the cursor is the index to start at."""
    start = int(cursor) if cursor else 0
    chunk = rows[start : start + limit]
    more = start + limit < len(rows)
    return TablePage(columns, chunk, str(start + limit) if more else None)


ORDER_COLUMNS = [
    Column("order_no", "Order"),
    Column("app_id", "App"),
    Column("amount", "Amount"),
    Column("status", "Status"),
    Column("merchant_notification", "Merchant notified"),
]


@dataclass
class Payments:
    orders: list[dict[str, Any]]
    rejected: list[dict[str, Any]]

    async def list_orders(self, *, app_id: str | None, limit: int, cursor: str | None) -> TablePage:
        rows = [row for row in self.orders if app_id is None or row["app_id"] == app_id]
        return page_of(ORDER_COLUMNS, rows, limit, cursor)

    async def list_notifications(
        self, *, app_id: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        columns = [Column("order_no", "Order"), Column("received_at", "Received")]
        return page_of(columns, [], limit, cursor)

    async def list_rejected(self, *, limit: int, cursor: str | None) -> TablePage:
        columns = [Column("channel", "Channel"), Column("reason", "Why")]
        return page_of(columns, self.rejected, limit, cursor)


BREAK_COLUMNS = [Column("category", "Category"), Column("order_no", "Order")]


@dataclass
class Statements:
    breaks: list[dict[str, Any]]

    async def sources(self) -> Sequence[str]:
        return ["alipay", "wechatpay"]

    async def calendar(self, source: str, month: date) -> Sequence[CalendarDay]:
        if source != "alipay" or month != date(2026, 3, 1):
            return []
        return [
            CalendarDay(date(2026, 3, 12), DayStatus.PULLED, report_id="alipay-2026-03-12"),
            CalendarDay(date(2026, 3, 13), DayStatus.FAILED, detail="file refused: bad totals"),
            CalendarDay(
                date(2026, 3, 14),
                DayStatus.WAITING,
                next_allowed_at=datetime(2026, 3, 14, 11, 0, tzinfo=UTC),
            ),
        ]

    async def list_reports(
        self, *, source: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        rows = [{"report_id": "alipay-2026-03-12", "source": "alipay", "breaks": 3}]
        columns = [Column("report_id", "Report"), Column("breaks", "Breaks")]
        return page_of(columns, [r for r in rows if source in (None, r["source"])], limit, cursor)

    async def report(self, report_id: str) -> ReportSummary | None:
        if report_id != "alipay-2026-03-12":
            return None
        return ReportSummary(
            report_id,
            "alipay 2026-03-12",
            {"statement total": "1,234.00", "breaks": len(self.breaks)},
            categories=("missing_ours", "amount_mismatch"),
        )

    async def report_breaks(
        self, report_id: str, *, category: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        return page_of(BREAK_COLUMNS, self._of(category), limit, cursor)

    async def breaks_csv(self, report_id: str, *, category: str | None) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["category", "order_no"])
        writer.writeheader()
        writer.writerows(self._of(category))
        return out.getvalue()

    def _of(self, category: str | None) -> list[dict[str, Any]]:
        return [b for b in self.breaks if category is None or b["category"] == category]


@dataclass
class FeatureEnv:
    url: str
    clock: FakeClock

    def browser(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )


@contextlib.asynccontextmanager
async def serving_dashboard(
    folder: Path,
    *,
    state_dir: Path | None = None,
    payments: PaymentsView | None = None,
    statements: StatementsView | None = None,
) -> AsyncIterator[FeatureEnv]:
    store = SqliteStore(folder / "ringback.db")
    await store.open()
    clock = FakeClock(NOW)
    executor = HttpExecutor(HttpOptions(signing_secret=generate_secret()))
    service = JobService(store, clock, {JobKind.HTTP: executor})
    router = dashboard_router(
        service,
        StatsService(store, clock),
        token=TOKEN,
        state_dir=state_dir,
        payments=payments,
        statements=statements,
    )
    app = create_app(service, token=TOKEN, public_routers=[router])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.005)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield FeatureEnv(f"http://127.0.0.1:{port}", clock)
    finally:
        server.should_exit = True
        await task
        await executor.close()
        await store.close()
