"""Per-callback timeouts: read from a payload, bounded, and shown in errors.

A payload writes them like every other duration in ringback (``"30s"``, ``"200ms"``,
``"1m30s"``, ISO ``"PT30S"``; see ``ringback.core.durations``). On top of that syntax a
timeout must be at least a millisecond and at most the operator's ``max_timeout``: a
zero timeout could never succeed, and a huge one would hold a connection slot and the
job's lease for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ringback.core.durations import format_duration, parse_duration
from ringback.core.errors import InvalidInput

MIN_TIMEOUT = timedelta(milliseconds=1)


def parse_timeout(value: object, *, field: str, maximum: timedelta) -> timedelta:
    """A timeout between 1ms and ``maximum``. Raises InvalidInput naming ``field``."""
    if not isinstance(value, str):
        raise InvalidInput("a timeout is a duration string such as '5s' or '200ms'", field=field)
    result = parse_duration(value, field=field)
    if result < MIN_TIMEOUT:
        raise InvalidInput("a timeout must be at least 1ms", field=field)
    if result > maximum:
        raise InvalidInput(f"a timeout may be at most {format_timeout(maximum)}", field=field)
    return result


def format_timeout(value: timedelta) -> str:
    """The compact text for ``value`` ('30s', '200ms', '1m30s'), as errors show it."""
    return format_duration(value)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """The two limits one attempt runs under."""

    connect: timedelta  # opening the TCP (and TLS) connection
    total: timedelta  # the whole attempt: DNS, connect, send, and reading the answer

    @property
    def connect_s(self) -> float:
        return self.connect.total_seconds()

    @property
    def total_s(self) -> float:
        return self.total.total_seconds()
