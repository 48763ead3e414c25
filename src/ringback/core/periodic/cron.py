"""Cron expressions: five fields, parsed once into sets of allowed values.

    minute  hour  day-of-month  month  day-of-week
    30      0     *             *      *            every day at 00:30
    */15    9-17  *             *      mon-fri      every quarter hour in office hours

Each field is a comma-separated list of ``*``, ``N``, ``A-B``, each optionally with a
step ``/S`` (``*/15``, ``8-18/2``, ``5/10`` = 5 to the end in steps of 10). Months and
days of the week also take English names (``jan``, ``mon-fri``); Sunday is 0 or 7.
``@yearly``, ``@monthly``, ``@weekly``, ``@daily`` (``@midnight``) and ``@hourly`` are
shorthands. Quartz extensions (``L``, ``W``, ``#``, ``?``, seconds) are refused.

As in Vixie cron, when both day fields are restricted a day matches if EITHER matches
(``0 0 1 * mon`` is the 1st and every Monday); a field starting with ``*`` counts as
unrestricted. The hour field's ``*`` also decides how daylight-saving changes are
handled (see ``ticks.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ringback.core.errors import InvalidInput

MACROS: Mapping[str, str] = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# February may have 29 days: a day that exists in no chosen month never matches.
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class _FieldSpec:
    name: str
    low: int
    high: int
    names: Mapping[str, int]


_MINUTE = _FieldSpec("minute", 0, 59, {})
_HOUR = _FieldSpec("hour", 0, 23, {})
_DOM = _FieldSpec("day of month", 1, 31, {})
_MONTH = _FieldSpec("month", 1, 12, {n: i for i, n in enumerate(_MONTH_NAMES, start=1)})
_DOW = _FieldSpec("day of week", 0, 7, {n: i for i, n in enumerate(_DAY_NAMES)})


@dataclass(frozen=True, slots=True)
class CronExpr:
    """A parsed expression; sorted tuples of allowed values per field."""

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: tuple[int, ...]  # of the month, 1-31
    months: tuple[int, ...]
    weekdays: tuple[int, ...]  # 0 = Sunday … 6 = Saturday
    days_unrestricted: bool  # day-of-month field starts with "*"
    weekdays_unrestricted: bool
    hours_unrestricted: bool  # "*": the job follows elapsed time across DST changes

    def day_matches(self, day: date) -> bool:
        in_month = day.day in self.days
        # date.weekday() has Monday = 0; cron counts from Sunday = 0.
        in_week = (day.weekday() + 1) % 7 in self.weekdays
        if self.days_unrestricted or self.weekdays_unrestricted:
            return in_month and in_week
        return in_month or in_week

    def __str__(self) -> str:
        return self.text


@functools.lru_cache(maxsize=256)
def parse_cron(text: str, *, field: str = "cron") -> CronExpr:
    """Parse ``text``; raise ``InvalidInput`` (``field``) naming the part at fault."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("a cron expression is required, e.g. '30 0 * * *'", field=field)
    source = " ".join(text.split())
    expanded = MACROS.get(source.lower(), source)
    if expanded.startswith("@"):
        raise InvalidInput(
            f"unknown shorthand {source!r}; use one of {', '.join(MACROS)}", field=field
        )
    parts = expanded.split(" ")
    if len(parts) != 5:
        raise InvalidInput(
            f"a cron expression has 5 fields (minute hour day month weekday), "
            f"{source!r} has {len(parts)}",
            field=field,
        )
    try:
        minutes = _parse_field(parts[0], _MINUTE)
        hours = _parse_field(parts[1], _HOUR)
        days = _parse_field(parts[2], _DOM)
        months = _parse_field(parts[3], _MONTH)
        weekdays = frozenset(0 if d == 7 else d for d in _parse_field(parts[4], _DOW))
    except ValueError as error:
        raise InvalidInput(f"{source!r}: {error}", field=field) from None
    expr = CronExpr(
        text=source,
        minutes=tuple(sorted(minutes)),
        hours=tuple(sorted(hours)),
        days=tuple(sorted(days)),
        months=tuple(sorted(months)),
        weekdays=tuple(sorted(weekdays)),
        days_unrestricted=parts[2].startswith("*"),
        weekdays_unrestricted=parts[4].startswith("*"),
        hours_unrestricted=parts[1].startswith("*"),
    )
    _check_possible(expr, field)
    return expr


def _parse_field(text: str, spec: _FieldSpec) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise ValueError(f"{spec.name}: empty item in {text!r}")
        values.update(_parse_item(item, spec))
    return frozenset(values)


def _parse_item(item: str, spec: _FieldSpec) -> range:
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or not step_text.isascii() or int(step_text) < 1:
            raise ValueError(f"{spec.name}: step {step_text!r} must be a whole number ≥ 1")
        step = int(step_text)
    if base == "*":
        low, high = spec.low, spec.high
    elif "-" in base:
        first, _, last = base.partition("-")
        low, high = _value(first, spec), _value(last, spec)
        if spec is _DOW and high == 0 and low > 0:
            high = 7  # "fri-sun": Sunday ends the week here
        if low > high:
            raise ValueError(
                f"{spec.name}: range {base!r} runs backwards; split it, e.g. '22-23,0-2'"
            )
    else:
        low = _value(base, spec)
        # "5/10" means 5 to the end of the field in steps of 10; "5" alone is just 5.
        high = spec.high if slash else low
    if step > spec.high - spec.low + 1:
        raise ValueError(f"{spec.name}: step {step} is longer than the field")
    return range(low, high + 1, step)


def _value(text: str, spec: _FieldSpec) -> int:
    named = spec.names.get(text.lower())
    if named is not None:
        return named
    if not text.isdigit() or not text.isascii():
        hint = f" or a name such as {next(iter(spec.names))!r}" if spec.names else ""
        raise ValueError(f"{spec.name}: {text!r} is not a number{hint}")
    value = int(text)
    if not spec.low <= value <= spec.high:
        raise ValueError(f"{spec.name}: {value} is outside {spec.low}-{spec.high}")
    return value


def _check_possible(expr: CronExpr, field: str) -> None:
    """Refuse expressions that can never fire, such as ``0 0 30 2 *``."""
    if expr.days_unrestricted or not expr.weekdays_unrestricted:
        return  # any day, or (with the weekday OR rule) every week has a match
    if not any(day <= _LONGEST_MONTH[month - 1] for month in expr.months for day in expr.days):
        raise InvalidInput(
            f"{expr.text!r} never fires: no chosen day of the month exists in the chosen months",
            field=field,
        )
