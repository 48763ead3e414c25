"""How strictly a statement is matched against our records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ringback.core.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ReconcileOptions:
    # A pair whose amounts differ by at most this many minor units is matched; the
    # difference still shows in the matched category's total, so the bridge keeps it.
    tolerance_minor: int = 0
    # An unmatched item this close to either midnight of the statement day may have been
    # booked on the neighbouring day by the other side: it is carried (pending) ...
    window: timedelta = timedelta(minutes=15)
    # ... until ``as_of`` reaches the day's end plus this long, by when the neighbouring
    # day's file has been reconciled too; after that it is a break.
    carry_for: timedelta = timedelta(days=2)
    # The zone whose calendar day the statement covers (the bank's).
    day_zone: str = "Asia/Shanghai"
    # Refunds are keyed by order number; set this to key them by (order, refund number)
    # when both sides carry refund numbers, so several refunds of one order match singly.
    match_refund_no: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.tolerance_minor, bool) or not isinstance(self.tolerance_minor, int):
            raise InvalidInput("tolerance_minor must be an integer", field="tolerance_minor")
        if self.tolerance_minor < 0:
            raise InvalidInput("tolerance_minor must not be negative", field="tolerance_minor")
        for name in ("window", "carry_for"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value < timedelta(0):
                raise InvalidInput(f"{name} must be a non-negative duration", field=name)
        try:
            ZoneInfo(self.day_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(
                f"day_zone {self.day_zone!r} is not an IANA time zone", field="day_zone"
            ) from exc

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The statement day's first instant and the next day's, in UTC."""
        zone = ZoneInfo(self.day_zone)
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        end = start.replace(tzinfo=None) + timedelta(days=1)
        return start.astimezone(UTC), end.replace(tzinfo=zone).astimezone(UTC)
