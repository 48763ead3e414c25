-- Domain records and blobs (loaded by records.py and blobs.py, apart from queries.sql).
-- Times are integer microseconds since the epoch. The list and count queries always
-- bound ref_time from both sides: records.py passes the widest integers for an open
-- end, so every statement text is fixed and each one is a single index range.

-- name: insert_record
-- A key that exists already inserts nothing and returns no row; the caller reads it.
INSERT INTO records (
    namespace, key, group_name, ref_time, data, version, created_at, updated_at
) VALUES (
    :namespace, :key, :group_name, :ref_time, :data, 1, :now, :now
)
ON CONFLICT (namespace, key) DO NOTHING
RETURNING *;

-- name: upsert_record
-- Version 1 in the returned row means it was created (an update makes it 2 or more).
INSERT INTO records (
    namespace, key, group_name, ref_time, data, version, created_at, updated_at
) VALUES (
    :namespace, :key, :group_name, :ref_time, :data, 1, :now, :now
)
ON CONFLICT (namespace, key) DO UPDATE SET
    group_name = excluded.group_name,
    ref_time = excluded.ref_time,
    data = excluded.data,
    version = records.version + 1,
    updated_at = excluded.updated_at
RETURNING *;

-- name: replace_record
-- No row back: the record is missing or its version moved on (records.py tells which).
UPDATE records SET
    group_name = :group_name,
    ref_time = :ref_time,
    data = :data,
    version = version + 1,
    updated_at = :now
WHERE namespace = :namespace AND key = :key AND version = :expect_version
RETURNING *;

-- name: get_record
SELECT * FROM records WHERE namespace = :namespace AND key = :key;

-- name: list_records
-- The upper end is one row value, (:below_time, :below_key): the cursor, or ref_to
-- with an empty key when that is lower (records.py picks). As a row value it is
-- where the backward index scan starts, so a deep page costs what a first one does;
-- a separate "ref_time < ref_to" would make SQLite start at ref_to and step over
-- every row of the earlier pages. The cursor is the last row's own (ref_time, key),
-- so no extra row is read to find the next page: a short or empty page is the end.
SELECT * FROM records INDEXED BY records_namespace_ref_time
WHERE namespace = :namespace
AND ref_time >= :ref_from
AND (ref_time, key) < (:below_time, :below_key)
ORDER BY ref_time DESC, key DESC
LIMIT :limit;

-- name: list_records_in_group
SELECT * FROM records INDEXED BY records_namespace_group_ref_time
WHERE namespace = :namespace AND group_name = :group_name
AND ref_time >= :ref_from
AND (ref_time, key) < (:below_time, :below_key)
ORDER BY ref_time DESC, key DESC
LIMIT :limit;

-- name: count_records
SELECT count(*) FROM records INDEXED BY records_namespace_ref_time
WHERE namespace = :namespace AND ref_time >= :ref_from AND ref_time < :ref_to;

-- name: count_records_in_group
SELECT count(*) FROM records INDEXED BY records_namespace_group_ref_time
WHERE namespace = :namespace AND group_name = :group_name
AND ref_time >= :ref_from AND ref_time < :ref_to;

-- name: insert_blob
-- Content-addressed: the same bytes are the same row, so a repeat changes nothing.
INSERT INTO blobs (sha256, size, data, created_at)
VALUES (:sha256, :size, :data, :now)
ON CONFLICT (sha256) DO NOTHING;

-- name: get_blob
SELECT data FROM blobs WHERE sha256 = :sha256;
