"""The folder where worker processes leave their metrics for the API process.

prometheus_client's multiprocess mode keys on one environment variable, read when
a process creates its first instrument. So the master (``ringback serve``) empties
the folder and sets the variable before any child starts; every child inherits it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ringback.core.config import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_DIR = "metrics"


def metrics_dir(settings: Settings) -> Path:
    return settings.data_path / METRICS_DIR


def prepare_metrics_dir(settings: Settings) -> Path:
    """Create ``<data_dir>/metrics``, delete what a previous run left in it, and
    export it to the processes started from now on; return it.

    Only prometheus_client's own ``*.db`` files are removed: counters restart from
    zero with the master, which Prometheus reads as an ordinary counter reset.
    """
    path = metrics_dir(settings)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def multiprocess_dir() -> Path | None:
    """The folder this process records into, or None when it keeps metrics in memory."""
    raw = os.environ.get(MULTIPROC_ENV)
    return Path(raw) if raw else None
