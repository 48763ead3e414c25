-- Attempt statistics for dashboards (loaded by stats.py, apart from queries.sql).
-- Times are integer microseconds since the epoch. Every query walks the
-- attempts_finished_at index (migration 0002) over the asked window only, never the
-- whole attempts table. A failure is an attempt that the receiver or the command
-- answered badly (retry, gave_up, failed); lease_lost attempts count as attempts but
-- neither as successes nor failures: the worker stopped, the target did nothing wrong.

-- name: attempt_buckets
-- Bucket n covers [since + n * bucket, since + (n + 1) * bucket).
SELECT
    (finished_at - :since) / :bucket_us AS bucket,
    count(*) AS attempts,
    sum(outcome = 'success') AS successes,
    sum(outcome IN ('retry', 'gave_up', 'failed')) AS failures,
    sum((finished_at - started_at) / 1000) AS total_duration_ms,
    max((finished_at - started_at) / 1000) AS max_duration_ms
FROM attempts INDEXED BY attempts_finished_at
WHERE finished_at >= :since
GROUP BY bucket
ORDER BY bucket;

-- name: attempt_buckets_for_target
-- Pinned to the time index: one target may own most jobs ever made, while the window
-- holds few attempts; each attempt's job is then one primary-key lookup.
SELECT
    (a.finished_at - :since) / :bucket_us AS bucket,
    count(*) AS attempts,
    sum(a.outcome = 'success') AS successes,
    sum(a.outcome IN ('retry', 'gave_up', 'failed')) AS failures,
    sum((a.finished_at - a.started_at) / 1000) AS total_duration_ms,
    max((a.finished_at - a.started_at) / 1000) AS max_duration_ms
FROM attempts AS a INDEXED BY attempts_finished_at
JOIN jobs AS j ON j.id = a.job_id
WHERE a.finished_at >= :since AND j.target = :target
GROUP BY bucket
ORDER BY bucket;

-- name: target_stats
-- One pass over the window's attempts: per target the totals, the last success, the
-- failures after it (failures in a row) and the error of the newest failure.
WITH recent AS (
    SELECT
        j.target AS target,
        a.id AS id,
        a.outcome AS outcome,
        a.finished_at AS finished_at,
        (a.finished_at - a.started_at) / 1000 AS duration_ms,
        a.error AS error,
        a.outcome IN ('retry', 'gave_up', 'failed') AS failed
    FROM attempts AS a INDEXED BY attempts_finished_at
    JOIN jobs AS j ON j.id = a.job_id
    WHERE a.finished_at >= :since AND j.target IS NOT NULL
),
marked AS (
    SELECT
        recent.*,
        max(CASE WHEN outcome = 'success' THEN finished_at END)
            OVER (PARTITION BY target) AS last_success_at,
        row_number() OVER (PARTITION BY target, failed ORDER BY finished_at DESC, id DESC)
            AS newest_first
    FROM recent
)
SELECT
    target,
    count(*) AS attempts,
    sum(outcome = 'success') AS successes,
    sum(failed) AS failures,
    sum(duration_ms) AS total_duration_ms,
    max(duration_ms) AS max_duration_ms,
    sum(failed AND finished_at > coalesce(last_success_at, -1)) AS failures_in_a_row,
    max(finished_at) AS last_attempt_at,
    max(last_success_at) AS last_success_at,
    max(CASE WHEN failed AND newest_first = 1 THEN error END) AS last_error
FROM marked
GROUP BY target
ORDER BY failures_in_a_row DESC, attempts DESC, target
LIMIT :limit;
