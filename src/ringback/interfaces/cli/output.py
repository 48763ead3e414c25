"""Printing: JSON for scripts (``--json``), rich tables for people.

The console is made per call on the current ``sys.stdout`` so output can be
captured or redirected; rich drops colours by itself when stdout is not a terminal.
"""

from __future__ import annotations

import enum
import json
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

EXCERPT_CHARS = 60
PIPED_WIDTH = 200


def console() -> Console:
    # Piped output is read by tools (grep, less -S), not a terminal of known size:
    # give tables room instead of rich's default 80 columns, unless COLUMNS says.
    width = None
    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        width = PIPED_WIDTH
    return Console(file=sys.stdout, highlight=False, soft_wrap=False, width=width)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=_json_default, indent=2, ensure_ascii=False))
    sys.stdout.write("\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def iso(when: datetime) -> str:
    """``2026-01-01T12:00:00Z``: the API's form, so scripts parse one format."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def when(value: datetime | None) -> str:
    """A time for tables: UTC to the second, ``-`` for none."""
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def short(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    """One line at most ``limit`` characters, escaped for rich markup."""
    if not text:
        return "-"
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return escape(flat)


def cell(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, Mapping | list):
        return escape(json.dumps(value, default=_json_default, ensure_ascii=False))
    return escape(str(value))


def info(message: str) -> None:
    """A line for people on stderr, so stdout stays clean for pipes."""
    sys.stderr.write(message + "\n")
