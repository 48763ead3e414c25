"""Attempt statistics for dashboards: attempts per time bucket, and health per target.

The SQL is in ``stats.sql`` (kept apart from ``queries.sql``); both queries read only
the asked window through the ``attempts_finished_at`` index.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from importlib import resources

from ringback.core.errors import InvalidInput
from ringback.core.store.contract import AttemptBucket, TargetStats
from ringback.core.store.sqlite.codec import from_micros, optional_datetime, to_micros
from ringback.core.store.sqlite.queries import NamedQueries

STATS_QUERIES = NamedQueries(
    resources.files(__package__).joinpath("stats.sql").read_text(encoding="utf-8")
)

_ONE_MICROSECOND = timedelta(microseconds=1)


def attempt_stats(
    connection: sqlite3.Connection,
    *,
    since: datetime,
    bucket: timedelta,
    target: str | None,
) -> list[AttemptBucket]:
    """Buckets with at least one attempt, oldest first (see ``Store.attempt_stats``)."""
    since_us = to_micros(since, "since")
    bucket_us = bucket_micros(bucket)
    params: dict[str, object] = {"since": since_us, "bucket_us": bucket_us}
    if target is None:
        query = STATS_QUERIES["attempt_buckets"]
    else:
        query = STATS_QUERIES["attempt_buckets_for_target"]
        params["target"] = check_target(target)
    return [
        AttemptBucket(
            start=from_micros(since_us + row["bucket"] * bucket_us),
            attempts=row["attempts"],
            successes=row["successes"],
            failures=row["failures"],
            total_duration_ms=row["total_duration_ms"],
            max_duration_ms=row["max_duration_ms"],
        )
        for row in connection.execute(query, params)
    ]


def target_stats(
    connection: sqlite3.Connection, *, since: datetime, limit: int
) -> list[TargetStats]:
    """Per target, failing ones first (see ``Store.target_stats``)."""
    params = {"since": to_micros(since, "since"), "limit": check_stats_limit(limit)}
    return [
        TargetStats(
            target=row["target"],
            attempts=row["attempts"],
            successes=row["successes"],
            failures=row["failures"],
            total_duration_ms=row["total_duration_ms"],
            max_duration_ms=row["max_duration_ms"],
            failures_in_a_row=row["failures_in_a_row"],
            last_attempt_at=from_micros(row["last_attempt_at"]),
            last_success_at=optional_datetime(row["last_success_at"]),
            last_error=row["last_error"],
        )
        for row in connection.execute(STATS_QUERIES["target_stats"], params)
    ]


def bucket_micros(bucket: timedelta) -> int:
    if not isinstance(bucket, timedelta) or bucket < _ONE_MICROSECOND:
        raise InvalidInput("bucket must be a positive duration", field="bucket")
    return bucket // _ONE_MICROSECOND


def check_target(target: object) -> str:
    if not isinstance(target, str) or not target:
        raise InvalidInput("target must be a non-empty string", field="target")
    return target


def check_stats_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput("limit must be a positive integer", field="limit")
    return limit
