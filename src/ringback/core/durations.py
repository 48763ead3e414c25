"""Durations as people write them: ``90s``, ``1h30m``, ``500ms`` or ISO 8601 ``PT30M``.

Every duration in ringback's configuration, policy specs and API goes through
``parse_duration`` so that one syntax, and one set of error messages, holds everywhere.
A bare number (``"30"``) is refused on purpose: seconds or milliseconds would be a guess.
"""

from __future__ import annotations

import re
from datetime import timedelta

from ringback.core.errors import InvalidInput

EXAMPLE = "e.g. '90s', '1h30m', '500ms' or ISO 8601 'PT30M'"

# Compact form: whole numbers with units from largest to smallest, each at most once.
_COMPACT_UNITS: tuple[tuple[str, timedelta], ...] = (
    ("d", timedelta(days=1)),
    ("h", timedelta(hours=1)),
    ("m", timedelta(minutes=1)),
    ("s", timedelta(seconds=1)),
    ("ms", timedelta(milliseconds=1)),
    ("us", timedelta(microseconds=1)),
)
_COMPACT = re.compile(
    r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m(?!s))?(?:(?P<s>\d+)s)?"
    r"(?:(?P<ms>\d+)ms)?(?:(?P<us>\d+)us)?"
)

# ISO 8601 durations without years and months (those have no fixed length).
_ISO = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)(?:[.,](?P<frac>\d{1,6}))?S)?)?"
)
_ISO_CALENDAR = re.compile(r"P(?:\d+[YM])")
_BARE_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")


# Texts read before and what they meant: every attempt re-reads its job's policy, whose
# few distinct delays ("2m", "10m", …) recur across millions of jobs. Only successes
# are kept (a failure must name its own field); the size is bounded.
_PARSED: dict[str, timedelta] = {}
_PARSED_MAX_ENTRIES = 4096


def parse_duration(text: str, *, field: str | None = None) -> timedelta:
    """Parse a non-negative duration; raise ``InvalidInput`` naming ``field`` otherwise."""
    value: object = text  # callers pass raw JSON/TOML values; check the type at runtime
    if isinstance(value, str):
        known = _PARSED.get(value)
        if known is not None:
            return known
    result = _parse_uncached(value, field)
    if len(_PARSED) < _PARSED_MAX_ENTRIES:
        _PARSED[text] = result
    return result


def _parse_uncached(value: object, field: str | None) -> timedelta:
    if not isinstance(value, str):
        raise InvalidInput(
            f"expected a duration string, got {type(value).__name__} {value!r} ({EXAMPLE})",
            field=field,
        )
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(f"empty duration ({EXAMPLE})", field=field)
    if cleaned.startswith("-"):
        raise InvalidInput(f"duration {value!r} is negative; it must be 0 or more", field=field)
    if _BARE_NUMBER.fullmatch(cleaned):
        raise InvalidInput(
            f"duration {value!r} has no unit, so seconds or milliseconds would be a guess; "
            f"write e.g. '{cleaned}s'",
            field=field,
        )
    try:
        if cleaned[0] in "Pp":
            return _parse_iso(cleaned.upper(), value, field)
        return _parse_compact(cleaned, value, field)
    except OverflowError:
        raise InvalidInput(f"duration {value!r} is too large", field=field) from None


def _parse_compact(cleaned: str, original: str, field: str | None) -> timedelta:
    match = _COMPACT.fullmatch(cleaned)
    if match is None or not any(match.groupdict().values()):
        raise InvalidInput(
            f"cannot read duration {original!r}: use whole numbers with units d, h, m, s, ms "
            f"from largest to smallest ({EXAMPLE})",
            field=field,
        )
    total = timedelta()
    for unit, size in _COMPACT_UNITS:
        amount = match.group(unit)
        if amount is not None:
            total += size * int(amount)
    return total


def _parse_iso(cleaned: str, original: str, field: str | None) -> timedelta:
    if _ISO_CALENDAR.match(cleaned):
        raise InvalidInput(
            f"duration {original!r} uses years or months, which have no fixed length; "
            "use days instead, e.g. 'P30D'",
            field=field,
        )
    match = _ISO.fullmatch(cleaned)
    has_parts = match is not None and any(
        match.group(name) is not None for name in ("w", "d", "h", "m", "s")
    )
    if match is None or not has_parts or cleaned.endswith("T"):
        raise InvalidInput(
            f"cannot read ISO 8601 duration {original!r}: expected e.g. 'PT30M', 'P1D', "
            "'PT1H30M' or 'PT0.5S'",
            field=field,
        )
    frac = match.group("frac") or ""
    return timedelta(
        weeks=int(match.group("w") or 0),
        days=int(match.group("d") or 0),
        hours=int(match.group("h") or 0),
        minutes=int(match.group("m") or 0),
        seconds=int(match.group("s") or 0),
        microseconds=int(frac.ljust(6, "0")) if frac else 0,
    )


def format_duration(duration: timedelta) -> str:
    """The compact form ``parse_duration`` reads back exactly: ``1h30m``, ``2m``, ``0s``."""
    if duration < timedelta(0):
        raise ValueError(f"cannot format a negative duration: {duration!r}")
    if not duration:
        return "0s"
    remaining = duration
    parts: list[str] = []
    for unit, size in _COMPACT_UNITS:
        amount, remaining = divmod(remaining, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)
