-- Jobs and their attempts.
--
-- The job table is a queue and an archive at once: millions of finished rows sit
-- beside the pending ones. Claiming must therefore never scan finished rows, which
-- is what the two partial "due" indexes are for: each holds only pending rows, in
-- the order claiming reads them.

CREATE TABLE {schema}.jobs (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('http', 'task', 'command')),
    queue text NOT NULL,
    key text UNIQUE,
    target text,
    labels jsonb NOT NULL,
    payload jsonb NOT NULL,
    policy jsonb NOT NULL,
    state text NOT NULL
        CHECK (state IN ('scheduled', 'running', 'succeeded', 'dead', 'cancelled')),
    run_at timestamptz NOT NULL,
    attempts integer NOT NULL CHECK (attempts >= 0),
    series integer NOT NULL CHECK (series >= 1),
    series_started_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    lease_owner text,
    lease_expires_at timestamptz,
    last_error text,
    finished_at timestamptz,
    -- A lease exists exactly while a job runs; every transition keeps this true, and
    -- the lease guard of record_outcomes relies on it.
    CONSTRAINT jobs_lease_iff_running CHECK (
        (state = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)
    ),
    CONSTRAINT jobs_finished_iff_final CHECK (
        (state IN ('succeeded', 'dead', 'cancelled')) = (finished_at IS NOT NULL)
    )
);

-- Claiming: scheduled jobs in run_at order (id breaks ties as claim orders them) ...
CREATE INDEX jobs_due_scheduled ON {schema}.jobs (run_at, id) WHERE state = 'scheduled';
-- ... and running jobs whose lease ran out.
CREATE INDEX jobs_due_expired ON {schema}.jobs (lease_expires_at) WHERE state = 'running';
-- Dashboards and metrics: counts per queue and state, listings by creation time.
CREATE INDEX jobs_queue_state ON {schema}.jobs (queue, state);
-- "Dead jobs, newest first" among millions of succeeded ones: without this, the
-- listing walks the primary key backwards through every finished row. Partial on
-- purpose: a full (state, id) index tempts the planner, whenever its statistics say
-- few jobs run, to read every running job through it in the claim's expired-lease
-- branch instead of the due index (measured: claims 5x slower with 30,000 running).
CREATE INDEX jobs_dead_or_cancelled ON {schema}.jobs (state, id)
    WHERE state IN ('dead', 'cancelled');
CREATE INDEX jobs_created_at ON {schema}.jobs (created_at);
-- Retention: purge walks finished jobs oldest first without touching pending ones.
CREATE INDEX jobs_finished_at ON {schema}.jobs (finished_at)
    WHERE state IN ('succeeded', 'dead', 'cancelled');

-- Every claim and outcome rewrites a row, so the table makes dead tuples quickly;
-- vacuum it after 2% of rows changed instead of the default 20%, or the due indexes
-- bloat between vacuums on a large table.
ALTER TABLE {schema}.jobs SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02
);

CREATE TABLE {schema}.attempts (
    id bigserial PRIMARY KEY,
    job_id bigint NOT NULL REFERENCES {schema}.jobs (id) ON DELETE CASCADE,
    series integer NOT NULL,
    number integer NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    outcome text NOT NULL
        CHECK (outcome IN ('success', 'retry', 'gave_up', 'failed', 'lease_lost')),
    worker text NOT NULL,
    status_code integer,
    response_excerpt text,
    error text
);

-- Listing a job's attempts, and the cascade when purge deletes the job.
CREATE INDEX attempts_job ON {schema}.attempts (job_id, id);
