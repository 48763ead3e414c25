-- Operator actions and housekeeping. The actions lock the row first, decide in
-- Python whether the transition is allowed, then write.

-- name: lock_job
SELECT * FROM {schema}.jobs WHERE id = %(job_id)s FOR UPDATE

-- name: cancel_job
UPDATE {schema}.jobs
SET state = 'cancelled',
    lease_owner = NULL,
    lease_expires_at = NULL,
    finished_at = %(now)s,
    updated_at = %(now)s
WHERE id = %(job_id)s
RETURNING *

-- name: retry_job
UPDATE {schema}.jobs
SET state = 'scheduled',
    run_at = %(run_at)s,
    attempts = 0,
    series = series + 1,
    series_started_at = %(run_at)s,
    finished_at = NULL,
    updated_at = %(now)s
WHERE id = %(job_id)s
RETURNING *

-- name: reschedule_job
UPDATE {schema}.jobs
SET run_at = %(run_at)s, updated_at = %(now)s
WHERE id = %(job_id)s
RETURNING *

-- name: purge_finished
-- A small batch per call keeps each transaction (and its locks and WAL burst) short;
-- the attempts go with their jobs through ON DELETE CASCADE.
DELETE FROM {schema}.jobs
WHERE id IN (
    SELECT id FROM {schema}.jobs
    WHERE state IN ('succeeded', 'dead', 'cancelled') AND finished_at < %(older_than)s
    ORDER BY finished_at
    LIMIT %(batch_size)s
    FOR UPDATE SKIP LOCKED
)
