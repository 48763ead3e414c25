-- Bookkeeping for postgres/migrations/*.sql (see migrate.py).

-- name: migrations_table_exists
SELECT to_regclass(%(table)s) IS NOT NULL AS present

-- name: applied_migrations
SELECT version FROM {schema}.schema_migrations

-- name: lock_migrations
-- Held until the migrating transaction ends; other hosts wait here.
SELECT pg_advisory_xact_lock(%(lock_key)s)

-- name: create_schema
CREATE SCHEMA IF NOT EXISTS {schema}

-- name: create_migrations_table
CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)

-- name: record_migration
INSERT INTO {schema}.schema_migrations (version, name) VALUES (%(version)s, %(name)s)
