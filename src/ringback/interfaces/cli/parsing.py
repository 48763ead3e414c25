"""argparse with one-line errors, and the value parsers commands share.

Bad input ends the command with exit code 2 and a single line on stderr naming
what was wrong, so scripts and people both see the cause at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from ringback.core.durations import parse_duration
from ringback.core.errors import InvalidInput
from ringback.interfaces.cli.exit_codes import USAGE


class CliParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: error: {message} (see --help)\n")


def fail_usage(message: str) -> NoReturn:
    sys.stderr.write(f"ringback: error: {message}\n")
    raise SystemExit(USAGE)


def aware_time(text: str, *, option: str) -> datetime:
    """An ISO 8601 time with a timezone: ``2026-01-01T12:00:00Z`` or ``...+08:00``."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"cannot read time {text!r}; use ISO 8601, e.g. 2026-01-01T12:00:00Z", field=option
        ) from None
    if when.tzinfo is None:
        raise InvalidInput(
            f"time {text!r} has no timezone; add one, e.g. Z or +08:00", field=option
        )
    return when


def optional_time(text: str | None, *, option: str) -> datetime | None:
    return None if text is None else aware_time(text, option=option)


def optional_duration(text: str | None, *, option: str) -> timedelta | None:
    return None if text is None else parse_duration(text, field=option)


def text_or_file(value: str, *, option: str) -> str:
    """``@path`` reads the file (``@-`` reads stdin); anything else is the text itself."""
    if not value.startswith("@"):
        return value
    source = value[1:]
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {source}: {exc}", field=option) from None


def json_value(value: str, *, option: str) -> Any:
    text = text_or_file(value, option=option)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field=option) from None


def json_object(value: str, *, option: str) -> dict[str, Any]:
    parsed = json_value(value, option=option)
    if not isinstance(parsed, dict):
        raise InvalidInput("must be a JSON object", field=option)
    return parsed


def pair(value: str, *, option: str, sep: str) -> tuple[str, str]:
    """``name<sep>value`` with a non-empty name; the value may contain ``sep``."""
    name, found, rest = value.partition(sep)
    if not found or not name.strip():
        raise InvalidInput(f"expected NAME{sep}VALUE, got {value!r}", field=option)
    return name.strip(), rest.strip() if sep == ":" else rest
