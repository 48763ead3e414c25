"""The PostgreSQL store: several hosts sharing one queue, and enqueue-in-transaction.

Why psycopg 3 rather than asyncpg:

* one driver for both worlds: the store is async, but the applications that submit
  jobs are often sync (Django, Flask, scripts). ``outbox.enqueue_sync`` runs on the
  same driver and the same SQL as the async store;
* enqueue inside the caller's own transaction needs the caller's connection, and
  that connection is far more often a psycopg one than an asyncpg one (SQLAlchemy,
  Django and most frameworks speak psycopg);
* LISTEN/NOTIFY (``conn.notifies()`` with a timeout), the binary protocol (batches
  go as binary arrays) and a maintained pool (``psycopg_pool``) are all there, and
  COPY for bulk imports should they be needed;
* ``psycopg.sql.Identifier`` composes the configurable schema into SQL safely.
"""

from ringback.core.store.postgres.outbox import enqueue, enqueue_sync
from ringback.core.store.postgres.store import PostgresStore

__all__ = ["PostgresStore", "enqueue", "enqueue_sync"]
