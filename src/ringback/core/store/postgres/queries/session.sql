-- Settings for every connection the store opens (pooled and listening).

-- name: configure_session
-- Times come back in UTC whatever the server's default; a runaway statement is cut
-- off instead of holding locks that claimers on other hosts skip over.
SELECT
    set_config('statement_timeout', %(statement_timeout_ms)s::text, false),
    set_config('TimeZone', 'UTC', false)
