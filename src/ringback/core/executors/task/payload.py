"""A task job's payload: ``{"task": "statements.fetch", "args": {...}, "timeout": "30s"}``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from ringback.core.durations import format_duration, parse_duration
from ringback.core.errors import InvalidInput
from ringback.core.jobs import JsonObject

_FIELDS = frozenset({"task", "args", "timeout"})


@dataclass(frozen=True, slots=True)
class TaskCall:
    task: str
    args: JsonObject
    timeout: timedelta | None  # None: the executor's default

    def to_payload(self) -> JsonObject:
        payload: JsonObject = {"task": self.task, "args": self.args}
        if self.timeout is not None:
            payload["timeout"] = format_duration(self.timeout)
        return payload


def parse_task_call(payload: JsonObject, *, max_timeout: timedelta) -> TaskCall:
    """Validate the shape of a task payload (not yet whether the task exists)."""
    if not isinstance(payload, dict):
        raise InvalidInput("a task payload must be a JSON object", field="payload")
    for key in payload:
        if key not in _FIELDS:
            raise InvalidInput(
                f"unknown field {key!r}; a task payload has task, args and timeout", field=key
            )
    name = payload.get("task")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("name the task to run, e.g. 'statements.fetch'", field="task")
    args = payload.get("args", {})
    if not isinstance(args, dict) or not all(isinstance(k, str) for k in args):
        raise InvalidInput("args must be a JSON object of named arguments", field="args")
    try:
        json.dumps(args, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"args must be plain JSON: {exc}", field="args") from None
    timeout = None
    if payload.get("timeout") is not None:
        timeout = parse_duration(payload["timeout"], field="timeout")
        if timeout <= timedelta(0):
            raise InvalidInput("timeout must be more than 0s", field="timeout")
        if timeout > max_timeout:
            raise InvalidInput(
                f"timeout may be at most {format_duration(max_timeout)}", field="timeout"
            )
    return TaskCall(task=name, args=args, timeout=timeout)
