-- Jobs and their attempts. Times are integer microseconds since the Unix epoch (UTC);
-- JSON values are stored as TEXT.

CREATE TABLE jobs (
    -- AUTOINCREMENT: ids are never reused, even after purging the newest rows, so the
    -- id-descending pagination cursor stays meaningful.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The CHECKs are written with OR, not IN (...): SQLite rebuilds an IN list for every
    -- row of an executemany, which made these two checks cost a quarter of an insert.
    kind TEXT NOT NULL CHECK (kind = 'http' OR kind = 'task' OR kind = 'command'),
    queue TEXT NOT NULL,
    key TEXT,
    target TEXT,
    labels TEXT NOT NULL DEFAULT '{}',
    payload TEXT NOT NULL,
    policy TEXT NOT NULL,
    state TEXT NOT NULL CHECK (
        state = 'scheduled' OR state = 'running' OR state = 'succeeded' OR state = 'dead'
        OR state = 'cancelled'
    ),
    run_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    series INTEGER NOT NULL DEFAULT 1,
    series_started_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    last_error TEXT,
    finished_at INTEGER
);

-- Claiming across all queues walks this in (run_at, id) order and stops at the limit;
-- target rides along so that skipping saturated targets needs no table lookups.
CREATE INDEX jobs_scheduled_run_at ON jobs (run_at, id, target) WHERE state = 'scheduled';
-- Claiming from named queues: one ordered range per queue.
CREATE INDEX jobs_scheduled_queue_run_at
    ON jobs (queue, run_at, id, target) WHERE state = 'scheduled';
-- Expired leases and the running jobs' due times.
CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE state = 'running';
CREATE UNIQUE INDEX jobs_key ON jobs (key) WHERE key IS NOT NULL;
CREATE INDEX jobs_queue_state ON jobs (queue, state);
CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_target ON jobs (target) WHERE target IS NOT NULL;
CREATE INDEX jobs_created_at ON jobs (created_at);
-- Retention: final jobs by the time they finished.
CREATE INDEX jobs_finished_at ON jobs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    series INTEGER NOT NULL,
    number INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (
        outcome = 'success' OR outcome = 'retry' OR outcome = 'gave_up' OR outcome = 'failed'
        OR outcome = 'lease_lost'
    ),
    worker TEXT NOT NULL,
    status_code INTEGER,
    response_excerpt TEXT,
    error TEXT
);

CREATE INDEX attempts_job ON attempts (job_id, id);
