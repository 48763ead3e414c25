"""Delivery statistics for operators: attempts per minute, success rate, latency, and
the health of each callback target.

The store counts attempts per time bucket over a window (one index range); this
module picks aligned windows, fills the empty buckets so charts have no holes, and
rolls minutes up into hours. The dashboard renders what it returns.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ringback.core.clock import Clock
from ringback.core.errors import InvalidInput
from ringback.core.store.contract import AttemptBucket, Store, TargetStats

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MAX_WINDOW = timedelta(days=31)
MAX_BUCKETS = 2000  # a chart has no use for more points than a screen has pixels
MAX_ENDPOINTS = 1000
DOWN_AFTER_FAILURES = 3  # failures in a row after which a target counts as down

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DeliverySummary:
    attempts: int
    successes: int
    failures: int
    total_duration_ms: int
    max_duration_ms: int

    @property
    def success_rate(self) -> float | None:
        """Successes among answered attempts (interrupted ones left out); None without any."""
        answered = self.successes + self.failures
        return self.successes / answered if answered else None

    @property
    def avg_duration_ms(self) -> float | None:
        return self.total_duration_ms / self.attempts if self.attempts else None


@dataclass(frozen=True, slots=True)
class DeliverySeries:
    since: datetime
    bucket: timedelta
    buckets: list[AttemptBucket]  # every bucket of the window, oldest first, empty ones too

    @property
    def until(self) -> datetime:
        return self.since + self.bucket * len(self.buckets)

    @property
    def summary(self) -> DeliverySummary:
        return summarise(self.buckets)


@dataclass(frozen=True, slots=True)
class RecentDeliveries:
    hour: DeliverySeries  # the last 60 minutes, per minute
    day: DeliverySeries  # the last 24 hours, per hour


class Health(enum.StrEnum):
    OK = "ok"
    FAILING = "failing"  # the newest answers are failures
    DOWN = "down"  # DOWN_AFTER_FAILURES or more failures in a row


@dataclass(frozen=True, slots=True)
class EndpointHealth:
    stats: TargetStats
    health: Health

    @property
    def success_rate(self) -> float | None:
        answered = self.stats.successes + self.stats.failures
        return self.stats.successes / answered if answered else None


class StatsService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def deliveries(
        self, *, window: timedelta, bucket: timedelta, target: str | None = None
    ) -> DeliverySeries:
        """``window`` up to now in ``bucket`` steps; the last bucket holds now."""
        count = bucket_count(window, bucket)
        since = aligned_end(self._clock.now(), bucket) - window
        found = await self._store.attempt_stats(since=since, bucket=bucket, target=target)
        return DeliverySeries(since, bucket, fill_buckets(since, bucket, count, found))

    async def recent(self, *, target: str | None = None) -> RecentDeliveries:
        """The last hour per minute and the last day per hour (whole clock hours, the
        current one last), from one read of the day's attempts per minute."""
        now = self._clock.now()
        day_since = aligned_end(now, HOUR) - DAY
        found = await self._store.attempt_stats(since=day_since, bucket=MINUTE, target=target)
        minutes = DeliverySeries(
            day_since, MINUTE, fill_buckets(day_since, MINUTE, bucket_count(DAY, MINUTE), found)
        )
        hour_since = aligned_end(now, MINUTE) - HOUR
        hour_buckets = [b for b in minutes.buckets if hour_since <= b.start < hour_since + HOUR]
        return RecentDeliveries(
            hour=DeliverySeries(hour_since, MINUTE, hour_buckets),
            day=rollup(minutes, HOUR),
        )

    async def endpoints(self, *, window: timedelta = DAY, limit: int = 100) -> list[EndpointHealth]:
        """Targets with attempts in the last ``window``, failing ones first."""
        if not MINUTE <= window <= MAX_WINDOW:
            raise InvalidInput("window must be between 1 minute and 31 days", field="window")
        if not 1 <= limit <= MAX_ENDPOINTS:
            raise InvalidInput(f"limit must be between 1 and {MAX_ENDPOINTS}", field="limit")
        found = await self._store.target_stats(since=self._clock.now() - window, limit=limit)
        return [EndpointHealth(stats, health_of(stats)) for stats in found]


def health_of(stats: TargetStats) -> Health:
    if stats.failures_in_a_row >= DOWN_AFTER_FAILURES:
        return Health.DOWN
    if stats.failures_in_a_row > 0:
        return Health.FAILING
    return Health.OK


def bucket_count(window: timedelta, bucket: timedelta) -> int:
    if not timedelta(0) < bucket <= window:
        raise InvalidInput("bucket must be positive and no longer than the window", field="bucket")
    if window > MAX_WINDOW:
        raise InvalidInput("window must be at most 31 days", field="window")
    count, rest = divmod(window, bucket)
    if rest:
        raise InvalidInput("window must be a whole number of buckets", field="window")
    if count > MAX_BUCKETS:
        raise InvalidInput(f"at most {MAX_BUCKETS} buckets per window", field="bucket")
    return count


def aligned_end(now: datetime, bucket: timedelta) -> datetime:
    """The end of the bucket that holds ``now``, buckets counted from the epoch, so
    that minutes start at :00 seconds and hours at :00 minutes."""
    return _EPOCH + ((now - _EPOCH) // bucket + 1) * bucket


def fill_buckets(
    since: datetime, bucket: timedelta, count: int, found: Sequence[AttemptBucket]
) -> list[AttemptBucket]:
    by_start = {b.start: b for b in found}
    starts = [since + i * bucket for i in range(count)]
    return [by_start.get(start) or AttemptBucket(start, 0, 0, 0, 0, 0) for start in starts]


def rollup(series: DeliverySeries, bucket: timedelta) -> DeliverySeries:
    """The same window in coarser buckets (``bucket`` a whole multiple of the series')."""
    factor, rest = divmod(bucket, series.bucket)
    if factor < 1 or rest:
        raise InvalidInput("a rollup needs a whole multiple of the bucket", field="bucket")
    merged = []
    for first in range(0, len(series.buckets), factor):
        group = series.buckets[first : first + factor]
        total = summarise(group)
        merged.append(
            AttemptBucket(
                start=group[0].start,
                attempts=total.attempts,
                successes=total.successes,
                failures=total.failures,
                total_duration_ms=total.total_duration_ms,
                max_duration_ms=total.max_duration_ms,
            )
        )
    return DeliverySeries(series.since, bucket, merged)


def summarise(buckets: Sequence[AttemptBucket]) -> DeliverySummary:
    return DeliverySummary(
        attempts=sum(b.attempts for b in buckets),
        successes=sum(b.successes for b in buckets),
        failures=sum(b.failures for b in buckets),
        total_duration_ms=sum(b.total_duration_ms for b in buckets),
        max_duration_ms=max((b.max_duration_ms for b in buckets), default=0),
    )
