-- The wake-up channel: writers NOTIFY it in their transaction, listener.py LISTENs.

-- name: listen
LISTEN {channel}

-- name: notify_wake
-- Queued by the transaction and delivered when it commits, so a woken worker always
-- finds the row it was woken for; PostgreSQL folds repeats within one transaction.
SELECT pg_notify(%(channel)s, '')
