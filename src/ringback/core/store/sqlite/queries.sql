-- Every SQL statement the SQLite store runs, by name (loaded once by queries.py).
-- Times are integer microseconds since the epoch; lists arrive as JSON arrays and are
-- unpacked with json_each so that each statement text is fixed.
--
-- INDEXED BY pins the hot queries to their partial indexes. Without statistics the
-- planner prefers the plain state index (state = ?) and then sorts every scheduled
-- row, which is ruinous with a backlog of millions; pinned, a claim reads only the
-- rows it returns, and a dropped index is a loud error instead of a slow scan.

-- name: configure_connection
-- WAL lets readers run beside one writer across processes; FULL syncs every commit, so
-- an acknowledged enqueue survives power loss.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
-- 32 MB of page cache per connection.
PRAGMA cache_size = -32768;
-- Checkpoint (copy the log back into the database, and sync it) every 64 MB of log
-- rather than every 4 MB: bulk submissions sync the database file far less often.
-- After a checkpoint the log file is cut back to at most 64 MB.
PRAGMA wal_autocheckpoint = 16384;
PRAGMA journal_size_limit = 67108864;

-- name: begin_write
-- Take the write lock now (waiting up to the busy timeout) rather than on the first
-- write, where a read snapshot that went stale would fail with SQLITE_BUSY at once.
BEGIN IMMEDIATE;

-- name: begin_read
BEGIN;

-- name: commit
COMMIT;

-- name: rollback
ROLLBACK;

-- name: create_schema_migrations
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
);

-- name: applied_migrations
SELECT version FROM schema_migrations ORDER BY version;

-- name: record_migration
INSERT INTO schema_migrations (version, name, applied_at) VALUES (:version, :name, :applied_at);

-- name: schema_version
SELECT coalesce(max(version), 0) FROM schema_migrations;

-- name: next_job_id
SELECT max(
    coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'jobs'), 0),
    coalesce((SELECT max(id) FROM jobs), 0)
) + 1;

-- name: jobs_by_keys
SELECT * FROM jobs WHERE key IN (SELECT value FROM json_each(:keys));

-- name: insert_job
-- Bound by position, for speed (see newjobs.py): ?1 id, ?2 kind, ?3 queue, ?4 key,
-- ?5 target, ?6 labels, ?7 payload, ?8 policy, ?9 run_at, ?10 now.
-- A key that already names a job inserts nothing; the caller notices by the count.
INSERT INTO jobs (
    id, kind, queue, key, target, labels, payload, policy, state, run_at,
    attempts, series, series_started_at, created_at, updated_at
) VALUES (
    ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'scheduled', ?9,
    0, 1, ?9, ?10, ?10
)
ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING;

-- name: get_job
SELECT * FROM jobs WHERE id = :id;

-- name: get_job_by_key
SELECT * FROM jobs WHERE key = :key;

-- name: list_jobs
-- The WHERE marker is replaced by the AND-joined where_* fragments below.
SELECT * FROM jobs WHERE /*WHERE*/ ORDER BY id DESC LIMIT :limit;

-- name: count_jobs
SELECT count(*) FROM jobs WHERE /*WHERE*/;

-- name: where_all
1

-- name: where_before_id
id < :before_id

-- name: where_state
state = :state

-- name: where_states
state IN (SELECT value FROM json_each(:states))

-- name: where_kinds
kind IN (SELECT value FROM json_each(:kinds))

-- name: where_queue
queue = :queue

-- name: where_key
key = :key

-- name: where_target
target = :target

-- name: where_label
EXISTS (
    SELECT 1 FROM json_each(jobs.labels) AS label
    WHERE label.key = :label_name AND label.value = :label_value
)

-- name: where_created_from
created_at >= :created_from

-- name: where_created_to
created_at < :created_to

-- name: list_attempts
SELECT * FROM attempts WHERE job_id = :job_id ORDER BY id;

-- name: state_counts
SELECT queue, state, count(*) AS n FROM jobs GROUP BY queue, state;

-- name: next_scheduled_at
-- ORDER BY … LIMIT 1 rather than min(): with targets excluded the index walk stops at
-- the first row that is not excluded, and with none excluded it is the first row.
SELECT run_at FROM jobs INDEXED BY jobs_scheduled_run_at
WHERE state = 'scheduled'
    AND (target IS NULL OR target NOT IN (SELECT value FROM json_each(:exclude_targets)))
ORDER BY run_at LIMIT 1;

-- name: next_scheduled_at_in_queue
SELECT run_at FROM jobs INDEXED BY jobs_scheduled_queue_run_at
WHERE state = 'scheduled' AND queue = :queue
    AND (target IS NULL OR target NOT IN (SELECT value FROM json_each(:exclude_targets)))
ORDER BY run_at LIMIT 1;

-- name: next_lease_expiry
SELECT min(lease_expires_at) FROM jobs INDEXED BY jobs_running_lease
WHERE state = 'running'
    AND (target IS NULL OR target NOT IN (SELECT value FROM json_each(:exclude_targets)));

-- name: next_lease_expiry_in_queues
SELECT min(lease_expires_at) FROM jobs INDEXED BY jobs_running_lease
WHERE state = 'running' AND queue IN (SELECT value FROM json_each(:queues))
    AND (target IS NULL OR target NOT IN (SELECT value FROM json_each(:exclude_targets)));

-- name: due_scheduled
SELECT * FROM jobs INDEXED BY jobs_scheduled_run_at
WHERE state = 'scheduled' ORDER BY run_at, id LIMIT :limit;

-- name: due_running
SELECT * FROM jobs INDEXED BY jobs_running_lease
WHERE state = 'running' ORDER BY lease_expires_at, id LIMIT :limit;

-- name: claim_due
-- Saturated targets (exclude_targets) are skipped inside the index walk.
-- Each branch is bounded by its own LIMIT (each walks a partial index in order), so a
-- backlog of millions is never sorted; the outer ORDER BY merges at most 2 * limit rows.
UPDATE jobs
SET state = 'running', lease_owner = :worker, lease_expires_at = :lease_expires_at,
    updated_at = :now
WHERE id IN (
    SELECT id FROM (
        SELECT id, run_at FROM (
            SELECT id, run_at FROM jobs INDEXED BY jobs_scheduled_run_at
            WHERE state = 'scheduled' AND run_at <= :now
                AND (target IS NULL OR target NOT IN (SELECT value FROM json_each(:exclude_targets)))
            ORDER BY run_at, id LIMIT :limit
        )
        UNION ALL
        SELECT id, run_at FROM (
            SELECT id, run_at FROM jobs INDEXED BY jobs_running_lease
            WHERE state = 'running' AND lease_expires_at <= :now
                AND (target IS NULL OR target NOT IN (SELECT value FROM json_each(:exclude_targets)))
            ORDER BY run_at, id LIMIT :limit
        )
        ORDER BY run_at, id LIMIT :limit
    )
)
RETURNING *;

-- name: due_scheduled_in_queue
SELECT id, run_at FROM jobs INDEXED BY jobs_scheduled_queue_run_at
WHERE state = 'scheduled' AND queue = :queue AND run_at <= :now
    AND (target IS NULL OR target NOT IN (SELECT value FROM json_each(:exclude_targets)))
ORDER BY run_at, id LIMIT :limit;

-- name: expired_leases_in_queues
SELECT id, run_at FROM jobs INDEXED BY jobs_running_lease
WHERE state = 'running' AND lease_expires_at <= :now
    AND queue IN (SELECT value FROM json_each(:queues))
    AND (target IS NULL OR target NOT IN (SELECT value FROM json_each(:exclude_targets)))
ORDER BY run_at, id LIMIT :limit;

-- name: claim_ids
-- The ids were picked in this same write transaction; the guard repeats "due" anyway,
-- as a CASE so that the planner looks the ids up instead of walking a state index.
UPDATE jobs
SET state = 'running', lease_owner = :worker, lease_expires_at = :lease_expires_at,
    updated_at = :now
WHERE id IN (SELECT value FROM json_each(:ids))
    AND CASE state
        WHEN 'scheduled' THEN run_at <= :now
        WHEN 'running' THEN lease_expires_at <= :now
        ELSE 0
    END
RETURNING *;

-- name: renew_leases
UPDATE jobs SET lease_expires_at = :lease_expires_at, updated_at = :now
WHERE id IN (SELECT value FROM json_each(:ids))
    AND state = 'running' AND lease_owner = :worker
RETURNING id;

-- name: insert_attempts
-- A batch of attempts in one statement: :attempts is a JSON array of
-- [job_id, series, number, started_at, finished_at, outcome, worker, status_code,
--  response_excerpt, error] arrays (see work.py), inserted in array order. One pass
-- through SQLite instead of a Python round trip (and a GIL hand-over) per attempt.
-- An attempt of a job that no longer exists (purged) has nothing to belong to.
INSERT INTO attempts (
    job_id, series, number, started_at, finished_at, outcome, worker, status_code,
    response_excerpt, error
)
SELECT
    json_extract(a.value, '$[0]'), json_extract(a.value, '$[1]'),
    json_extract(a.value, '$[2]'), json_extract(a.value, '$[3]'),
    json_extract(a.value, '$[4]'), json_extract(a.value, '$[5]'),
    json_extract(a.value, '$[6]'), json_extract(a.value, '$[7]'),
    json_extract(a.value, '$[8]'), json_extract(a.value, '$[9]')
FROM json_each(:attempts) AS a
WHERE EXISTS (SELECT 1 FROM jobs WHERE id = json_extract(a.value, '$[0]'))
ORDER BY a.key;

-- name: apply_outcomes
-- A batch of outcomes in one statement: :outcomes is a JSON array of
-- [job_id, worker, series, state, run_at, last_error, finished_at] arrays, one per job.
-- Only the lease holder's outcome counts, and only for the series it was working on; a
-- cancelled job is no longer RUNNING, so it stays cancelled. RETURNING names the jobs
-- whose outcome was applied. The unary + keeps the planner off the state index: the
-- batch is walked and each job found by its id, not every running job scanned.
UPDATE jobs
SET state = o.state, run_at = coalesce(o.run_at, jobs.run_at), attempts = jobs.attempts + 1,
    last_error = o.last_error, lease_owner = NULL, lease_expires_at = NULL,
    finished_at = o.finished_at, updated_at = :now
FROM (
    SELECT
        json_extract(value, '$[0]') AS job_id, json_extract(value, '$[1]') AS worker,
        json_extract(value, '$[2]') AS series, json_extract(value, '$[3]') AS state,
        json_extract(value, '$[4]') AS run_at, json_extract(value, '$[5]') AS last_error,
        json_extract(value, '$[6]') AS finished_at
    FROM json_each(:outcomes)
) AS o
WHERE jobs.id = o.job_id AND +jobs.state = 'running' AND jobs.lease_owner = o.worker
    AND jobs.series = o.series
RETURNING jobs.id;

-- name: release_leases
UPDATE jobs
SET state = 'scheduled', run_at = :run_at, lease_owner = NULL, lease_expires_at = NULL,
    updated_at = :now
WHERE id IN (SELECT value FROM json_each(:ids))
    AND state = 'running' AND lease_owner = :worker;

-- name: cancel_job
UPDATE jobs
SET state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, finished_at = :now,
    updated_at = :now
WHERE id = :id AND state IN ('scheduled', 'running')
RETURNING *;

-- name: retry_job
UPDATE jobs
SET state = 'scheduled', run_at = :run_at, series = series + 1, attempts = 0,
    series_started_at = :run_at, lease_owner = NULL, lease_expires_at = NULL,
    finished_at = NULL, updated_at = :now
WHERE id = :id AND state IN ('dead', 'cancelled')
RETURNING *;

-- name: reschedule_job
UPDATE jobs SET run_at = :run_at, updated_at = :now
WHERE id = :id AND state = 'scheduled'
RETURNING *;

-- name: job_state
SELECT state FROM jobs WHERE id = :id;

-- name: purge_finished
-- Attempts go with their job (ON DELETE CASCADE).
DELETE FROM jobs WHERE id IN (
    SELECT id FROM jobs INDEXED BY jobs_finished_at
    WHERE finished_at < :older_than AND state IN ('succeeded', 'dead', 'cancelled')
    ORDER BY finished_at LIMIT :batch_size
);
