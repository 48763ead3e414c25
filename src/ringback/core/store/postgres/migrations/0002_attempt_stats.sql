-- Attempt statistics (dashboards: deliveries per minute, success rate, latency, health
-- per target) read the attempts of a recent window: one range of this index. The
-- included columns let counting and timing run as an index-only scan, and job_id
-- leads to the job (its target) by primary key.
CREATE INDEX attempts_finished_at ON {schema}.attempts (finished_at)
    INCLUDE (outcome, started_at, job_id);
