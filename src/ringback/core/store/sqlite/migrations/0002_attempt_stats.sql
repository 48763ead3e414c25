-- Attempt statistics (dashboards: deliveries per minute, success rate, latency, health
-- per target) read the attempts of a recent window. Ordered by finish time, a window
-- is one index range; the other columns ride along so that counting and timing need
-- no table lookups, and job_id leads to the job (its target) by primary key.
CREATE INDEX attempts_finished_at ON attempts (finished_at, outcome, started_at, job_id);
