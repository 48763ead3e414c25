"""The state files behind ``ringback status``.

The master rewrites ``<state_dir>/master.json`` whenever a child starts, becomes
ready or exits; each child may keep its own counters in ``<state_dir>/<name>.json``.
Every write goes to a temporary file that is renamed over the old one, so a
reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ringback.core.errors import ConfigError
from ringback.core.jobs import JsonObject
from ringback.core.supervisor.liveness import looks_like_master

MASTER_STATE_FILE = "master.json"


@dataclass(frozen=True, slots=True)
class ChildStatus:
    name: str
    pid: int | None  # None while waiting to be restarted
    started_at: datetime | None
    ready: bool
    restarts: int  # replacements after an exit (crash or recycle)
    crashes: int  # exits that were not asked for
    last_exit_code: int | None  # negative: killed by that signal
    backoff_s: float  # the wait before the pending restart, 0 if none
    counters: JsonObject = field(default_factory=dict)  # what the child wrote itself


@dataclass(frozen=True, slots=True)
class StatusReport:
    running: bool
    master_pid: int | None
    started_at: datetime | None
    stopped_at: datetime | None
    reloads: int
    reload_failures: int
    children: tuple[ChildStatus, ...] = ()


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"), sort_keys=True)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_child_state(state_dir: Path, name: str, counters: Mapping[str, Any]) -> None:
    """A child records its own counters (e.g. ``{"jobs_done": 120}``) for ``status``."""
    write_json_atomic(state_dir / f"{name}.json", dict(counters))


def read_status(state_dir: Path) -> StatusReport:
    """What the master last wrote, with each child's counters and whether it runs."""
    path = state_dir / MASTER_STATE_FILE
    raw = _read_json(path)
    if raw is None:
        return StatusReport(
            running=False,
            master_pid=None,
            started_at=None,
            stopped_at=None,
            reloads=0,
            reload_failures=0,
        )
    try:
        master = raw["master"]
        pid = int(master["pid"])
        stopped_at = _time(master.get("stopped_at"))
        children = tuple(_child(entry, state_dir) for entry in raw["children"])
        return StatusReport(
            running=stopped_at is None and looks_like_master(pid),
            master_pid=pid,
            started_at=_time(master.get("started_at")),
            stopped_at=stopped_at,
            reloads=int(master.get("reloads", 0)),
            reload_failures=int(master.get("reload_failures", 0)),
            children=children,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"state file {path} is not a ringback state file: {exc}") from None


def _child(entry: Mapping[str, Any], state_dir: Path) -> ChildStatus:
    name = str(entry["name"])
    pid = entry.get("pid")
    counters = _read_json(state_dir / f"{name}.json") or {}
    return ChildStatus(
        name=name,
        pid=int(pid) if pid is not None else None,
        started_at=_time(entry.get("started_at")),
        ready=bool(entry.get("ready", False)),
        restarts=int(entry.get("restarts", 0)),
        crashes=int(entry.get("crashes", 0)),
        last_exit_code=_opt_int(entry.get("last_exit_code")),
        backoff_s=float(entry.get("backoff_s", 0.0)),
        counters=counters,
    )


def _read_json(path: Path) -> JsonObject | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"state file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"state file {path} does not hold a JSON object")
    return data


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _opt_int(value: object) -> int | None:
    return int(value) if isinstance(value, int) else None
