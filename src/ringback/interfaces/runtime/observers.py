"""The dispatcher observers a worker runs besides logging: metrics, and alerts when
``[alerts] callback_url`` is set."""

from __future__ import annotations

from ringback.core.alerts import AlertObserver
from ringback.core.clock import Clock
from ringback.core.config import Settings
from ringback.core.dispatcher import DispatchObserver
from ringback.core.executors.http import HttpExecutor
from ringback.core.store.contract import Store
from ringback.interfaces.observability.metrics import MetricsObserver
from ringback.interfaces.observability.metrics_process import process_instruments
from ringback.interfaces.runtime.components import http_options


def alert_observers(settings: Settings, store: Store, clock: Clock) -> list[DispatchObserver]:
    """Metrics always; dead-job alerts when configured. Raises ConfigError when the
    alert URL could never be called (e.g. a private address without allow_private)."""
    observers: list[DispatchObserver] = [MetricsObserver(process_instruments().dispatch)]
    callback_url = settings.alerts.callback_url
    if callback_url:
        # Used only to check and normalise alert payloads (``prepare``), which opens
        # no connection; the worker's own executor delivers them.
        http = HttpExecutor(http_options(settings))
        observers.append(AlertObserver(store, clock, callback_url, http=http))
    return observers
