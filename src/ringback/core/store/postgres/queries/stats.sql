-- Attempt statistics for dashboards (see postgres/stats.py). Every query reads the
-- asked window only, through attempts_finished_at (migration 0002). A failure is an
-- attempt the receiver or command answered badly (retry, gave_up, failed);
-- lease_lost attempts count as attempts but neither as successes nor failures.
-- Durations are whole milliseconds, truncated, as Attempt.duration_ms computes them.

-- name: stats_attempt_buckets
-- Bucket n covers [since + n * bucket, since + (n + 1) * bucket).
SELECT
    floor(extract(epoch FROM finished_at - %(since)s::timestamptz) * 1000000
          / %(bucket_us)s::bigint)::bigint AS bucket,
    count(*) AS attempts,
    count(*) FILTER (WHERE outcome = 'success') AS successes,
    count(*) FILTER (WHERE outcome IN ('retry', 'gave_up', 'failed')) AS failures,
    coalesce(sum(floor(extract(epoch FROM finished_at - started_at) * 1000)), 0)::bigint
        AS total_duration_ms,
    coalesce(max(floor(extract(epoch FROM finished_at - started_at) * 1000)), 0)::bigint
        AS max_duration_ms
FROM {schema}.attempts
WHERE finished_at >= %(since)s::timestamptz
GROUP BY bucket
ORDER BY bucket

-- name: stats_attempt_buckets_for_target
-- The job's target is looked up per attempt by primary key (a scalar subquery, so
-- the planner cannot choose to hash-join a sequential scan of every job instead).
SELECT
    floor(extract(epoch FROM a.finished_at - %(since)s::timestamptz) * 1000000
          / %(bucket_us)s::bigint)::bigint AS bucket,
    count(*) AS attempts,
    count(*) FILTER (WHERE a.outcome = 'success') AS successes,
    count(*) FILTER (WHERE a.outcome IN ('retry', 'gave_up', 'failed')) AS failures,
    coalesce(sum(floor(extract(epoch FROM a.finished_at - a.started_at) * 1000)), 0)::bigint
        AS total_duration_ms,
    coalesce(max(floor(extract(epoch FROM a.finished_at - a.started_at) * 1000)), 0)::bigint
        AS max_duration_ms
FROM {schema}.attempts AS a
WHERE a.finished_at >= %(since)s::timestamptz
AND (SELECT j.target FROM {schema}.jobs AS j WHERE j.id = a.job_id) = %(target)s::text
GROUP BY bucket
ORDER BY bucket

-- name: stats_targets
-- One pass over the window's attempts: per target the totals, the last success, the
-- failures after it (failures in a row) and the error of the newest failure. Each
-- attempt's target is looked up by primary key, as above.
WITH window_attempts AS MATERIALIZED (
    SELECT
        (SELECT j.target FROM {schema}.jobs AS j WHERE j.id = a.job_id) AS target,
        a.id,
        a.outcome,
        a.finished_at,
        floor(extract(epoch FROM a.finished_at - a.started_at) * 1000)::bigint AS duration_ms,
        a.error,
        a.outcome IN ('retry', 'gave_up', 'failed') AS failed
    FROM {schema}.attempts AS a
    WHERE a.finished_at >= %(since)s::timestamptz
),
recent AS (
    SELECT * FROM window_attempts WHERE target IS NOT NULL
),
marked AS (
    SELECT
        recent.*,
        max(finished_at) FILTER (WHERE outcome = 'success')
            OVER (PARTITION BY target) AS last_success_at,
        row_number() OVER (PARTITION BY target, failed ORDER BY finished_at DESC, id DESC)
            AS newest_first
    FROM recent
)
SELECT
    target,
    count(*) AS attempts,
    count(*) FILTER (WHERE outcome = 'success') AS successes,
    count(*) FILTER (WHERE failed) AS failures,
    sum(duration_ms)::bigint AS total_duration_ms,
    max(duration_ms) AS max_duration_ms,
    count(*) FILTER (
        WHERE failed AND (last_success_at IS NULL OR finished_at > last_success_at)
    ) AS failures_in_a_row,
    max(finished_at) AS last_attempt_at,
    max(last_success_at) AS last_success_at,
    max(error) FILTER (WHERE failed AND newest_first = 1) AS last_error
FROM marked
GROUP BY target
ORDER BY failures_in_a_row DESC, attempts DESC, target
LIMIT %(limit)s
