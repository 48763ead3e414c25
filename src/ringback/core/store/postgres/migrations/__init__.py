"""Versioned schema migrations for the PostgreSQL store.

``NNNN_description.sql`` files, applied in order by ``migrate.apply_migrations``;
``{schema}`` in them is the store's schema, bound as a quoted identifier.
"""
