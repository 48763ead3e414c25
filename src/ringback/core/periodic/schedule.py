"""A periodic schedule: a cron expression in a zone, and the job each tick enqueues.

Every tick becomes one job with the key ``periodic:<name>:<tick>`` (the tick in UTC,
ISO 8601), so however many workers notice the tick, the store keeps one job.

String values in the job's payload may use placeholders, filled per tick:

| placeholder    | value for the tick 2026-11-23T16:30:00Z in Asia/Shanghai |
|----------------|----------------------------------------------------------|
| ``{tick}``       | ``2026-11-23T16:30:00Z``                                   |
| ``{tick_local}`` | ``2026-11-24T00:30:00+08:00``                              |
| ``{date}``       | ``2026-11-24`` (the tick's local date)                     |
| ``{prev_date}``  | ``2026-11-23`` (the day before: "yesterday's statement")   |

Other braces are left alone, so a JSON body or a command template keeps its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JsonObject
from ringback.core.periodic.cron import CronExpr, parse_cron
from ringback.core.periodic.ticks import zone
from ringback.core.service.requests import SubmitRequest

KEY_PREFIX = "periodic"
PERIODIC_LABEL = "ringback.periodic"  # the schedule's name
TICK_LABEL = "ringback.tick"  # the tick, ISO 8601 UTC
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
PLACEHOLDERS = ("{tick}", "{tick_local}", "{date}", "{prev_date}")


@dataclass(frozen=True, slots=True)
class JobTemplate:
    """What each tick submits (as a ``SubmitRequest``, so it is checked like any job)."""

    kind: JobKind
    payload: JsonObject
    policy: JsonObject | None = None  # None: the service's default policy
    queue: str = "default"
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PeriodicSchedule:
    name: str
    cron: CronExpr
    tz: ZoneInfo
    job: JobTemplate
    # After an outage that every worker shared: enqueue the missed ticks (at most
    # ``catch_up_limit``, the latest ones) once, or skip them.
    catch_up: bool = True
    catch_up_limit: int = 1
    # A tick noticed at most this late is on time (not "missed"), e.g. a worker that
    # restarted just as the tick passed.
    misfire_grace: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if not NAME_PATTERN.fullmatch(self.name):
            raise InvalidInput(
                "a schedule name is 1-100 letters, digits or _.- starting with a letter or digit",
                field="name",
            )
        if isinstance(self.catch_up_limit, bool) or self.catch_up_limit < 1:
            raise InvalidInput("catch_up_limit must be 1 or more", field="catch_up_limit")
        if self.misfire_grace < timedelta(0):
            raise InvalidInput("misfire_grace must not be negative", field="misfire_grace")

    @classmethod
    def build(
        cls, name: str, cron: str, tz: str, job: JobTemplate, **options: Any
    ) -> PeriodicSchedule:
        """From text: the cron expression and the zone's IANA name are checked here."""
        return cls(name, parse_cron(cron), zone(tz), job, **options)

    def request_for(self, tick: datetime) -> SubmitRequest:
        """The job for ``tick``: its key, labels and payload with placeholders filled."""
        tick = tick.astimezone(UTC)
        values = placeholder_values(tick, self.tz)
        return SubmitRequest(
            kind=self.job.kind,
            payload=_fill(self.job.payload, values),
            policy=self.job.policy,
            key=tick_key(self.name, tick),
            queue=self.job.queue,
            labels={**self.job.labels, PERIODIC_LABEL: self.name, TICK_LABEL: iso_z(tick)},
        )


def tick_key(name: str, tick: datetime) -> str:
    return f"{KEY_PREFIX}:{name}:{iso_z(tick)}"


def iso_z(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def placeholder_values(tick: datetime, place: ZoneInfo) -> dict[str, str]:
    local = tick.astimezone(place)
    return {
        "{tick}": iso_z(tick),
        "{tick_local}": local.isoformat(),
        "{date}": local.date().isoformat(),
        "{prev_date}": (local.date() - timedelta(days=1)).isoformat(),
    }


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, text in values.items():
            value = value.replace(placeholder, text)
        return value
    if isinstance(value, Mapping):
        return {key: _fill(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    return value
