"""Attempt statistics for dashboards: parameters in, contract values out.

The SQL is in ``queries/stats.sql``; ``PostgresStore.attempt_stats`` and
``target_stats`` run it and hand the rows to these functions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ringback.core.errors import InvalidInput
from ringback.core.store.contract import AttemptBucket, TargetStats
from ringback.core.store.postgres import validation as check
from ringback.core.store.postgres.rows import Row

_ONE_MICROSECOND = timedelta(microseconds=1)


def attempt_stats_query(
    since: datetime, bucket: timedelta, target: str | None
) -> tuple[str, dict[str, Any]]:
    """The query name and parameters for ``attempt_stats`` (checked)."""
    check.check_time(since, "since")
    if not isinstance(bucket, timedelta) or bucket < _ONE_MICROSECOND:
        raise InvalidInput("bucket must be a positive duration", field="bucket")
    params: dict[str, Any] = {"since": since, "bucket_us": bucket // _ONE_MICROSECOND}
    if target is None:
        return "stats_attempt_buckets", params
    params["target"] = check.check_text(target, "target")
    return "stats_attempt_buckets_for_target", params


def target_stats_params(since: datetime, limit: int) -> dict[str, Any]:
    check.check_time(since, "since")
    return {"since": since, "limit": check.check_positive_int(limit, "limit")}


def bucket_from_row(row: Row, since: datetime, bucket: timedelta) -> AttemptBucket:
    return AttemptBucket(
        start=(since + int(row["bucket"]) * bucket).astimezone(UTC),
        attempts=int(row["attempts"]),
        successes=int(row["successes"]),
        failures=int(row["failures"]),
        total_duration_ms=int(row["total_duration_ms"]),
        max_duration_ms=int(row["max_duration_ms"]),
    )


def target_from_row(row: Row) -> TargetStats:
    last_success_at = row["last_success_at"]
    return TargetStats(
        target=row["target"],
        attempts=int(row["attempts"]),
        successes=int(row["successes"]),
        failures=int(row["failures"]),
        total_duration_ms=int(row["total_duration_ms"]),
        max_duration_ms=int(row["max_duration_ms"]),
        failures_in_a_row=int(row["failures_in_a_row"]),
        last_attempt_at=row["last_attempt_at"].astimezone(UTC),
        last_success_at=None if last_success_at is None else last_success_at.astimezone(UTC),
        last_error=row["last_error"],
    )
