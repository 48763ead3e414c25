"""The operators' web dashboard: server-rendered pages over the service layer.

``dashboard_router(jobs, stats, token=...)`` is mounted by the runtime as a public
router of the API app (it does its own login). The Payments and Statements pages
render what a ``PaymentsView`` / ``StatementsView`` provides, when configured.
"""

from ringback.interfaces.dashboard.providers import (
    CalendarDay,
    Column,
    DayStatus,
    PaymentsView,
    ReportSummary,
    StatementsView,
    TablePage,
)
from ringback.interfaces.dashboard.router import dashboard_router, secure_cookie_for

__all__ = [
    "CalendarDay",
    "Column",
    "DayStatus",
    "PaymentsView",
    "ReportSummary",
    "StatementsView",
    "TablePage",
    "dashboard_router",
    "secure_cookie_for",
]
