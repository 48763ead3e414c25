"""ringback: calls back until they answer.

A durable, self-hosted service and library for work that must be retried on a
schedule until it succeeds. The package is layered: ``ringback.core`` (store,
policies, dispatcher, job kinds) knows nothing of ``ringback.domain`` (payments,
statements), and neither knows ``ringback.interfaces`` (API, CLI, dashboard).

The names most library users need are here: ``task``, ``Retry`` and ``Fail`` for
task jobs, and ``enqueue`` / ``enqueue_sync`` to add a job inside your own
PostgreSQL transaction (the outbox pattern; needs psycopg).
"""

from typing import Any

from ringback.core.executors.task import Fail, Retry, task

__version__ = "0.1.0"

__all__ = ["Fail", "Retry", "__version__", "enqueue", "enqueue_sync", "task"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that SQLite-only users never import psycopg.
    if name in ("enqueue", "enqueue_sync"):
        from ringback.core.store.postgres import outbox

        return getattr(outbox, name)
    raise AttributeError(f"module 'ringback' has no attribute {name!r}")
