"""A worker process: one dispatcher on its own event loop until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import signal
import socket
from pathlib import Path

from ringback.core.clock import SystemClock
from ringback.core.config import Settings
from ringback.core.dispatcher import Dispatcher, DispatchObserver, LoggingObserver
from ringback.core.retention import RetentionSweeper
from ringback.core.supervisor.child import STATE_DIR_ENV, child_name, notify_ready
from ringback.core.supervisor.exit_codes import EXIT_OK, EXIT_RECYCLE
from ringback.core.supervisor.state import write_child_state
from ringback.interfaces.runtime.components import (
    build_executors,
    build_store,
    dispatcher_options,
)
from ringback.interfaces.runtime.loop import run as run_loop
from ringback.interfaces.runtime.observers import alert_observers
from ringback.interfaces.runtime.worker_features import worker_features

log = logging.getLogger("ringback.worker")

STATUS_EVERY_S = 2.0  # how often the worker's counters are written for `ringback status`


def run_worker(settings: Settings, index: int, observers: list[DispatchObserver]) -> int:
    """Run until SIGTERM (graceful) or recycling; return the process exit code."""
    return run_loop(_worker_main(settings, index, observers))


def worker_id(index: int) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:w{index}"


async def _worker_main(settings: Settings, index: int, observers: list[DispatchObserver]) -> int:
    store = build_store(settings)
    await store.open()
    executors = build_executors(settings)
    clock = SystemClock()
    extra = alert_observers(settings, store, clock)
    features = worker_features(settings, store, clock, executors)
    dispatcher = Dispatcher(
        store,
        executors,
        clock=clock,
        options=dispatcher_options(settings),
        worker_id=worker_id(index),
        observers=[LoggingObserver(), *observers, *extra, *features.observers],
    )
    grace = settings.workers.grace
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, dispatcher.stop, grace)
    recycle = asyncio.Event()
    watchers = [
        asyncio.create_task(_watch_memory(dispatcher, settings, recycle)),
        asyncio.create_task(_write_status(dispatcher)),
    ]
    sweeper = RetentionSweeper(
        store,
        clock,
        finished_after=settings.retention.finished_after,
        batch_size=settings.retention.batch_size,
    )
    sweeping = asyncio.create_task(sweeper.run(), name="ringback-retention")
    features.start()
    notify_ready()
    log.info("worker %s ready (pid %s)", index, os.getpid())
    try:
        await dispatcher.run()
    finally:
        await features.stop()  # periodic scheduler, statement pulls
        for watcher in watchers:
            watcher.cancel()
        sweeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeping  # so the store is not closed under a purge
        for executor in executors.values():
            await executor.close()
        await store.close()
    if recycle.is_set() or dispatcher.exhausted:
        log.info("worker %s recycling after %d jobs", index, dispatcher.jobs_done)
        return EXIT_RECYCLE
    return EXIT_OK


async def _watch_memory(dispatcher: Dispatcher, settings: Settings, recycle: asyncio.Event) -> None:
    limit_mb = settings.workers.max_memory_mb
    if not limit_mb:
        return
    while True:
        await asyncio.sleep(5)
        # ru_maxrss is in KiB on Linux: the peak, which is what a memory limit cares about.
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if rss_mb > limit_mb:
            log.warning("worker memory %.0f MB over %d MB: recycling", rss_mb, limit_mb)
            recycle.set()
            dispatcher.stop(settings.workers.grace)
            return


async def _write_status(dispatcher: Dispatcher) -> None:
    state_dir = os.environ.get(STATE_DIR_ENV)
    name = child_name()
    if not state_dir or not name:
        return
    while True:
        with contextlib.suppress(OSError):
            write_child_state(
                Path(state_dir),
                name,
                {"jobs_done": dispatcher.jobs_done, "in_flight": dispatcher.in_flight},
            )
        await asyncio.sleep(STATUS_EVERY_S)
