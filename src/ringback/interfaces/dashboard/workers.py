"""The processes of ``ringback serve`` as the Overview shows them, from the state
files the supervisor writes (the same source as ``ringback status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ringback.core.errors import ConfigError
from ringback.core.supervisor.state import ChildStatus, StatusReport, read_status


@dataclass(frozen=True, slots=True)
class ProcessRow:
    name: str
    pid: int | None
    health: str  # ok, starting, restarting, stopped
    started_at: datetime | None
    restarts: int
    crashes: int
    last_exit_code: int | None
    jobs_done: int | None  # what a worker last reported
    in_flight: int | None
    note: str


@dataclass(frozen=True, slots=True)
class Workers:
    supervised: bool  # False: no state folder (an embedded service, a test)
    running: bool
    master_pid: int | None
    started_at: datetime | None
    rows: list[ProcessRow]
    problem: str | None = None  # the state file could not be read


def read_workers(state_dir: Path | None) -> Workers:
    if state_dir is None:
        return Workers(supervised=False, running=False, master_pid=None, started_at=None, rows=[])
    try:
        report = read_status(state_dir)
    except (ConfigError, OSError) as exc:
        problem = exc.message if isinstance(exc, ConfigError) else str(exc)
        return Workers(True, False, None, None, [], problem=problem)
    return workers_from(report)


def workers_from(report: StatusReport) -> Workers:
    return Workers(
        supervised=True,
        running=report.running,
        master_pid=report.master_pid,
        started_at=report.started_at,
        rows=[process_row(child, master_running=report.running) for child in report.children],
    )


def process_row(child: ChildStatus, *, master_running: bool) -> ProcessRow:
    health, note = _health(child, master_running)
    return ProcessRow(
        name=child.name,
        pid=child.pid,
        health=health,
        started_at=child.started_at,
        restarts=child.restarts,
        crashes=child.crashes,
        last_exit_code=child.last_exit_code,
        jobs_done=_counter(child, "jobs_done"),
        in_flight=_counter(child, "in_flight"),
        note=note,
    )


def _health(child: ChildStatus, master_running: bool) -> tuple[str, str]:
    if not master_running:
        return "stopped", "the master is not running"
    if child.pid is None:
        wait = f" in {child.backoff_s:.1f} s" if child.backoff_s else ""
        return "restarting", f"exited with {child.last_exit_code}; restarting{wait}"
    if not child.ready:
        return "starting", "started, not ready yet"
    return "ok", ""


def _counter(child: ChildStatus, name: str) -> int | None:
    value = child.counters.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
