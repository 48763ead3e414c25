-- Working: claiming, lease renewal, outcomes, hand-back.

-- name: claim_jobs
-- Each branch walks its partial index in due order and locks rows as it goes;
-- SKIP LOCKED passes over rows another claimer holds, so claimers on many hosts never
-- wait for one another and never get the same job. (FOR UPDATE is not allowed on a
-- UNION, hence two locking CTEs; the expired branch is almost always empty.)
-- exclude_targets are targets that already have their limit of attempts in flight.
WITH expired AS (
    SELECT id, run_at FROM {schema}.jobs
    WHERE state = 'running' AND lease_expires_at <= %(now)s
    AND (%(queues)s::text[] IS NULL OR queue = ANY(%(queues)s::text[]))
    AND (target IS NULL OR target <> ALL(%(exclude_targets)s::text[]))
    ORDER BY lease_expires_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
),
ready AS (
    SELECT id, run_at FROM {schema}.jobs
    WHERE state = 'scheduled' AND run_at <= %(now)s
    AND (%(queues)s::text[] IS NULL OR queue = ANY(%(queues)s::text[]))
    AND (target IS NULL OR target <> ALL(%(exclude_targets)s::text[]))
    ORDER BY run_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
),
picked AS (
    SELECT id FROM (SELECT * FROM expired UNION ALL SELECT * FROM ready) AS due
    ORDER BY run_at, id
    LIMIT %(limit)s
)
UPDATE {schema}.jobs AS j
SET state = 'running',
    lease_owner = %(worker)s,
    lease_expires_at = %(lease_expires_at)s,
    updated_at = %(now)s
FROM picked
WHERE j.id = picked.id
RETURNING j.*

-- name: renew_leases
UPDATE {schema}.jobs
SET lease_expires_at = %(lease_expires_at)s, updated_at = %(now)s
WHERE id = ANY(%(job_ids)s::bigint[]) AND state = 'running' AND lease_owner = %(worker)s
RETURNING id

-- name: insert_attempts
-- Every attempt is kept, applied or not: it did happen. Attempts of jobs that no
-- longer exist (purged meanwhile) have nothing to belong to and are dropped.
INSERT INTO {schema}.attempts (
    job_id, series, number, started_at, finished_at, outcome, worker,
    status_code, response_excerpt, error
)
SELECT a.*
FROM unnest(
    %(job_ids)b::bigint[], %(series)b::integer[], %(numbers)b::integer[],
    %(started_ats)b::timestamptz[], %(finished_ats)b::timestamptz[], %(outcomes)b::text[],
    %(workers)b::text[], %(status_codes)b::integer[], %(excerpts)b::text[], %(errors)b::text[]
) AS a(job_id, series, number, started_at, finished_at, outcome, worker,
       status_code, response_excerpt, error)
WHERE EXISTS (SELECT 1 FROM {schema}.jobs AS j WHERE j.id = a.job_id)

-- name: apply_outcomes
-- The lease guard: a job changes only while the outcome's worker still holds it, and
-- only for the series it worked on. A cancelled job no longer runs, so it stays
-- cancelled.
UPDATE {schema}.jobs AS j
SET state = o.state,
    run_at = coalesce(o.run_at, j.run_at),
    attempts = j.attempts + 1,
    last_error = o.last_error,
    lease_owner = NULL,
    lease_expires_at = NULL,
    updated_at = %(now)s,
    finished_at = CASE WHEN o.state = 'scheduled' THEN NULL ELSE %(now)s::timestamptz END
FROM unnest(
    %(job_ids)b::bigint[], %(workers)b::text[], %(series)b::integer[], %(states)b::text[],
    %(run_ats)b::timestamptz[], %(errors)b::text[]
) AS o(job_id, worker, series, state, run_at, last_error)
WHERE j.id = o.job_id AND j.state = 'running' AND j.lease_owner = o.worker
AND j.series = o.series
RETURNING j.id

-- name: release_jobs
UPDATE {schema}.jobs
SET state = 'scheduled',
    run_at = %(run_at)s,
    lease_owner = NULL,
    lease_expires_at = NULL,
    updated_at = %(now)s
WHERE id = ANY(%(job_ids)s::bigint[]) AND state = 'running' AND lease_owner = %(worker)s
