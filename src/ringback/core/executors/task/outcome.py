"""How a task's return value or exception becomes an ``ExecutionResult``."""

from __future__ import annotations

import json
import traceback
from typing import Any

from ringback.core.executors.base import ExecutionResult, ResultKind
from ringback.core.executors.task.signals import Fail, Retry
from ringback.core.jobs import ATTEMPT_EXCERPT_BYTES

ERROR_CHARS = 500  # an error is one line for lists and logs, not a dump
_ELLIPSIS = "…"


def succeeded(value: Any) -> ExecutionResult:
    """SUCCESS with the return value, as JSON, in the excerpt (None: no excerpt)."""
    if value is None:
        return ExecutionResult(kind=ResultKind.SUCCESS)
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=_refuse)
    except (TypeError, ValueError):
        text = repr(value)  # still worth showing; the attempt did succeed
    return ExecutionResult(kind=ResultKind.SUCCESS, response_excerpt=head(text))


def asked_to_retry(signal: Retry) -> ExecutionResult:
    return ExecutionResult(
        kind=ResultKind.RETRY,
        error=one_line(signal.message) or "the task asked to be retried",
        retry_after=signal.delay,
    )


def asked_to_fail(signal: Fail) -> ExecutionResult:
    return ExecutionResult(
        kind=ResultKind.FAIL, error=one_line(signal.message) or "the task failed"
    )


def raised(exc: BaseException) -> ExecutionResult:
    """RETRY for an unexpected exception: its type and first line, and where it came from."""
    message = one_line(str(exc))
    error = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    trace = "".join(traceback.format_exception(exc))
    return ExecutionResult(kind=ResultKind.RETRY, error=error, response_excerpt=tail(trace))


def timed_out(after: str) -> ExecutionResult:
    return ExecutionResult(kind=ResultKind.RETRY, error=f"timed out after {after}")


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    first = lines[0].strip() if lines else ""
    return first if len(first) <= ERROR_CHARS else first[: ERROR_CHARS - 1] + _ELLIPSIS


def head(text: str, limit: int = ATTEMPT_EXCERPT_BYTES) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, marked when cut."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    room = limit - len(_ELLIPSIS.encode())
    return raw[:room].decode(errors="ignore") + _ELLIPSIS


def tail(text: str, limit: int = ATTEMPT_EXCERPT_BYTES) -> str:
    """The end of ``text`` in at most ``limit`` UTF-8 bytes, whole lines where possible."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    room = limit - len(_ELLIPSIS.encode())
    cut = raw[-room:].decode(errors="ignore")
    newline = cut.find("\n")
    if 0 <= newline < len(cut) - 1:
        cut = cut[newline + 1 :]
    return _ELLIPSIS + cut


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON")
