"""``ringback jobs retry-all``: retry every dead (or cancelled) job a filter selects.

It counts first and acts only when told to (``--yes``, or a yes at the prompt on a
terminal), never on more jobs than it counted, newest first, with a progress bar.
A job whose state changed in between is skipped, not forced.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ringback.core.errors import Conflict, InvalidInput, NotFound
from ringback.core.jobs import JobState
from ringback.core.service import JobService
from ringback.core.store import JobFilter
from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import Subparsers, add_command, add_json_flag, run_async
from ringback.interfaces.cli.context import open_service
from ringback.interfaces.cli.parsing import CliParser

RETRYABLE = frozenset({JobState.DEAD, JobState.CANCELLED})
PAGE = 500
DEFAULT_MAX = 10_000


def register_retry_all(
    actions: Subparsers,
    add_filters: Callable[[CliParser], None],
    read_filter: Callable[[argparse.Namespace], JobFilter],
) -> None:
    parser = add_command(
        actions,
        "retry-all",
        help="retry every dead (or cancelled) job that matches the filters",
        handler=lambda args: run_async(_retry_all(args, read_filter)),
    )
    add_filters(parser)
    parser.add_argument("--max", type=int, default=DEFAULT_MAX, help="retry at most this many")
    parser.add_argument("--yes", action="store_true", help="do it without asking")
    add_json_flag(parser)


def selection(where: JobFilter) -> JobFilter:
    """Dead jobs unless states are given; only dead and cancelled ones can be retried."""
    states = where.states or frozenset({JobState.DEAD})
    if not states <= RETRYABLE:
        wrong = ", ".join(sorted(s.value for s in states - RETRYABLE))
        raise InvalidInput(
            f"only dead or cancelled jobs can be retried, not {wrong}", field="--state"
        )
    return dataclasses.replace(where, states=states)


async def _retry_all(
    args: argparse.Namespace, read_filter: Callable[[argparse.Namespace], JobFilter]
) -> int:
    if args.max < 1:
        raise InvalidInput("--max must be at least 1", field="--max")
    where = selection(read_filter(args))
    async with open_service(args) as service:
        count = min(await service.count(where), args.max)
        if count == 0:
            return _report(args, matched=0, retried=0, skipped=0)
        if not args.yes and not _confirmed(count):
            output.info(f"{count} jobs match; nothing done (add --yes to retry them)")
            return 0
        ids = await _ids(service, where, count)
        retried, skipped = await _retry(service, ids, show_bar=not args.json)
    return _report(args, matched=count, retried=retried, skipped=skipped)


async def _ids(service: JobService, where: JobFilter, count: int) -> list[int]:
    """The ids first, so that retried jobs (no longer dead) cannot shift the pages."""
    ids: list[int] = []
    cursor = None
    while len(ids) < count:
        page = await service.list(where, limit=min(PAGE, count - len(ids)), cursor=cursor)
        ids.extend(job.id for job in page.jobs)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return ids[:count]


async def _retry(service: JobService, ids: list[int], *, show_bar: bool) -> tuple[int, int]:
    retried = skipped = 0
    columns = (TextColumn("retrying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=output.console(), disable=not show_bar) as bar:
        task = bar.add_task("retry", total=len(ids))
        for job_id in ids:
            try:
                await service.retry(job_id)
                retried += 1
            except (Conflict, NotFound):
                skipped += 1  # retried, cancelled or purged since it was counted
            bar.advance(task)
    return retried, skipped


def _confirmed(count: int) -> bool:
    if not sys.stdin.isatty():
        return False
    answer = input(f"Retry {count} jobs now? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _report(args: argparse.Namespace, *, matched: int, retried: int, skipped: int) -> int:
    if args.json:
        output.print_json({"matched": matched, "retried": retried, "skipped": skipped})
    else:
        output.info(f"{retried} jobs retried, {skipped} skipped (changed meanwhile)")
    return 0
