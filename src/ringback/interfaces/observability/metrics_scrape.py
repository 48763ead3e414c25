"""What the API process measures at scrape time: jobs by state, queue depth, how far
behind the workers are, and the supervisor's restart counts.

``take_snapshot`` does the I/O (one ``state_counts`` and one ``next_due_at`` query,
one small state file); ``snapshot_families`` turns the snapshot into metric families
without any, so the numbers can be checked on plain values.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)

import ringback
from ringback.core.clock import Clock
from ringback.core.errors import ConfigError
from ringback.core.jobs import JobState
from ringback.core.store.contract import StateCounts, Store
from ringback.core.supervisor.state import ChildStatus, read_status

log = logging.getLogger("ringback.metrics")


@dataclass(frozen=True, slots=True)
class Snapshot:
    taken_at: datetime
    counts: StateCounts | None  # None: the store did not answer
    next_due_at: datetime | None
    children: tuple[ChildStatus, ...] | None  # None: no supervisor state to read


async def take_snapshot(store: Store, clock: Clock, state_dir: Path | None) -> Snapshot:
    counts: StateCounts | None = None
    next_due_at: datetime | None = None
    try:
        counts = await store.state_counts()
        next_due_at = await store.next_due_at()
    except Exception as exc:
        # A scrape must still answer (with ringback_store_up 0): that is the alert.
        log.warning("metrics: the store did not answer: %s", exc)
        counts = None
    children = None if state_dir is None else await asyncio.to_thread(_children, state_dir)
    return Snapshot(clock.now(), counts, next_due_at, children)


def _children(state_dir: Path) -> tuple[ChildStatus, ...] | None:
    try:
        report = read_status(state_dir)
    except ConfigError as exc:
        log.warning("metrics: %s", exc.message)
        return None
    return report.children if report.master_pid is not None else None


def snapshot_families(snapshot: Snapshot) -> list[Metric]:
    build = InfoMetricFamily("ringback_build", "The running ringback version.")
    build.add_metric([], {"version": ringback.__version__})
    families: list[Metric] = [build, _store_up(snapshot)]
    if snapshot.counts is not None:
        families.extend(_job_families(snapshot.counts))
        families.append(_due_lag(snapshot))
    if snapshot.children is not None:
        families.extend(_restart_families(snapshot.children))
    return families


def _store_up(snapshot: Snapshot) -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "ringback_store_up",
        "1 when the store answered this scrape's queries, else 0.",
        value=0 if snapshot.counts is None else 1,
    )


def _job_families(counts: StateCounts) -> Iterator[Metric]:
    jobs = GaugeMetricFamily(
        "ringback_jobs", "Jobs in the store, by state and queue.", labels=["state", "queue"]
    )
    depth = GaugeMetricFamily(
        "ringback_queue_depth",
        "Jobs waiting for their next attempt (state scheduled), by queue.",
        labels=["queue"],
    )
    for queue in sorted({queue for queue, _ in counts.by_queue_state}):
        # Every state for every known queue, zeros included, so that a series does
        # not vanish (and break rate() and alerts) when its count drops to 0.
        for state in JobState:
            jobs.add_metric([state.value, queue], counts.by_queue_state.get((queue, state), 0))
        depth.add_metric([queue], counts.by_queue_state.get((queue, JobState.SCHEDULED), 0))
    yield jobs
    yield depth


def _due_lag(snapshot: Snapshot) -> GaugeMetricFamily:
    due = snapshot.next_due_at
    lag_s = 0.0 if due is None else max((snapshot.taken_at - due).total_seconds(), 0.0)
    return GaugeMetricFamily(
        "ringback_due_lag_seconds",
        "How long the earliest due job has waited to be claimed (0 when none is overdue).",
        value=lag_s,
    )


def _restart_families(children: Iterable[ChildStatus]) -> Iterator[Metric]:
    restarts = CounterMetricFamily(
        "ringback_worker_restarts",
        "Processes the supervisor started to replace one that exited (crash or recycling), "
        "by process, since the master started.",
        labels=["process"],
    )
    crashes = CounterMetricFamily(
        "ringback_worker_crashes",
        "Exits nobody asked for, by process, since the master started.",
        labels=["process"],
    )
    for child in children:
        restarts.add_metric([child.name], child.restarts)
        crashes.add_metric([child.name], child.crashes)
    yield restarts
    yield crashes
