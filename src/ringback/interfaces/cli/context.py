"""Settings in, a ``JobService`` over the configured store out, for one command.

The CLI works on the store directly (through the same service layer as the API),
so it works while the service is down. ``--config FILE`` (or ``RINGBACK_CONFIG``)
names the file; ``RINGBACK_*`` variables override it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from ringback.core.clock import Clock, SystemClock
from ringback.core.config import Settings, ensure_secrets, load_settings
from ringback.core.service import JobService
from ringback.core.store.contract import Store
from ringback.interfaces.runtime.components import build_executors, build_store

CONFIG_ENV = "RINGBACK_CONFIG"


def config_path(args: argparse.Namespace) -> Path | None:
    given = getattr(args, "config", None) or os.environ.get(CONFIG_ENV) or None
    return None if given is None else Path(given)


def settings_from(args: argparse.Namespace) -> Settings:
    """The validated settings (raises ConfigError, which the CLI reports as exit 2)."""
    return load_settings(config_path(args))


@asynccontextmanager
async def open_service(
    args: argparse.Namespace,
    *,
    check: Callable[[JobService], object] | None = None,
    load_tasks: bool = False,
) -> AsyncIterator[JobService]:
    """Build the service over the configured store and open the store.

    ``check`` runs before the store is opened, so input it rejects leaves no trace
    (not even a new database file).
    """
    # The signing secret is needed to build the HTTP executor; it is read from (or
    # created in) the data folder exactly as ``serve`` does, so both agree.
    settings = ensure_secrets(settings_from(args))
    store = build_store(settings)
    executors = build_executors(settings, load_tasks=load_tasks)
    try:
        service = JobService(store, SystemClock(), executors)
        if check is not None:
            check(service)
        await store.open()
        try:
            yield service
        finally:
            await store.close()
    finally:
        for executor in executors.values():
            await executor.close()


@dataclass(frozen=True, slots=True)
class CoreParts:
    """What a feature's command needs: settings, the opened store, a clock, jobs."""

    settings: Settings
    store: Store
    clock: Clock
    jobs: JobService


@asynccontextmanager
async def open_core(
    args: argparse.Namespace, *, before_open: Callable[[Settings], object] | None = None
) -> AsyncIterator[CoreParts]:
    """Settings, executors and the store, opened for one command and closed after.

    ``before_open`` runs before the store is opened (a feature refusing to run
    leaves no trace, not even a new database file).
    """
    settings = ensure_secrets(settings_from(args))
    if before_open is not None:
        before_open(settings)
    store = build_store(settings)
    executors = build_executors(settings, load_tasks=False)
    try:
        clock = SystemClock()
        jobs = JobService(store, clock, executors)
        await store.open()
        try:
            yield CoreParts(settings, store, clock, jobs)
        finally:
            await store.close()
    finally:
        for executor in executors.values():
            await executor.close()
