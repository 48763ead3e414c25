"""A configured statement source and the pure date arithmetic of its pulls.

A scheduled pull runs on the *pull day* for the statement of *the date* (usually
yesterday: ``day_offset = -1``). Its deadline is a wall-clock time on the pull day in the
source's zone; a pull asked for by hand (or a backfill) tries for ``manual_window``
from its first request instead, since its scheduled deadline may be long gone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ringback.core.errors import InvalidInput, NotFound
from ringback.core.periodic import CronExpr

from ..formats import FormatSpec
from ..limits import DecodeLimits
from ..reconcile import ReconcileOptions
from .http_source import HttpSource
from .ledger_spec import LedgerSpec
from .plugin_source import PluginSource

SOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True, slots=True)
class StatementSource:
    name: str
    fetch: HttpSource | PluginSource
    format: FormatSpec
    ledger: LedgerSpec
    reconcile: ReconcileOptions
    tz: ZoneInfo
    schedule: CronExpr | None = None  # None: pulled by hand only
    day_offset: int = -1  # the statement date = the pull day + this
    min_interval: timedelta = timedelta(minutes=30)
    deadline: time = time(12, 0)  # on the pull day, in ``tz``
    manual_window: timedelta = timedelta(hours=12)
    catch_up: bool = True
    encoding: str = "auto"
    member: str | None = None  # zip member pattern, for archives with several files
    limits: DecodeLimits = field(default_factory=DecodeLimits)
    queue: str = "default"
    attempt_timeout: timedelta = timedelta(minutes=5)  # one request plus the file's handling

    def date_for_tick(self, tick: datetime) -> date:
        """The statement date a scheduled tick pulls."""
        return tick.astimezone(self.tz).date() + timedelta(days=self.day_offset)

    def scheduled_deadline(self, day: date) -> datetime:
        """When the scheduled pull of ``day``'s statement gives up (UTC)."""
        pull_day = day - timedelta(days=self.day_offset)
        local = datetime.combine(pull_day, self.deadline).replace(tzinfo=self.tz)
        return local.astimezone(UTC)

    def deadline_for(self, day: date, first_request_at: datetime) -> datetime:
        """The scheduled deadline while it is ahead, else ``manual_window`` from the start."""
        scheduled = self.scheduled_deadline(day)
        if scheduled > first_request_at:
            return scheduled
        return first_request_at + self.manual_window


@dataclass(frozen=True, slots=True)
class StatementsConfig:
    sources: dict[str, StatementSource]

    def source(self, name: str) -> StatementSource:
        found = self.sources.get(name)
        if found is None:
            known = ", ".join(sorted(self.sources)) or "none"
            raise NotFound(
                f"no statement source {name[:64]!r} is configured (known: {known})",
                field="source",
            )
        return found


def parse_day(text: str, *, field: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        raise InvalidInput(f"a date is written YYYY-MM-DD, not {text!r}", field=field) from None


def day_ref_time(day: date) -> datetime:
    """What records of a statement date are indexed by: its midnight, UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
