"""Rich tables for orders, their notifications and the rejection audit log."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from ringback.core.store.contract import Record
from ringback.domain.payments.money import format_major
from ringback.domain.payments.orders import Order
from ringback.domain.payments.service import OrderDetail
from ringback.domain.payments.views import order_view
from ringback.interfaces.cli.output import cell, short, when
from ringback.interfaces.cli.tables import attempts_table, state_text

_STATUS_STYLE = {"paid": "green", "pending": "cyan", "closed": "dim", "refunded": "yellow"}


def status_text(status: str) -> str:
    return f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]"


def orders_table(orders: Sequence[Order]) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for name in ("APP", "ORDER", "AMOUNT", "STATUS", "CHANNEL", "CREATED", "NOTIFIED"):
        table.add_column(name, no_wrap=True)
    for order in orders:
        table.add_row(
            cell(order.app_id),
            cell(order.order_no),
            f"{format_major(order.amount)} {order.amount.currency}",
            status_text(order.status.value),
            cell(order.payment.channel if order.payment else order.channel),
            when(order.created_at),
            ", ".join(n.status.value for n in order.notices) or "-",
        )
    return table


def order_detail_tables(detail: OrderDetail) -> list[Table]:
    tables = [_order_fields(detail.order), _received_table(detail.channel_notifications)]
    for notice in detail.notices:
        for job_detail in notice.jobs:
            job = job_detail.job
            title = (
                f"merchant notification {notice.notice.notification_id} "
                f"({notice.notice.status.value}): job {job.id} {state_text(job.state)}"
            )
            table = attempts_table(job_detail.attempts)
            table.title = title
            table.title_justify = "left"
            tables.append(table)
    return tables


def _order_fields(order: Order) -> Table:
    view = order_view(order)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for name in (
        "app_id",
        "order_no",
        "amount",
        "currency",
        "status",
        "registered",
        "created_at",
        "status_changed_at",
        "notify_url",
        "attach",
        "payment",
    ):
        value = view[name]
        table.add_row(name, status_text(value) if name == "status" else cell(value))
    return table


def _received_table(records: Sequence[Record]) -> Table:
    table = Table(
        title="channel notifications", title_justify="left", header_style="bold", show_edge=False
    )
    for name in ("RECEIVED", "DEDUP KEY", "STATUS", "AMOUNT", "CHANGED"):
        table.add_column(name, no_wrap=True)
    for record in records:
        data = record.data
        table.add_row(
            cell(data.get("received_at")),
            short(record.key, 40),
            status_text(str(data.get("status"))),
            f"{data.get('amount_minor')} {data.get('currency')} (minor)",
            "yes" if data.get("status_changed") else "no",
        )
    return table


def rejected_table(records: Sequence[Record]) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for name in ("FIRST SEEN", "CHANNEL", "REASON", "SEEN", "ORDER"):
        table.add_column(name, no_wrap=True)
    table.add_column("MESSAGE", overflow="ellipsis")
    for record in records:
        data = record.data
        table.add_row(
            when(record.ref_time),
            cell(data.get("channel")),
            cell(data.get("reason_code")),
            cell(data.get("seen_count")),
            cell(data.get("order_no")),
            short(str(data.get("message")), 60),
        )
    return table
