"""``ringback demo statements``: a statement pull against a simulated bank, end to end.

Self-contained (no running service needed); everything it makes stays in one folder:

1. starts the simulated bank on loopback: it answers ``9999 系统错误`` until the file is
   "ready" a few seconds from now, refuses callers who ask more often than the minimum
   interval (shortened from 30 minutes to a couple of seconds for the demo), then serves
   yesterday's statement as base64 of a zip holding a GBK ``|`` file;
2. writes a configuration (``ringback.toml``) with a source pointed at it and a CSV
   ledger (``ledger.csv``) with a few deliberate differences;
3. runs a ringback worker in this process on that configuration, asks for the pull, and
   prints each request as the bank sees it, the file's arrival and the reconciliation.

Afterwards the usual commands work on the folder's store (the demo prints them).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from rich.console import Console
from rich.markup import escape

from ringback.core.clock import SystemClock
from ringback.core.config import ensure_secrets, load_settings
from ringback.core.durations import format_duration
from ringback.domain.statements import StatementLine
from ringback.domain.statements.formats import format_minor
from ringback.domain.statements.pulls import PullStatus, StatementsService
from ringback.domain.statements.simulator import (
    NOT_READY,
    OK,
    SIMULATOR_FORMAT,
    STATEMENT_PATH,
    TOO_FREQUENT,
    bank_requests,
    create_bank_app,
)
from ringback.interfaces.cli.exit_codes import FAILURE
from ringback.interfaces.cli.exit_codes import OK as EXIT_OK
from ringback.interfaces.cli.statements_tables import (
    bridge_line,
    report_items_table,
    report_summary_table,
)
from ringback.interfaces.runtime.embedded import EmbeddedService

SOURCE = "demo-bank"
BANK_ZONE = ZoneInfo("Asia/Shanghai")
WATCH_EVERY_S = 0.1
GIVE_UP_AFTER_S = 120.0
_MEANING = {NOT_READY: "not ready yet", TOO_FREQUENT: "too frequent", OK: "here is the file"}


@dataclass(frozen=True, slots=True)
class DemoOptions:
    folder: Path | None
    interval: timedelta
    ready_after: timedelta


async def run_statements_demo(options: DemoOptions, console: Console) -> int:
    folder = options.folder or Path(tempfile.mkdtemp(prefix="ringback-statements-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    clock = SystemClock()
    day = clock.now().astimezone(BANK_ZONE).date() - timedelta(days=1)
    ready_at = clock.now() + options.ready_after
    bank = create_bank_app(
        clock, ready_at=ready_at, statements={day: _statement(day)}, min_interval=options.interval
    )
    runner = web.AppRunner(bank, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}{STATEMENT_PATH}"
        config = _write_files(folder, url, day, options.interval)
        _introduce(console, url, day, options, ready_at, folder)
        settings = ensure_secrets(load_settings(config, env={}))
        async with EmbeddedService(settings, serve_api=False) as svc:
            statements = svc.features.statements.service
            assert statements is not None
            return await _watch(console, statements, bank, day, config)
    finally:
        await runner.cleanup()


def _introduce(
    console: Console,
    url: str,
    day: date,
    options: DemoOptions,
    ready_at: datetime,
    folder: Path,
) -> None:
    interval = format_duration(options.interval)
    console.print(f"[bold]simulated bank[/] on {url}")
    console.print(
        f"  answers 9999 系统错误 until {_clock(ready_at)} (in "
        f"{format_duration(options.ready_after)}), and refuses requests closer than "
        f"{interval} apart (a real bank: 30 minutes; shortened for the demo)"
    )
    console.print(f"[bold]ringback[/]: source {SOURCE!r}, min_interval {interval}, in {folder}")
    console.print(f"asking for the statement of {day.isoformat()} …\n")


async def _watch(
    console: Console, statements: StatementsService, bank: web.Application, day: date, config: Path
) -> int:
    trigger = await statements.trigger(SOURCE, day)
    now = datetime.now(UTC)
    console.print(f"{_clock(now)}  pull queued; first request at {_clock(trigger.sends_at)}")
    seen = 0
    noted: datetime | None = None
    started = time.monotonic()
    while time.monotonic() - started < GIVE_UP_AFTER_S:
        await asyncio.sleep(WATCH_EVERY_S)
        requests = bank_requests(bank)
        for request in requests[seen:]:
            meaning = _MEANING.get(request.code, "error")
            console.print(f"{_clock(request.at)}  → bank answered {request.code} ({meaning})")
        seen = len(requests)
        detail = await statements.show(SOURCE, day)
        pull = detail.pull
        if pull.status is PullStatus.FAILED:
            console.print(f"[bold red]the pull failed[/]: {escape(pull.error or '')}")
            return FAILURE
        if pull.status is PullStatus.RECEIVED and pull.report is not None:
            return await _show_result(console, statements, day, config)
        current = next((d.job for d in detail.jobs if d.job.key == pull.job_key), None)
        waiting = current is not None and current.state.value == "scheduled" and seen > 0
        if waiting and current is not None and current.run_at != noted:
            noted = current.run_at
            console.print(f"{'':10}  next request at {_clock(noted)} (the minimum interval)")
    console.print("[bold red]the demo ran out of time[/]")
    return FAILURE


async def _show_result(
    console: Console, statements: StatementsService, day: date, config: Path
) -> int:
    detail = await statements.show(SOURCE, day)
    received = detail.pull.received
    assert received is not None
    console.print(
        f"\n[bold green]file received[/] after {detail.pull.requests} requests: "
        f"{escape(received.name)} ({received.container}, {received.encoding}), "
        f"{received.lines} lines, total {format_minor(received.total_minor)} "
        f"{received.currency or ''}; kept as blob {received.sha256[:16]}…\n"
    )
    stored = await statements.report(SOURCE, day)
    console.print(bridge_line(stored))
    console.print(report_summary_table(stored))
    console.print()
    console.print(report_items_table(stored))
    where = f"ringback --config {config}"
    console.print("\n[bold]where to look[/]")
    console.print(f"  {where} statements show {SOURCE} --date {day.isoformat()}")
    console.print(f"  {where} statements list")
    console.print(f"  {where} reconcile {SOURCE} --date {day.isoformat()} --csv")
    return EXIT_OK


def _statement(day: date) -> list[StatementLine]:
    base = datetime(day.year, day.month, day.day, 9, 0, tzinfo=BANK_ZONE).astimezone(UTC)
    rows = [
        ("D0001", 8888, "paid"),
        ("D0002", 120000, "paid"),  # ours: 1100.00 — an amount mismatch
        ("D0003", 5000, "paid"),  # not in our ledger
        ("D0004", 6600, "paid"),
        ("D0004", -6600, "refunded"),
        ("D0006", 1999, "paid"),
    ]
    return [
        StatementLine(
            0, order_no, f"B{n:08d}", amount, "CNY", status, base + timedelta(minutes=7 * n), ""
        )
        for n, (order_no, amount, status) in enumerate(rows, start=1)
    ]


def _ledger_csv(day: date) -> str:
    lines = ["order_no,channel_txn_no,amount,currency,status,occurred_at"]
    base = datetime(day.year, day.month, day.day, 9, 0, tzinfo=BANK_ZONE)
    ours = [
        (1, "D0001", "88.88", "paid"),
        (2, "D0002", "1100.00", "paid"),
        (4, "D0004", "66.00", "paid"),
        (5, "D0004", "-66.00", "refunded"),
        (6, "D0006", "19.99", "paid"),
        (7, "D0007", "30.00", "paid"),  # not on the statement
    ]
    for n, order_no, amount, status in ours:
        at = (base + timedelta(minutes=7 * n)).isoformat()
        lines.append(f"{order_no},B{n:08d},{amount},CNY,{status},{at}")
    return "\n".join(lines) + "\n"


def _write_files(folder: Path, url: str, day: date, interval: timedelta) -> Path:
    (folder / "ledger.csv").write_text(_ledger_csv(day), encoding="utf-8")
    config = folder / "ringback.toml"
    config.write_text(
        "# Written by `ringback demo statements`.\n"
        '[store]\nurl = "sqlite:///ringback.db"\n\n'
        f"[statements.sources.{SOURCE}]\n"
        'kind = "http"\n'
        f'url = "{url}"\n'
        'json = { merchant = "898310048160001", date = "{date}" }\n'
        'not_ready = { field = "code", equals = "9999" }\n'
        'too_frequent = { field = "code", equals = "1001" }\n'
        'ready = { field = "code", equals = "0000" }\n'
        'schedule = ""  # pulled by hand in the demo; "30 0 * * *" for every night\n'
        'tz = "Asia/Shanghai"\n'
        f'min_interval = "{format_duration(interval)}"\n'
        'ledger = "csv:ledger.csv"\n'
        f"format = {_toml(SIMULATOR_FORMAT)}\n",
        encoding="utf-8",
    )
    return config


def _toml(value: object) -> str:
    """An inline TOML value for the format table (JSON strings are TOML strings)."""
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _clock(when: datetime | None) -> str:
    return "-" if when is None else when.astimezone().strftime("%H:%M:%S.%f")[:-4]
