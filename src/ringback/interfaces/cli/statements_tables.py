"""Rich tables for statement pulls and reconciliation reports (``--json`` is for scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.table import Table

from ringback.core.jobs import Job
from ringback.domain.statements.formats import format_minor
from ringback.domain.statements.pulls import (
    PullDetail,
    PullStatus,
    PullTrigger,
    StoredReport,
    pull_view,
)
from ringback.domain.statements.pulls.pull import Pull
from ringback.interfaces.cli.output import cell, short, when
from ringback.interfaces.cli.tables import attempts_table

_STATUS_STYLE = {
    PullStatus.SCHEDULED.value: "cyan",
    PullStatus.WAITING.value: "yellow",
    PullStatus.RECEIVED.value: "green",
    PullStatus.FAILED.value: "bold red",
}
# A report on screen shows this many items; --json and --csv have them all.
ITEMS_SHOWN = 50


def status_text(status: str) -> str:
    return f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]"


def pulls_table(rows: Sequence[tuple[Pull, Job | None]]) -> Table:
    table = _table("SOURCE", "DATE", "STATUS", "ASKED", "LAST REQUEST", "NEXT REQUEST")
    table.add_column("FILE")
    table.add_column("REPORT / ERROR")
    for pull, job in rows:
        view = pull_view(pull, job)
        table.add_row(
            view["source"],
            view["date"],
            status_text(view["status"]),
            str(view["requests"]),
            when(view["last_request_at"]),
            when(view["next_request_at"]),
            _file(view["file"]),
            short(_outcome(view), 50),
        )
    return table


def pull_fields_table(detail: PullDetail) -> Table:
    current = next((d.job for d in detail.jobs if d.job.key == detail.pull.job_key), None)
    view = pull_view(detail.pull, current)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    rows: list[tuple[str, str]] = [
        ("source", view["source"]),
        ("date", view["date"]),
        ("status", status_text(view["status"])),
        ("requests sent", str(view["requests"])),
        ("last request", when(view["last_request_at"])),
        ("last answer", cell(view["last_answer"])),
        ("next request", when(view["next_request_at"])),
        ("next allowed", when(detail.next_allowed_at)),
        ("file", _file_detail(view["file"])),
        ("report", cell(_outcome(view))),
        ("jobs", ", ".join(f"{d.job.id} ({d.job.state.value})" for d in detail.jobs) or "-"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def pull_attempts_table(detail: PullDetail) -> Table:
    return attempts_table([attempt for job in detail.jobs for attempt in job.attempts])


def trigger_line(trigger: PullTrigger) -> str:
    name = f"{trigger.pull.source} {trigger.pull.day.isoformat()}"
    job = f"job {trigger.job.id}"
    if trigger.action == "running":
        return f"{name}: being asked right now ({job})"
    if trigger.action == "received":
        return f"{name}: already received ({job}); not asked again"
    verb = {
        "queued": "queued",
        "again": "queued again",
        "moved": "moved forward",
        "already queued": "already queued",
    }[trigger.action]
    return f"{name}: {verb}; the request goes at {_at(trigger.sends_at)} ({job})"


def triggers_table(triggers: Sequence[PullTrigger]) -> Table:
    table = _table("DATE", "ACTION", "SENDS AT", "JOB")
    for trigger in triggers:
        table.add_row(
            trigger.pull.day.isoformat(),
            trigger.action,
            _at(trigger.sends_at),
            str(trigger.job.id),
        )
    return table


def report_summary_table(stored: StoredReport) -> Table:
    report = stored.report
    table = _table("CATEGORY", "COUNT", "STATEMENT LINES", "OUR ENTRIES", "DIFFERENCE")
    for name, values in report["categories"].items():
        table.add_row(
            name,
            str(values["count"]),
            str(values["statement_lines"]),
            str(values["our_entries"]),
            format_minor(values["difference_minor"]),
        )
    return table


def report_items_table(stored: StoredReport) -> Table:
    table = _table("CATEGORY", "ORDER", "LINE", "STATEMENT", "OURS", "DIFFERENCE", "STATUS")
    for item in stored.report["items"][:ITEMS_SHOWN]:
        table.add_row(
            item["category"],
            cell(item["order_no"]),
            cell(item["statement_line_no"]),
            _money(item["statement_amount_minor"]),
            _money(item["our_amount_minor"]),
            format_minor(item["difference_minor"]),
            cell(f"{item['statement_status'] or '-'} / {item['our_status'] or '-'}"),
        )
    return table


def bridge_line(stored: StoredReport) -> str:
    report = stored.report
    bridge = report["bridge"]
    statement, ours = report["statement"], report["ours"]
    verdict = "[green]clean[/]" if report["clean"] else "[bold red]breaks[/]"
    return (
        f"{stored.source} {stored.day.isoformat()}: {verdict} — statement "
        f"{statement['count']} lines {format_minor(statement['total_minor'])}, ours "
        f"{ours['count']} entries {format_minor(ours['total_minor'])}; statement − ours = "
        f"{format_minor(bridge['statement_minus_ours_minor'])} = Σ differences "
        f"{format_minor(bridge['sum_of_differences_minor'])} (ledger {stored.ledger})"
    )


def sources_table(views: Sequence[dict[str, Any]]) -> Table:
    table = _table("SOURCE", "KIND", "TARGET", "SCHEDULE", "TZ", "MIN INTERVAL", "DEADLINE")
    table.add_column("FORMAT")
    table.add_column("LEDGER")
    table.add_column("NEXT ALLOWED", no_wrap=True)
    for view in views:
        table.add_row(
            view["name"],
            view["kind"],
            cell(view["target"]),
            cell(view["schedule"]),
            view["tz"],
            view["min_interval"],
            view["deadline"],
            view["format"],
            view["ledger"],
            _at(view["next_allowed_at"]),
        )
    return table


def _table(*columns: str) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, no_wrap=True)
    return table


def _file(file: dict[str, Any] | None) -> str:
    if file is None:
        return "-"
    return f"{file['lines']} lines, {format_minor(file['total_minor'])} {file['currency'] or ''}"


def _file_detail(file: dict[str, Any] | None) -> str:
    if file is None:
        return "-"
    return (
        f"{cell(file['name'] or '(unnamed)')} — {file['lines']} lines, total "
        f"{format_minor(file['total_minor'])} {file['currency'] or ''}; "
        f"{file['container']}, {file['encoding']}, {file['size_bytes']} bytes, "
        f"sha256 {file['sha256'][:16]}…, received {when(file['received_at'])}"
    )


def _outcome(view: dict[str, Any]) -> str:
    if view["error"]:
        return str(view["error"])
    report = view["report"]
    if not report:
        return "-"
    if "error" in report:
        return f"not reconciled: {report['error']}"
    if report["clean"]:
        return f"clean ({report['pending']} pending)"
    return f"{report['breaks']} breaks, {report['pending']} pending"


def _money(minor: int | None) -> str:
    return "-" if minor is None else format_minor(minor)


def _at(moment: datetime | None) -> str:
    return "now" if moment is None else when(moment)
