-- Reading jobs and attempts. Queries with optional filters switch a predicate off by
-- passing NULL; they run unprepared, so PostgreSQL plans each call with the actual
-- values and drops the switched-off predicates before choosing indexes.

-- name: get_job
SELECT * FROM {schema}.jobs WHERE id = %(job_id)s

-- name: get_job_by_key
SELECT * FROM {schema}.jobs WHERE key = %(key)s

-- name: part_job_filter
(%(states)s::text[] IS NULL OR state = ANY(%(states)s::text[]))
AND (%(kinds)s::text[] IS NULL OR kind = ANY(%(kinds)s::text[]))
AND (%(queue)s::text IS NULL OR queue = %(queue)s::text)
AND (%(key)s::text IS NULL OR key = %(key)s::text)
AND (%(target)s::text IS NULL OR target = %(target)s::text)
AND (%(label)s::jsonb IS NULL OR labels @> %(label)s::jsonb)
AND (%(created_from)s::timestamptz IS NULL OR created_at >= %(created_from)s::timestamptz)
AND (%(created_to)s::timestamptz IS NULL OR created_at < %(created_to)s::timestamptz)

-- name: list_jobs
-- One row more than the page, to tell whether an older page exists.
SELECT * FROM {schema}.jobs
WHERE {part_job_filter}
AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s::bigint)
ORDER BY id DESC
LIMIT %(limit)s + 1

-- name: count_jobs
SELECT count(*) AS total FROM {schema}.jobs WHERE {part_job_filter}

-- name: list_attempts
SELECT * FROM {schema}.attempts WHERE job_id = %(job_id)s ORDER BY id

-- name: state_counts
SELECT queue, state, count(*) AS total FROM {schema}.jobs GROUP BY queue, state

-- name: next_due_at
-- Each branch reads the first entry of its partial index.
SELECT least(
    (SELECT min(run_at) FROM {schema}.jobs
     WHERE state = 'scheduled'
     AND (%(queues)s::text[] IS NULL OR queue = ANY(%(queues)s::text[]))
     AND (target IS NULL OR target <> ALL(%(exclude_targets)s::text[]))),
    (SELECT min(lease_expires_at) FROM {schema}.jobs
     WHERE state = 'running'
     AND (%(queues)s::text[] IS NULL OR queue = ANY(%(queues)s::text[]))
     AND (target IS NULL OR target <> ALL(%(exclude_targets)s::text[])))
) AS due_at

-- name: list_due
SELECT * FROM (
    (SELECT *, run_at AS due_at FROM {schema}.jobs
     WHERE state = 'scheduled' ORDER BY run_at, id LIMIT %(limit)s)
    UNION ALL
    (SELECT *, lease_expires_at AS due_at FROM {schema}.jobs
     WHERE state = 'running' ORDER BY lease_expires_at, id LIMIT %(limit)s)
) AS pending
ORDER BY due_at, id
LIMIT %(limit)s
