-- Domain records (orders, channel notifications, statement pulls) kept beside the
-- jobs, so that a domain change and the jobs it causes commit in one transaction,
-- and content-addressed blobs (statement files, raw notifications).
--
-- key is COLLATE "C": listings order by (ref_time, key), and byte order is what the
-- SQLite store uses too, whatever the database's default collation; it also keeps
-- the (ref_time, key) cursor comparison an index range.

CREATE TABLE {schema}.records (
    namespace text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    -- "group" is an SQL keyword; the column is named for what it holds.
    group_name text COLLATE "C" NOT NULL DEFAULT '',
    ref_time timestamptz NOT NULL,
    data jsonb NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (namespace, key)
);

-- Listing goes newest ref_time first, then key descending: with key in the index a
-- page (and its cursor) is one backward index range with no sort.
CREATE INDEX records_namespace_ref_time ON {schema}.records (namespace, ref_time, key);
CREATE INDEX records_namespace_group_ref_time
    ON {schema}.records (namespace, group_name, ref_time, key);

CREATE TABLE {schema}.blobs (
    sha256 text PRIMARY KEY CHECK (char_length(sha256) = 64),
    size bigint NOT NULL CHECK (size >= 0),
    data bytea NOT NULL,
    created_at timestamptz NOT NULL
);
