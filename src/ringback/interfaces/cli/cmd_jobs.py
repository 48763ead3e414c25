"""``ringback jobs list|show|cancel|retry|reschedule``: read and act on jobs in the store."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ringback.core.jobs import JobKind, JobState
from ringback.core.service import MAX_PAGE_SIZE, detail_view, job_view
from ringback.core.store import JobFilter
from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import Subparsers, add_command, add_json_flag, run_async
from ringback.interfaces.cli.context import open_service
from ringback.interfaces.cli.jobs_bulk import register_retry_all
from ringback.interfaces.cli.parsing import CliParser, optional_duration, optional_time, pair
from ringback.interfaces.cli.tables import attempts_table, job_fields_table, jobs_table

DEFAULT_LIMIT = 50


def register(subparsers: Subparsers) -> None:
    group = add_command(subparsers, "jobs", help="list, show, cancel, retry, reschedule jobs")
    actions = group.add_subparsers(
        dest="jobs_command", metavar="ACTION", required=True, parser_class=CliParser
    )
    _register_list(actions)
    show = add_command(
        actions, "show", help="a job and its attempts", handler=lambda a: run_async(_show(a))
    )
    show.add_argument("id", type=int)
    add_json_flag(show)
    cancel = add_command(
        actions, "cancel", help="cancel a scheduled or running job", handler=_action("cancel")
    )
    cancel.add_argument("id", type=int)
    add_json_flag(cancel)
    retry = add_command(
        actions,
        "retry",
        help="start a new series for a dead or cancelled job (now, or --at/--delay)",
        handler=_action("retry"),
    )
    _add_id_and_when(retry)
    reschedule = add_command(
        actions,
        "reschedule",
        help="move a scheduled job's next attempt (--at or --delay)",
        handler=_action("reschedule"),
    )
    _add_id_and_when(reschedule, required=True)
    register_retry_all(actions, add_filter_arguments, job_filter)


def _register_list(actions: Subparsers) -> None:
    parser = add_command(
        actions, "list", help="jobs, newest first", handler=lambda a: run_async(_list(a))
    )
    add_filter_arguments(parser)
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"page size, 1-{MAX_PAGE_SIZE}"
    )
    parser.add_argument("--cursor", type=int, help="the next-page cursor a previous list gave")
    add_json_flag(parser)


def add_filter_arguments(parser: CliParser) -> None:
    """The job filters (``job_filter`` reads them back)."""
    parser.add_argument(
        "--state",
        action="append",
        default=[],
        choices=[state.value for state in JobState],
        help="(repeatable)",
    )
    parser.add_argument(
        "--kind", action="append", default=[], choices=[kind.value for kind in JobKind]
    )
    parser.add_argument("--queue")
    parser.add_argument("--key")
    parser.add_argument("--target", help="e.g. shop.example:443")
    parser.add_argument("--label", metavar="NAME:VALUE")
    parser.add_argument("--created-from", metavar="ISO", help="created at or after")
    parser.add_argument("--created-to", metavar="ISO", help="created before")


def _add_id_and_when(parser: CliParser, *, required: bool = False) -> None:
    parser.add_argument("id", type=int)
    when = parser.add_mutually_exclusive_group(required=required)
    when.add_argument("--at", metavar="ISO", help="e.g. 2026-01-01T12:00:00Z")
    when.add_argument("--delay", metavar="DURATION", help="from now, e.g. 10m")
    add_json_flag(parser)


def job_filter(args: argparse.Namespace) -> JobFilter:
    return JobFilter(
        states=frozenset(JobState(state) for state in args.state),
        kinds=frozenset(JobKind(kind) for kind in args.kind),
        queue=args.queue,
        key=args.key,
        target=args.target,
        label=None if args.label is None else pair(args.label, option="--label", sep=":"),
        created_from=optional_time(args.created_from, option="--created-from"),
        created_to=optional_time(args.created_to, option="--created-to"),
    )


async def _list(args: argparse.Namespace) -> int:
    where = job_filter(args)
    async with open_service(args) as service:
        page = await service.list(where, limit=args.limit, cursor=args.cursor)
    if args.json:
        output.print_json(
            {"jobs": [job_view(job) for job in page.jobs], "next_cursor": page.next_cursor}
        )
        return 0
    if not page.jobs:
        output.info("no jobs match")
        return 0
    output.console().print(jobs_table(page.jobs))
    if page.next_cursor is not None:
        output.info(f"more: add --cursor {page.next_cursor}")
    return 0


async def _show(args: argparse.Namespace) -> int:
    async with open_service(args) as service:
        detail = await service.get(args.id)
    if args.json:
        output.print_json(detail_view(detail))
        return 0
    console = output.console()
    console.print(job_fields_table(detail.job))
    console.print()
    if detail.attempts:
        console.print(attempts_table(detail.attempts))
    else:
        console.print("no attempts yet")
    return 0


def _action(name: str) -> Callable[[argparse.Namespace], int]:
    return lambda args: run_async(_act(name, args))


async def _act(name: str, args: argparse.Namespace) -> int:
    at = optional_time(getattr(args, "at", None), option="--at")
    delay = optional_duration(getattr(args, "delay", None), option="--delay")
    async with open_service(args) as service:
        if name == "cancel":
            job = await service.cancel(args.id)
        elif name == "retry":
            job = await service.retry(args.id, at, delay=delay)
        else:
            job = await service.reschedule(args.id, at, delay=delay)
    if args.json:
        output.print_json({"job": job_view(job)})
        return 0
    next_run = "" if job.state.is_final else f", next attempt at {output.when(job.run_at)}"
    output.console().print(f"job {job.id}: {job.state.value}{next_run}")
    return 0
