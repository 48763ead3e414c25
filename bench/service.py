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
[http]
allow_private = true
[workers]
count = {workers}
grace = "5s"
[log]
level = "warning"
"""


@dataclass
class Running:
    settings: Settings
    process: subprocess.Popen[bytes]
    folder: Path


def write_config(
    folder: Path, *, workers: int, port: int, store_url: str = "", **dispatch: int
) -> Path:
    options = {"concurrency": 200, "per_target_limit": 1000, "batch_size": 200, **dispatch}
    url = store_url or f"sqlite:///{folder / 'ringback.db'}"
    path = folder / "ringback.toml"
    path.write_text(CONFIG.format(port=port, store_url=url, workers=workers, **options))
    return path


@contextlib.contextmanager
def serving(config: Path, *, no_api: bool = False) -> Iterator[Running]:
    settings = ensure_secrets(load_settings(config))
    argv = [sys.executable, "-m", "ringback", "serve", "--config", str(config)]
    if no_api:
        argv.append("--no-api")
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
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
