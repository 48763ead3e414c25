"""Run ``ringback serve`` as a real process tree for a benchmark, on a fresh store."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ringback.core.config import Settings, ensure_secrets, load_settings
from ringback.core.supervisor.state import read_status

CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
[store]
url = "{store_url}"
[dispatcher]
concurrency = {concurrency}
per_target_limit = {per_target_limit}
batch_size = {batch_size}
lease = "{lease}"
[http]
allow_private = true
[workers]
count = {workers}
grace = "5s"
restart_backoff_max = "{restart_backoff_max}"
[log]
level = "warning"
"""


@dataclass
class Running:
    settings: Settings
    process: subprocess.Popen[bytes]
    folder: Path


def write_config(
    folder: Path,
    *,
    workers: int,
    port: int,
    store_url: str = "",
    lease: str = "60s",
    restart_backoff_max: str = "30s",
    **dispatch: int,
) -> Path:
    """``lease`` and ``restart_backoff_max`` are durations as the config file takes
    them; their defaults are the service's own."""
    options = {"concurrency": 200, "per_target_limit": 1000, "batch_size": 200, **dispatch}
    url = store_url or f"sqlite:///{folder / 'ringback.db'}"
    path = folder / "ringback.toml"
    text = CONFIG.format(
        port=port,
        store_url=url,
        workers=workers,
        lease=lease,
        restart_backoff_max=restart_backoff_max,
        **options,
    )
    path.write_text(text)
    return path


@contextlib.contextmanager
def serving(config: Path, *, no_api: bool = False, new_session: bool = False) -> Iterator[Running]:
    """``new_session``: the tree gets its own process group, so ``power_cut`` can
    kill all of it at once."""
    settings = ensure_secrets(load_settings(config))
    argv = [sys.executable, "-m", "ringback", "serve", "--config", str(config)]
    if no_api:
        argv.append("--no-api")
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, start_new_session=new_session)
    try:
        _wait_ready(settings, process)
        yield Running(settings, process, config.parent)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_ready(
    settings: Settings, process: subprocess.Popen[bytes], timeout_s: float = 60
) -> None:
    deadline = time.monotonic() + timeout_s
    state_dir = settings.data_path / "state"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ringback serve exited with {process.returncode}")
        report = read_status(state_dir)
        if report.running and report.children and all(c.ready for c in report.children):
            return
        time.sleep(0.05)
    raise RuntimeError("ringback serve did not become ready")


def power_cut(running: Running) -> None:
    """SIGKILL the master and every child in one go, as a power loss would (needs
    ``serving(..., new_session=True)``), and wait until the master is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(running.process.pid, signal.SIGKILL)
    running.process.wait(30)


def api_url(running: Running) -> str:
    server = running.settings.server
    return f"http://{server.host}:{server.port}"


def worker_pids(running: Running) -> list[int]:
    report = read_status(running.settings.data_path / "state")
    return [c.pid for c in report.children if c.pid and c.name.startswith("worker")]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def machine() -> str:
    cpu = "unknown cpu"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {cpu}"
