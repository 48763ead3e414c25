"""A named place for one child: its spec, the process in it, and its restart record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ringback.core.supervisor.process import ChildProcess
from ringback.core.supervisor.spec import ChildSpec


@dataclass(eq=False)
class Slot:
    spec: ChildSpec
    current: ChildProcess | None = None
    restarts: int = 0  # replacements started after an exit
    crashes: int = 0  # exits nobody asked for, over the master's lifetime
    streak: int = 0  # consecutive crashes, drives the backoff
    backoff_s: float = 0.0  # the wait before the pending (or last) restart
    last_exit_code: int | None = None
    restart_at: float | None = None  # monotonic time of the pending restart


def state_document(
    *,
    master_pid: int,
    started_at: datetime,
    stopped_at: datetime | None,
    reloads: int,
    reload_failures: int,
    slots: list[Slot],
) -> dict[str, Any]:
    """The JSON the master writes for ``ringback status`` (read by ``read_status``)."""
    return {
        "master": {
            "pid": master_pid,
            "started_at": started_at.isoformat(),
            "stopped_at": stopped_at.isoformat() if stopped_at is not None else None,
            "reloads": reloads,
            "reload_failures": reload_failures,
        },
        "children": [_child_entry(slot, stopped=stopped_at is not None) for slot in slots],
    }


def _child_entry(slot: Slot, *, stopped: bool) -> dict[str, Any]:
    proc = None if stopped else slot.current
    return {
        "name": slot.spec.name,
        "pid": proc.pid if proc is not None else None,
        "started_at": proc.started_at.isoformat() if proc is not None else None,
        "ready": proc.ready if proc is not None else False,
        "restarts": slot.restarts,
        "crashes": slot.crashes,
        "last_exit_code": slot.last_exit_code,
        "backoff_s": slot.backoff_s if slot.restart_at is not None else 0.0,
    }
