"""Build the core parts from the settings."""

from __future__ import annotations

import ssl
from pathlib import Path

from ringback.core.config import Settings
from ringback.core.dispatcher import DispatcherOptions
from ringback.core.errors import ConfigError
from ringback.core.executors.base import Executor
from ringback.core.executors.command import CommandDef, CommandExecutor
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.task import TaskExecutor, default_registry, load_task_modules
from ringback.core.jobs import JobKind
from ringback.core.store.contract import Store
from ringback.core.store.factory import open_store
from ringback.interfaces.runtime.payments import payments_named_secrets


def build_store(settings: Settings) -> Store:
    """An unopened store for the configured URL (``await store.open()`` next)."""
    store = settings.store
    if store.sqlite_path is not None or "?" in store.url:
        return open_store(store.url)  # URL parameters (?schema=…) take precedence
    # Imported here: SQLite users never load psycopg.
    from ringback.core.store.postgres import PostgresStore

    return PostgresStore(
        store.url,
        schema=store.pg_schema,
        pool_min=store.pool_min,
        pool_max=store.pool_max,
        statement_timeout=store.statement_timeout,
    )


def http_options(settings: Settings) -> HttpOptions:
    http = settings.http
    return HttpOptions(
        allow_private=http.allow_private,
        connect_timeout=http.connect_timeout,
        timeout=http.timeout,
        max_request_bytes=http.max_request_bytes,
        max_response_bytes=http.max_response_bytes,
        signing_secret=http.signing_secret,
        user_agent=http.user_agent,
        named_secrets=payments_named_secrets(settings),
        allowed_hosts=frozenset(http.allowed_hosts),
        max_timeout=http.max_timeout,
        connection_limit=http.connection_limit,
        dns_cache_ttl=http.dns_cache_ttl,
        keepalive_idle=http.keepalive_idle,
        ssl_context=trust_anchors(http.ca_file),
    )


def trust_anchors(ca_file: str) -> ssl.SSLContext | None:
    """A verifying TLS context trusting ``ca_file``; None (the system's CAs) without one.
    Raises ConfigError when the file holds no usable certificate."""
    if not ca_file:
        return None
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=ca_file)
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(
            f"{ca_file}: not PEM certificates ({exc})", field="http.ca_file"
        ) from None
    return context


def build_executors(settings: Settings, *, load_tasks: bool = True) -> dict[JobKind, Executor]:
    """One executor per job kind. Task modules are imported only where tasks run."""
    if load_tasks:
        load_task_modules(settings.tasks.modules, default_registry)
    commands = {
        name: CommandDef(
            name=name,
            argv_template=list(command.argv),
            timeout=command.timeout,
            cwd=Path(command.cwd) if command.cwd else None,
            env=dict(command.env),
        )
        for name, command in settings.commands.items()
    }
    return {
        JobKind.HTTP: HttpExecutor(http_options(settings)),
        JobKind.TASK: TaskExecutor(default_registry),
        JobKind.COMMAND: CommandExecutor(commands),
    }


def dispatcher_options(settings: Settings) -> DispatcherOptions:
    d = settings.dispatcher
    return DispatcherOptions(
        concurrency=d.concurrency,
        per_target_limit=d.per_target_limit,
        batch_size=d.batch_size,
        lease=d.lease,
        queues=tuple(d.queues) or None,
        idle_wait=d.idle_wait,
        max_jobs=settings.workers.max_jobs,
    )
