"""How ``ringback status`` shows the master, its children and the queue."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from ringback.core.supervisor.state import StatusReport


def status_json(report: StatusReport, queue_depth: int) -> dict[str, Any]:
    return {"queue_depth": queue_depth, **dataclasses.asdict(report)}


def status_table(report: StatusReport, queue_depth: int, now: datetime | None = None) -> Table:
    now = now or datetime.now(UTC)
    state = "running" if report.running else "stopped"
    title = f"ringback {state}"
    if report.master_pid is not None:
        title += f" — master pid {report.master_pid}"
    title += f" — {queue_depth} jobs scheduled"
    table = Table(title=title)
    for column in ("process", "pid", "uptime", "ready", "jobs done", "restarts", "last exit"):
        table.add_column(column)
    for child in report.children:
        uptime = "-" if child.started_at is None else _uptime(now - child.started_at)
        table.add_row(
            child.name,
            "-" if child.pid is None else str(child.pid),
            uptime,
            "yes" if child.ready else "no",
            str(child.counters.get("jobs_done", "-")),
            str(child.restarts),
            "-" if child.last_exit_code is None else str(child.last_exit_code),
        )
    return table


def _uptime(delta: Any) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
