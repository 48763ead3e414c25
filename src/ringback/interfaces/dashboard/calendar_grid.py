"""A month as weeks of days (Monday first), for the Statements calendar."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from ringback.core.errors import InvalidInput
from ringback.interfaces.dashboard.providers import CalendarDay, DayStatus


def parse_month(text: str | None, today: date) -> date:
    """``2026-03`` -> 2026-03-01; empty -> this month."""
    if not text:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise InvalidInput("write the month as 2026-03", field="month") from None


def month_grid(first: date, days: Sequence[CalendarDay]) -> list[list[CalendarDay | None]]:
    """Weeks of seven cells; None pads the days outside the month. A day the provider
    did not mention shows as NONE."""
    by_day = {entry.day: entry for entry in days if entry.day.month == first.month}
    weeks: list[list[CalendarDay | None]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                (by_day.get(day) or CalendarDay(day, DayStatus.NONE))
                if day.month == first.month
                else None
                for day in week
            ]
        )
    return weeks


def shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
