"""What a worker records for Prometheus, and the dispatcher observer that records it.

Instruments live in a ``CollectorRegistry`` of their own (never prometheus_client's
global one), so a test can build a fresh set and read exactly what it caused.

Under ``ringback serve`` every worker runs with ``PROMETHEUS_MULTIPROC_DIR`` set
(see ``metrics_dir``): prometheus_client then writes each increment to a per-process
file in that folder, and the API process adds up every worker's files at scrape time.
Counters therefore survive a worker's restart, and nothing here knows which mode
is on: the same calls work in one process (embedded) and across many.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar, cast

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.metrics import MetricWrapperBase

from ringback.core.jobs import Job, JobState, Outcome

M = TypeVar("M", bound=MetricWrapperBase)

# From 1 ms (a worker that keeps up) to 1 h (a worker that was down for an hour).
LATENESS_BUCKETS_S = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
    900.0,
    1800.0,
    3600.0,
)

# An attempt is bounded by the HTTP timeout (30 s by default) or a command's (5 min).
DELIVERY_BUCKETS_S = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
)


class DispatchMetrics:
    """The dispatcher's instruments, registered in ``registry`` (None: in none, which
    still records to files in multiprocess mode)."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.attempts = Counter(
            "ringback_attempts",
            "Attempts made, by job kind and attempt outcome.",
            ["kind", "outcome"],
            registry=registry,
        )
        self.delivery_seconds = Histogram(
            "ringback_delivery_seconds",
            "How long one attempt took, start to result, by job kind.",
            ["kind"],
            buckets=DELIVERY_BUCKETS_S,
            registry=registry,
        )
        self.lateness_seconds = Histogram(
            "ringback_lateness_seconds",
            "How long after its due time an attempt started, by queue.",
            ["queue"],
            buckets=LATENESS_BUCKETS_S,
            registry=registry,
        )
        self.jobs_dead = Counter(
            "ringback_jobs_dead",
            "Jobs that died (the policy gave up or the failure was final).",
            ["kind", "queue"],
            registry=registry,
        )
        self.outcomes_dropped = Counter(
            "ringback_outcomes_dropped",
            "Attempts whose outcome was not applied because the worker had lost the lease.",
            ["kind"],
            registry=registry,
        )


class MetricsObserver:
    """A ``DispatchObserver`` that counts attempts, times them and counts deaths.

    The labelled series it touches on every attempt are looked up once and kept:
    ``labels(...)`` costs more than the ``observe`` or ``inc`` itself.
    """

    def __init__(self, metrics: DispatchMetrics) -> None:
        self._metrics = metrics
        self._children: dict[tuple[int, tuple[str, ...]], MetricWrapperBase] = {}

    def _series(self, metric: M, *values: str) -> M:
        """``metric.labels(*values)``, looked up once per metric and label values."""
        key = (id(metric), values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return cast(M, child)

    def on_start(self, job: Job, started_at: datetime) -> None:
        # A job is never started early; a negative value could only be clock skew
        # between the process that scheduled it and this one.
        lateness_s = max((started_at - job.run_at).total_seconds(), 0.0)
        self._series(self._metrics.lateness_seconds, job.queue).observe(lateness_s)

    def on_outcome(self, job: Job, outcome: Outcome, *, applied: bool) -> None:
        attempt = outcome.attempt
        kind = job.kind.value
        # The attempt happened whether or not its outcome was applied, so it counts
        # under what it did; a lost lease is counted separately.
        self._series(self._metrics.attempts, kind, attempt.outcome.value).inc()
        duration_s = max((attempt.finished_at - attempt.started_at).total_seconds(), 0.0)
        self._series(self._metrics.delivery_seconds, kind).observe(duration_s)
        if not applied:
            self._metrics.outcomes_dropped.labels(kind=kind).inc()
        elif outcome.state is JobState.DEAD:
            self._metrics.jobs_dead.labels(kind=kind, queue=job.queue).inc()
