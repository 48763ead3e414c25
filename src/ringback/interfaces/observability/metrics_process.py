"""This process's instruments, made once, and where a scrape finds what was recorded.

The instruments are made on first use, not on import: the API process imports the
metrics modules to serve ``/metrics`` but records nothing, and in multiprocess mode
an instrument made there would leave files of its own in the shared folder.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ringback.interfaces.observability.metrics import DispatchMetrics
from ringback.interfaces.observability.metrics_dir import multiprocess_dir
from ringback.interfaces.observability.metrics_domain import DomainMetrics


@dataclass(frozen=True, slots=True)
class Instruments:
    registry: CollectorRegistry
    dispatch: DispatchMetrics
    domain: DomainMetrics

    @classmethod
    def fresh(cls) -> Instruments:
        """A new set in a new registry (one per process; tests make their own)."""
        registry = CollectorRegistry()
        return cls(registry, DispatchMetrics(registry), DomainMetrics(registry))


_lock = threading.Lock()
_instruments: Instruments | None = None


def process_instruments() -> Instruments:
    global _instruments
    with _lock:
        if _instruments is None:
            directory = multiprocess_dir()
            if directory is not None:
                # A worker started by hand with the variable set: files need the folder.
                directory.mkdir(parents=True, exist_ok=True)
            _instruments = Instruments.fresh()
        return _instruments


def recorded_metrics() -> Collector:
    """What this process's scrape reports as recorded: every process's files in
    multiprocess mode, else this process's own instruments (embedded mode)."""
    directory = multiprocess_dir()
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        # prometheus_client leaves this constructor untyped.
        return MultiProcessCollector(None, path=str(directory))  # type: ignore[no-untyped-call]
    return process_instruments().registry


def count_statement_pull(source: str, result: str) -> None:
    """The runtime's hook for the domain's "statement pulled" reports."""
    process_instruments().domain.statement_pull(source, result)


def count_reconciliation_breaks(source: str, category: str, count: int = 1) -> None:
    """The runtime's hook for the domain's "reconciliation found breaks" reports."""
    process_instruments().domain.reconciliation_breaks(source, category, count)
