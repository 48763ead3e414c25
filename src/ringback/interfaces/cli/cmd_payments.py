"""``ringback payments``: orders, the rejected-notification audit log, and resending.

    ringback payments orders list [--app A] [--status paid] [--limit N] [--cursor C]
    ringback payments orders show APP ORDER_NO
    ringback payments resend APP ORDER_NO
    ringback payments resend-dead APP --since 2026-03-14T00:00:00Z
    ringback payments rejected [--channel alipay] [--raw]

Like ``ringback jobs``, these work on the store directly, through the same payments
service as the API, so they work while the service is down.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ringback.core.config import Settings
from ringback.core.errors import ConfigError
from ringback.core.service import job_view
from ringback.domain.payments.config import PaymentsConfig
from ringback.domain.payments.repository import MAX_PAGE, TimeRange
from ringback.domain.payments.service import PaymentsService
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.payments.views import order_detail_view, order_view, record_view
from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import (
    Subparsers,
    add_command,
    add_json_flag,
    async_handler,
)
from ringback.interfaces.cli.context import open_core
from ringback.interfaces.cli.parsing import CliParser, aware_time, optional_time
from ringback.interfaces.cli.payments_tables import (
    order_detail_tables,
    orders_table,
    rejected_table,
)
from ringback.interfaces.runtime.payments import payments_config

DEFAULT_LIMIT = 50


def register(subparsers: Subparsers) -> None:
    group = add_command(
        subparsers, "payments", help="payment orders, rejected notifications, resending"
    )
    actions = group.add_subparsers(
        dest="payments_command", metavar="ACTION", required=True, parser_class=CliParser
    )
    orders = add_command(actions, "orders", help="list or show orders")
    order_actions = orders.add_subparsers(
        dest="orders_command", metavar="ACTION", required=True, parser_class=CliParser
    )
    listing = add_command(
        order_actions, "list", help="orders, newest first", handler=async_handler(_list_orders)
    )
    listing.add_argument("--app", help="only this merchant app's orders")
    listing.add_argument("--status", choices=[s.value for s in PaymentStatus])
    listing.add_argument("--created-from", metavar="ISO", help="created at or after")
    listing.add_argument("--created-to", metavar="ISO", help="created before")
    _add_paging(listing)
    show = add_command(
        order_actions,
        "show",
        help="an order, its channel notifications and merchant notification attempts",
        handler=async_handler(_show_order),
    )
    show.add_argument("app")
    show.add_argument("order_no")
    add_json_flag(show)
    resend = add_command(
        actions,
        "resend",
        help="send an order's merchant notification again",
        handler=async_handler(_resend),
    )
    resend.add_argument("app")
    resend.add_argument("order_no")
    add_json_flag(resend)
    dead = add_command(
        actions,
        "resend-dead",
        help="start again every notification of an app that died since a time",
        handler=async_handler(_resend_dead),
    )
    dead.add_argument("app")
    dead.add_argument("--since", required=True, metavar="ISO", help="e.g. 2026-03-14T00:00:00Z")
    add_json_flag(dead)
    rejected = add_command(
        actions,
        "rejected",
        help="the audit log of refused channel notifications",
        handler=async_handler(_rejected),
    )
    rejected.add_argument("--channel", help="alipay, wechatpay or generic")
    rejected.add_argument(
        "--from", dest="received_from", metavar="ISO", help="first seen at or after"
    )
    rejected.add_argument("--to", dest="received_to", metavar="ISO", help="first seen before")
    rejected.add_argument("--raw", action="store_true", help="include the raw bodies (with --json)")
    _add_paging(rejected)


def _add_paging(parser: CliParser) -> None:
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"1-{MAX_PAGE}")
    parser.add_argument("--cursor", help="the next-page cursor a previous list gave")
    add_json_flag(parser)


@asynccontextmanager
async def open_payments(args: argparse.Namespace) -> AsyncIterator[PaymentsService]:
    """The payments service over the configured store (opened for this command)."""
    configs: list[PaymentsConfig] = []

    def configured(settings: Settings) -> None:
        config = payments_config(settings)
        if config is None:
            raise ConfigError(
                "payments are not configured: add a [payments] section (see docs/payments.md)",
                field="payments",
            )
        configs.append(config)

    async with open_core(args, before_open=configured) as core:
        yield PaymentsService(core.store, core.clock, configs[0], core.jobs)


async def _list_orders(args: argparse.Namespace) -> int:
    period = TimeRange(
        optional_time(args.created_from, option="--created-from"),
        optional_time(args.created_to, option="--created-to"),
    )
    status = None if args.status is None else PaymentStatus(args.status)
    async with open_payments(args) as payments:
        page = await payments.list_orders(
            app_id=args.app, status=status, period=period, limit=args.limit, cursor=args.cursor
        )
    if args.json:
        output.print_json(
            {"orders": [order_view(o) for o in page.orders], "next_cursor": page.next_cursor}
        )
        return 0
    if not page.orders:
        output.info("no orders match")
        return 0
    output.console().print(orders_table(page.orders))
    if page.next_cursor is not None:
        output.info(f"more: add --cursor {page.next_cursor}")
    return 0


async def _show_order(args: argparse.Namespace) -> int:
    async with open_payments(args) as payments:
        detail = await payments.order_status(args.app, args.order_no)
    if args.json:
        output.print_json(order_detail_view(detail))
        return 0
    console = output.console()
    for table in order_detail_tables(detail):
        console.print(table)
        console.print()
    return 0


async def _resend(args: argparse.Namespace) -> int:
    async with open_payments(args) as payments:
        job = await payments.resend(args.app, args.order_no)
    if args.json:
        output.print_json({"job": job_view(job)})
        return 0
    output.console().print(
        f"order {args.order_no}: notification job {job.id} {job.state.value}, "
        f"next attempt at {output.when(job.run_at)} (ringback jobs show {job.id})"
    )
    return 0


async def _resend_dead(args: argparse.Namespace) -> int:
    since = aware_time(args.since, option="--since")
    async with open_payments(args) as payments:
        count = await payments.resend_dead(args.app, since)
    if args.json:
        output.print_json({"resent": count})
        return 0
    output.console().print(f"{count} dead notification(s) of {args.app} start again now")
    return 0


async def _rejected(args: argparse.Namespace) -> int:
    period = TimeRange(
        optional_time(args.received_from, option="--from"),
        optional_time(args.received_to, option="--to"),
    )
    async with open_payments(args) as payments:
        page = await payments.list_rejected(
            channel=args.channel, period=period, limit=args.limit, cursor=args.cursor
        )
    if args.json:
        items = [record_view(r, with_raw=args.raw) for r in page.records]
        output.print_json({"items": items, "next_cursor": page.next_cursor})
        return 0
    if not page.records:
        output.info("no rejected notifications")
        return 0
    output.console().print(rejected_table(page.records))
    if page.next_cursor is not None:
        output.info(f"more: add --cursor {page.next_cursor}")
    return 0
