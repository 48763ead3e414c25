"""Statement times: the bank's local wall-clock text to an aware UTC datetime.

``strptime`` costs several microseconds a call, which adds seconds to a million-line file,
so the common layouts take a fast path through ``fromisoformat``, and parsed values are
memoised: a busy day repeats each second a dozen times.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

_ISO_SPACE = "%Y-%m-%d %H:%M:%S"
_ISO_T = "%Y-%m-%dT%H:%M:%S"
_COMPACT = "%Y%m%d%H%M%S"
_CACHE_ENTRIES = 200_000

NaiveParser = Callable[[str], datetime]


class TimestampParser:
    def __init__(self, date_format: str, zone: tzinfo) -> None:
        self.date_format = date_format
        self.zone = zone
        self.cache: dict[str, datetime] = {}  # text -> UTC; callers may probe it directly
        self._parse_naive = self._choose(date_format)

    def __call__(self, text: str) -> datetime:
        found = self.cache.get(text)
        if found is not None:
            return found
        naive = self._parse_naive(text.strip())
        when = naive.replace(tzinfo=self.zone).astimezone(UTC)
        if len(self.cache) >= _CACHE_ENTRIES:
            self.cache.clear()
        self.cache[text] = when
        return when

    def _choose(self, date_format: str) -> NaiveParser:
        if date_format in (_ISO_SPACE, _ISO_T):
            return _iso_parser(date_format)
        if date_format == _COMPACT:
            return _compact
        return lambda text: _strptime(text, date_format)


def _iso_parser(date_format: str) -> NaiveParser:
    separator = date_format[8]

    def parse(text: str) -> datetime:
        # fromisoformat accepts many shapes; insist on exactly the configured one.
        if len(text) != 19 or text[10] != separator or text[4] != "-" or text[7] != "-":
            raise ValueError(f"time {text!r} does not match {date_format!r}")
        return datetime.fromisoformat(text)

    return parse


def _compact(text: str) -> datetime:
    if len(text) != 14 or not text.isdigit() or not text.isascii():
        raise ValueError(f"time {text!r} does not match {_COMPACT!r}")
    return datetime(
        int(text[0:4]),
        int(text[4:6]),
        int(text[6:8]),
        int(text[8:10]),
        int(text[10:12]),
        int(text[12:14]),
    )


def _strptime(text: str, date_format: str) -> datetime:
    parsed = datetime.strptime(text, date_format)
    if parsed.tzinfo is not None:
        # The zone is configured, not read from the row; a row with an offset would be
        # ambiguous about which one wins.
        raise ValueError(f"time {text!r} carries its own offset; configure the zone instead")
    return parsed
