-- Domain records (orders, channel notifications, statement pulls) kept beside the jobs,
-- so that a domain change and the jobs it causes commit in one transaction, and
-- content-addressed blobs (statement files, raw notifications). Times are integer
-- microseconds since the epoch; data is JSON TEXT.

CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    -- "group" is an SQL keyword; the column is named for what it holds.
    group_name TEXT NOT NULL DEFAULT '',
    ref_time INTEGER NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE UNIQUE INDEX records_namespace_key ON records (namespace, key);
-- Listing goes newest ref_time first, then key descending; with key in the index a
-- page (and its cursor) is one backward range scan with no sort, also when several
-- records share a ref_time.
CREATE INDEX records_namespace_ref_time ON records (namespace, ref_time, key);
CREATE INDEX records_namespace_group_ref_time
    ON records (namespace, group_name, ref_time, key);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size INTEGER NOT NULL CHECK (size >= 0),
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
