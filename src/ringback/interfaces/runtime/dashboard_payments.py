"""The Payments page's view of the payments feature (the dashboard's ``PaymentsView``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ringback.domain.payments.service import PaymentsService
from ringback.domain.payments.views import order_view, record_view
from ringback.interfaces.dashboard.providers import Column, TablePage

ORDER_COLUMNS = (
    Column("app_id", "App"),
    Column("order_no", "Order"),
    Column("amount", "Amount"),
    Column("currency", "Currency"),
    Column("status", "Status"),
    Column("notified", "Merchant notification"),
    Column("created_at", "Created"),
)
NOTIFICATION_COLUMNS = (
    Column("received_at", "Received"),
    Column("channel", "Channel"),
    Column("app_id", "App"),
    Column("order_no", "Order"),
    Column("channel_txn_no", "Channel txn"),
    Column("amount_minor", "Amount (minor)"),
    Column("status", "Status"),
)
REJECTED_COLUMNS = (
    Column("last_seen_at", "Last seen"),
    Column("channel", "Channel"),
    Column("reason_code", "Reason"),
    Column("message", "Message"),
    Column("order_no", "Order"),
    Column("seen_count", "Times"),
)


class PaymentsDashboard:
    def __init__(self, service: PaymentsService) -> None:
        self._service = service

    async def list_orders(self, *, app_id: str | None, limit: int, cursor: str | None) -> TablePage:
        page = await self._service.list_orders(app_id=app_id, limit=limit, cursor=cursor)
        rows = [_order_row(order_view(order)) for order in page.orders]
        return TablePage(ORDER_COLUMNS, rows, page.next_cursor)

    async def list_notifications(
        self, *, app_id: str | None, limit: int, cursor: str | None
    ) -> TablePage:
        page = await self._service.list_notifications(app_id=app_id, limit=limit, cursor=cursor)
        rows = [record_view(record) for record in page.records]
        return TablePage(NOTIFICATION_COLUMNS, rows, page.next_cursor)

    async def list_rejected(self, *, limit: int, cursor: str | None) -> TablePage:
        page = await self._service.list_rejected(limit=limit, cursor=cursor)
        rows = [record_view(record) for record in page.records]
        return TablePage(REJECTED_COLUMNS, rows, page.next_cursor)


def _order_row(view: Mapping[str, Any]) -> dict[str, Any]:
    notices = view.get("notifications") or []
    latest = notices[-1] if notices else None
    notified = "-" if latest is None else f"{latest['status']} ({latest['notification_id']})"
    return {**view, "notified": notified}
