"""Versioned schema changes for the SQLite store, applied in order by ``SqliteStore.open``.

Files are named ``NNNN_description.sql``; the number is the schema version.
"""
