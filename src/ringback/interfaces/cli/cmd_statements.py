"""``ringback statements`` and ``ringback reconcile``: statement pulls and their reports.

    ringback statements sources
    ringback statements pull SOURCE --date 2026-11-23
    ringback statements backfill SOURCE --from 2026-11-01 --to 2026-11-23 [--no-follow]
    ringback statements list [SOURCE] [--from D] [--to D]
    ringback statements show SOURCE --date D
    ringback reconcile SOURCE --date D [--ledger-csv FILE] [--json | --csv]

They work on the store directly, through the same service as the API, so they work
while the service is down; the workers send the requests. A pull asked for here is
queued for the first moment the source's minimum interval allows, and says when.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from ringback.core.config import Settings
from ringback.core.errors import ConfigError, InvalidInput
from ringback.domain.statements.pulls import (
    PullStatus,
    PullTrigger,
    StatementHooks,
    StatementsConfig,
    StatementsService,
    parse_day,
    pull_detail_view,
    pull_view,
    source_view,
    trigger_view,
)
from ringback.domain.statements.pulls.repository import MAX_PAGE
from ringback.domain.statements.pulls.views import effective_status
from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import (
    Subparsers,
    add_command,
    add_json_flag,
    async_handler,
)
from ringback.interfaces.cli.context import open_core
from ringback.interfaces.cli.exit_codes import FAILURE, OK
from ringback.interfaces.cli.parsing import CliParser
from ringback.interfaces.cli.statements_tables import (
    bridge_line,
    pull_attempts_table,
    pull_fields_table,
    pulls_table,
    report_items_table,
    report_summary_table,
    sources_table,
    trigger_line,
    triggers_table,
)
from ringback.interfaces.runtime.statements import statements_config

DEFAULT_LIMIT = 50
FOLLOW_EVERY_S = 1.0  # how often ``backfill`` looks at its pulls while following them
_DONE = (PullStatus.RECEIVED, PullStatus.FAILED)


def register(subparsers: Subparsers) -> None:
    group = add_command(
        subparsers, "statements", help="bank statement pulls: pull, backfill, list, show"
    )
    actions = group.add_subparsers(
        dest="statements_command", metavar="ACTION", required=True, parser_class=CliParser
    )
    sources = add_command(
        actions, "sources", help="the configured sources", handler=async_handler(_sources)
    )
    add_json_flag(sources)
    pull = add_command(
        actions,
        "pull",
        help="pull one date, at the first moment the minimum interval allows",
        handler=async_handler(_pull),
    )
    pull.add_argument("source")
    pull.add_argument("--date", required=True, help="the statement's date, YYYY-MM-DD")
    add_json_flag(pull)
    backfill = add_command(
        actions,
        "backfill",
        help="pull a range of dates one by one, within the minimum interval",
        handler=async_handler(_backfill),
    )
    backfill.add_argument("source")
    backfill.add_argument("--from", dest="first", required=True, help="first date")
    backfill.add_argument("--to", dest="last", required=True, help="last date, inclusive")
    backfill.add_argument(
        "--no-follow", action="store_true", help="queue them and return (no progress bar)"
    )
    add_json_flag(backfill)
    listing = add_command(
        actions, "list", help="pulls, newest date first", handler=async_handler(_list)
    )
    listing.add_argument("source", nargs="?")
    listing.add_argument("--from", dest="first", help="first date")
    listing.add_argument("--to", dest="last", help="last date, inclusive")
    listing.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"1-{MAX_PAGE}")
    listing.add_argument("--cursor", help="the next-page cursor a previous list gave")
    add_json_flag(listing)
    show = add_command(
        actions,
        "show",
        help="a pull: its answers, attempts and result",
        handler=async_handler(_show),
    )
    show.add_argument("source")
    show.add_argument("--date", required=True)
    add_json_flag(show)

    reconcile = add_command(
        subparsers,
        "reconcile",
        help="reconcile a received statement again: a report of every break",
        handler=async_handler(_reconcile),
    )
    reconcile.add_argument("source")
    reconcile.add_argument("--date", required=True)
    reconcile.add_argument(
        "--ledger-csv", metavar="FILE", help="our side from this CSV instead of the configured one"
    )
    shape = reconcile.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="the full report as JSON")
    shape.add_argument("--csv", action="store_true", help="the items as CSV")


@asynccontextmanager
async def open_statements(args: argparse.Namespace) -> AsyncIterator[StatementsService]:
    """The statements service over the configured store (opened for this command)."""
    configs: list[StatementsConfig] = []

    def configured(settings: Settings) -> None:
        config = statements_config(settings)
        if config is None:
            raise ConfigError(
                "no statement sources: add [statements.sources.NAME] (see docs/statements.md)",
                field="statements",
            )
        configs.append(config)

    async with open_core(args, before_open=configured) as core:
        hooks = StatementHooks(alert_url=core.settings.alerts.callback_url)
        yield StatementsService(core.store, core.clock, configs[0], hooks=hooks, jobs=core.jobs)


def _day(text: str, option: str) -> date:
    return parse_day(text, field=option)


async def _sources(args: argparse.Namespace) -> int:
    async with open_statements(args) as statements:
        views = []
        for name, source in sorted(statements.config.sources.items()):
            views.append(
                {**source_view(source), "next_allowed_at": await statements.next_allowed(name)}
            )
    if args.json:
        output.print_json({"sources": views})
    else:
        output.console().print(sources_table(views))
    return OK


async def _pull(args: argparse.Namespace) -> int:
    day = _day(args.date, "--date")
    async with open_statements(args) as statements:
        made = await statements.trigger(args.source, day)
    if args.json:
        output.print_json(trigger_view(made))
    else:
        output.console().print(trigger_line(made))
        output.info(f"follow it: ringback statements show {args.source} --date {day.isoformat()}")
    return OK


async def _backfill(args: argparse.Namespace) -> int:
    first, last = _day(args.first, "--from"), _day(args.last, "--to")
    async with open_statements(args) as statements:
        made = await statements.backfill(args.source, first, last)
        if args.json:
            output.print_json({"pulls": [trigger_view(t) for t in made]})
            return OK
        console = output.console()
        console.print(triggers_table(made))
        if args.no_follow:
            return OK
        failed = await _follow(statements, args.source, made)
    return FAILURE if failed else OK


async def _follow(statements: StatementsService, source: str, made: list[PullTrigger]) -> int:
    """A progress bar until every date is received or failed; returns how many failed."""
    days = [t.pull.day for t in made]
    console = output.console()
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task(f"{source} backfill", total=len(days), status="")
        while True:
            listing = await statements.list_pulls(
                source=source, first=min(days), last=max(days), limit=MAX_PAGE
            )
            states = {
                pull.day: (effective_status(pull, job), job)
                for pull, job in listing.rows
                if pull.day in days
            }
            done = [day for day, (status, _) in states.items() if status in _DONE]
            failed = [day for day, (status, _) in states.items() if status is PullStatus.FAILED]
            upcoming = [
                job.run_at
                for status, job in states.values()
                if status not in _DONE and job is not None and job.state.value == "scheduled"
            ]
            status = f"{len(done) - len(failed)} received, {len(failed)} failed"
            if upcoming:
                status += f"; next request {output.when(min(upcoming))}"
            progress.update(bar, completed=len(done), status=status)
            if len(done) == len(days):
                break
            await asyncio.sleep(FOLLOW_EVERY_S)
    for day in failed:
        output.info(f"{day.isoformat()} failed: ringback statements show {source} --date {day}")
    return len(failed)


async def _list(args: argparse.Namespace) -> int:
    first = None if args.first is None else _day(args.first, "--from")
    last = None if args.last is None else _day(args.last, "--to")
    async with open_statements(args) as statements:
        listing = await statements.list_pulls(
            source=args.source, first=first, last=last, limit=args.limit, cursor=args.cursor
        )
    if args.json:
        output.print_json(
            {
                "pulls": [pull_view(pull, job) for pull, job in listing.rows],
                "next_cursor": listing.next_cursor,
            }
        )
        return OK
    if not listing.rows:
        output.info("no pulls match")
        return OK
    output.console().print(pulls_table(listing.rows))
    if listing.next_cursor is not None:
        output.info(f"more: add --cursor {listing.next_cursor}")
    return OK


async def _show(args: argparse.Namespace) -> int:
    day = _day(args.date, "--date")
    async with open_statements(args) as statements:
        detail = await statements.show(args.source, day)
    if args.json:
        output.print_json(pull_detail_view(detail))
        return OK
    console = output.console()
    console.print(pull_fields_table(detail))
    console.print()
    console.print(pull_attempts_table(detail))
    return OK


async def _reconcile(args: argparse.Namespace) -> int:
    day = _day(args.date, "--date")
    ledger = None if args.ledger_csv is None else _read_ledger(args.ledger_csv)
    async with open_statements(args) as statements:
        stored = await statements.reconcile(args.source, day, ledger_csv=ledger)
    if args.json:
        output.print_json(
            {
                "source": stored.source,
                "date": stored.day.isoformat(),
                "file_sha256": stored.file_sha256,
                "ledger": stored.ledger,
                "reconciled_at": stored.reconciled_at,
                "report": stored.report,
            }
        )
    elif args.csv:
        sys.stdout.write(stored.to_csv())
    else:
        console = output.console()
        console.print(bridge_line(stored))
        console.print()
        console.print(report_summary_table(stored))
        if stored.report["items"]:
            console.print()
            console.print(report_items_table(stored))
            shown = len(stored.report["items"])
            if shown > 50:
                output.info(f"{shown} items in all: add --csv for every one")
    return OK if stored.report["clean"] else FAILURE


def _read_ledger(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {path}: {error}", field="--ledger-csv") from None
