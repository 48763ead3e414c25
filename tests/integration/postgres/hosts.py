"""Separate "hosts" on one PostgreSQL database: each a real `ringback serve` process
tree with its own configuration file and data folder, and a task module that logs
every run.

The task ``multihost.run`` appends ``S <job id> <monotonic ns>`` when a run starts
and ``E <job id> <monotonic ns>`` when it ends to ``runs-<pid>.log`` in the log
folder. CLOCK_MONOTONIC is one clock for every process on the machine, so runs
logged by different hosts can be compared to find two runs of one job at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ringback.core.config import ensure_secrets, load_settings
from ringback.core.supervisor.state import StatusReport, read_status

TASK_MODULE = "rb_multihost_tasks"
TASK_NAME = "multihost.run"

TASK_SOURCE = '''
"""Logs the start and end of every run (see tests/integration/postgres/hosts.py)."""

import asyncio
import os
import time

from ringback import task

_LOG = os.open(
    os.path.join({log_dir!r}, f"runs-{{os.getpid()}}.log"),
    os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    0o644,
)


@task({task_name!r})
async def run(ctx, hold_ms=0):
    # One write per line: O_APPEND writes this small land whole, even under SIGKILL.
    os.write(_LOG, f"S {{ctx.job_id}} {{time.monotonic_ns()}}\\n".encode())
    if hold_ms:
        await asyncio.sleep(hold_ms / 1000)
    os.write(_LOG, f"E {{ctx.job_id}} {{time.monotonic_ns()}}\\n".encode())
'''

CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
[store]
url = "{url}"
schema = "{schema}"
pool_max = 4
[dispatcher]
lease = "{lease}"
idle_wait = "{idle_wait}"
concurrency = 200
[workers]
count = 1
grace = "5s"
restart_backoff_max = "1s"
[tasks]
modules = ["{module}"]
[log]
level = "warning"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_task_module(folder: Path, log_dir: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    source = TASK_SOURCE.format(log_dir=str(log_dir), task_name=TASK_NAME)
    (folder / f"{TASK_MODULE}.py").write_text(source)


@dataclass
class Host:
    name: str
    config: Path
    data_dir: Path
    url: str  # the API, when started with one
    token: str
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self, *, api: bool = False) -> None:
        argv = [sys.executable, "-m", "ringback", "serve", "--config", str(self.config)]
        if not api:
            argv.append("--no-api")
        # Its own session: killing the group takes the whole "host" down at once.
        self.process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, env=self.env, start_new_session=True
        )

    def status(self) -> StatusReport:
        return read_status(self.data_dir / "state")

    async def wait_ready(self, timeout_s: float = 60) -> StatusReport:
        async with asyncio.timeout(timeout_s):
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"{self.name}: serve exited with {self.process.returncode}"
                    )
                report = self.status()
                children = report.children
                if report.running and children and all(c.ready and c.pid for c in children):
                    return report
                await asyncio.sleep(0.05)

    def worker_pid(self) -> int:
        [worker] = [c for c in self.status().children if c.name.startswith("worker")]
        assert worker.pid is not None
        return worker.pid

    def kill_all(self) -> None:
        """SIGKILL the master and its children at once, like pulling the plug."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    async def stop(self, timeout_s: float = 30) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(timeout_s):
            while self.process.poll() is None:
                await asyncio.sleep(0.05)
        return self.process.returncode


def make_host(
    folder: Path,
    name: str,
    *,
    database_url: str,
    schema: str,
    tasks_dir: Path,
    lease: str = "2s",
    idle_wait: str = "60s",
) -> Host:
    home = folder / name
    home.mkdir(parents=True)
    port = free_port()
    config = home / "ringback.toml"
    config.write_text(
        CONFIG.format(
            port=port,
            url=database_url,
            schema=schema,
            lease=lease,
            idle_wait=idle_wait,
            module=TASK_MODULE,
        )
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tasks_dir), env.get("PYTHONPATH")]))
    settings = ensure_secrets(load_settings(config))
    return Host(
        name, config, settings.data_path, f"http://127.0.0.1:{port}", settings.server.token, env
    )


@dataclass
class Run:
    job_id: int
    pid: int
    start_ns: int
    end_ns: int | None  # None: the process died during the run


def read_runs(log_dir: Path) -> list[Run]:
    """Every run logged so far, from every process."""
    runs: list[Run] = []
    for path in sorted(log_dir.glob("runs-*.log")):
        pid = int(path.stem.removeprefix("runs-"))
        open_runs: dict[int, list[Run]] = defaultdict(list)
        for line in path.read_text().splitlines():
            mark, job_id, at_ns = line.split()
            if mark == "S":
                run = Run(int(job_id), pid, int(at_ns), None)
                open_runs[run.job_id].append(run)
                runs.append(run)
            else:
                open_runs[int(job_id)].pop(0).end_ns = int(at_ns)
    return runs


def started_and_ended(log_dir: Path, pid: int) -> tuple[int, int]:
    """How many runs process ``pid`` has started and ended so far."""
    path = log_dir / f"runs-{pid}.log"
    data = path.read_bytes() if path.exists() else b""
    # Lines hold only the marks S and E, digits and spaces.
    return data.count(b"S "), data.count(b"E ")
