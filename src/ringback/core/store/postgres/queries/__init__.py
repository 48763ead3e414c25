"""The PostgreSQL store's SQL, as named sections (``-- name: ...``) in ``.sql`` files.

Loaded by ``ringback.core.store.postgres.queries``; ``{schema}`` is bound as a quoted
identifier.
"""
