-- Domain records and blobs. The record writes run inside Store.write's transaction,
-- together with the jobs (submit.sql); the reads run on their own, unprepared, so
-- PostgreSQL plans each call with the actual values and drops the switched-off
-- predicates (a NULL filter) before choosing an index.

-- name: insert_record
-- A key that exists already inserts nothing and returns no row; the caller reads it.
INSERT INTO {schema}.records (
    namespace, key, group_name, ref_time, data, version, created_at, updated_at
) VALUES (
    %(namespace)s, %(key)s, %(group_name)s, %(ref_time)s, %(data)s::jsonb, 1, %(now)s, %(now)s
)
ON CONFLICT (namespace, key) DO NOTHING
RETURNING *

-- name: upsert_record
-- Version 1 in the returned row means it was created (an update makes it 2 or more).
INSERT INTO {schema}.records AS r (
    namespace, key, group_name, ref_time, data, version, created_at, updated_at
) VALUES (
    %(namespace)s, %(key)s, %(group_name)s, %(ref_time)s, %(data)s::jsonb, 1, %(now)s, %(now)s
)
ON CONFLICT (namespace, key) DO UPDATE SET
    group_name = excluded.group_name,
    ref_time = excluded.ref_time,
    data = excluded.data,
    version = r.version + 1,
    updated_at = excluded.updated_at
RETURNING *

-- name: replace_record
-- No row back: the record is missing or its version moved on (records.py tells
-- which). Under READ COMMITTED a concurrent update makes this wait and then re-check
-- the version, so two writers that read the same version cannot both succeed.
UPDATE {schema}.records SET
    group_name = %(group_name)s,
    ref_time = %(ref_time)s,
    data = %(data)s::jsonb,
    version = version + 1,
    updated_at = %(now)s
WHERE namespace = %(namespace)s AND key = %(key)s AND version = %(expect_version)s
RETURNING *

-- name: get_record
SELECT * FROM {schema}.records WHERE namespace = %(namespace)s AND key = %(key)s

-- name: part_record_filter
namespace = %(namespace)s
AND (%(group_name)s::text IS NULL OR group_name = %(group_name)s::text)
AND (%(ref_from)s::timestamptz IS NULL OR ref_time >= %(ref_from)s::timestamptz)
AND (%(ref_to)s::timestamptz IS NULL OR ref_time < %(ref_to)s::timestamptz)

-- name: list_records
-- The cursor is the last row's own (ref_time, key); as a row comparison it is an
-- index range, so a deep page costs what a first one does.
SELECT * FROM {schema}.records
WHERE {part_record_filter}
AND (
    %(before_time)s::timestamptz IS NULL
    OR (ref_time, key) < (%(before_time)s::timestamptz, %(before_key)s::text)
)
ORDER BY ref_time DESC, key DESC
LIMIT %(limit)s

-- name: count_records
SELECT count(*) AS total FROM {schema}.records WHERE {part_record_filter}

-- name: insert_blob
-- Content-addressed: the same bytes are the same row, so a repeat changes nothing.
INSERT INTO {schema}.blobs (sha256, size, data, created_at)
VALUES (%(sha256)s, %(size)s, %(data)s, %(now)s)
ON CONFLICT (sha256) DO NOTHING

-- name: get_blob
SELECT data FROM {schema}.blobs WHERE sha256 = %(sha256)s
