-- Submitting jobs: the store's enqueue and the outbox's enqueue share these.

-- name: insert_jobs
-- One statement for a whole batch, one array per column. Ids are drawn before the
-- insert so that each created row can be matched to its input (by "ord") even when
-- it has no key. An input whose key already exists, in the table or earlier in the
-- batch, is skipped by DO NOTHING and comes back absent.
WITH input AS MATERIALIZED (
    SELECT nextval(%(id_sequence)s::regclass) AS id, t.*
    FROM unnest(
        %(kinds)b::text[], %(queues)b::text[], %(keys)b::text[], %(targets)b::text[],
        %(labels)b::text[], %(payloads)b::text[], %(policies)b::text[],
        %(run_ats)b::timestamptz[]
    ) WITH ORDINALITY AS t(kind, queue, key, target, labels, payload, policy, run_at, ord)
),
inserted AS (
    INSERT INTO {schema}.jobs (
        id, kind, queue, key, target, labels, payload, policy, state, run_at,
        attempts, series, series_started_at, created_at, updated_at
    )
    SELECT
        id, kind, queue, key, target, labels::jsonb, payload::jsonb, policy::jsonb,
        'scheduled', run_at,
        0, 1, run_at, %(now)s, %(now)s
    FROM input
    ORDER BY ord
    ON CONFLICT (key) DO NOTHING
    RETURNING *
)
SELECT input.ord, inserted.*
FROM inserted
JOIN input ON input.id = inserted.id

-- name: jobs_by_keys
SELECT * FROM {schema}.jobs WHERE key = ANY(%(keys)b::text[])
