"""The process tree of ``ringback serve``: one API child and N worker children."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ringback.core.config import Settings
from ringback.core.supervisor.spec import ChildSpec

PID_FILE = "ringback.pid"
STATE_DIR = "state"


def pid_file(settings: Settings) -> Path:
    return settings.data_path / PID_FILE


def state_dir(settings: Settings) -> Path:
    return settings.data_path / STATE_DIR


def worker_count(settings: Settings, override: int | None) -> int:
    if override is not None:
        return override
    return settings.workers.count or (os.cpu_count() or 1)


def child_specs(
    settings: Settings, config: Path | None, workers: int, *, with_api: bool = True
) -> list[ChildSpec]:
    """Children re-read the same configuration file and environment as the master."""
    base = [sys.executable, "-m", "ringback"]
    config_args = [] if config is None else ["--config", str(config.resolve())]
    specs = []
    if with_api:
        specs.append(
            ChildSpec(name="api", argv=[*base, "api", *config_args], title="ringback: api")
        )
    for index in range(1, workers + 1):
        specs.append(
            ChildSpec(
                name=f"worker-{index}",
                argv=[*base, "worker", "--index", str(index), *config_args],
                title=f"ringback: worker {index}",
            )
        )
    return specs
