"""Drive a real master process and watch its real children (imported by the tests).

The master runs ``master_program.py`` in its own session, so that the cleanup can
kill the master and every child in one ``killpg`` whatever a test left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ringback.core.supervisor import StatusReport, read_status

HERE = Path(__file__).parent
CHILD_PROGRAM = HERE / "child_program.py"
MASTER_PROGRAM = HERE / "master_program.py"
POLL_S = 0.01

T = TypeVar("T")


@dataclass(frozen=True)
class Mark:
    event: str  # start, ready, stop, recycle
    pid: int
    at: float  # time.monotonic() in the child (system-wide on Linux)
    generation: str


class MasterHarness:
    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path
        self.markers = tmp_path / "markers"
        self.markers.mkdir()
        self.state_dir = tmp_path / "state"
        self.pid_file = tmp_path / "run" / "ringback.pid"
        self.config_path = tmp_path / "master.json"
        self.stderr_path = tmp_path / "master.stderr"
        self.process: subprocess.Popen[bytes] | None = None

    def child(
        self, name: str, mode: str = "serve", *, generation: str = "1", **extra: float
    ) -> dict[str, Any]:
        argv = [
            sys.executable,
            str(CHILD_PROGRAM),
            "--markers",
            str(self.markers),
            "--mode",
            mode,
            "--generation",
            generation,
        ]
        for flag, value in extra.items():
            argv += [f"--{flag.replace('_', '-')}", str(value)]
        return {"name": name, "argv": argv, "title": f"ringback-test: {name}"}

    def write_config(self, children: list[dict[str, Any]], **settings: float) -> None:
        config = {
            "children": children,
            "grace_s": 1.0,
            "backoff_max_s": 0.5,
            "pid_file": str(self.pid_file),
            "state_file": str(self.state_dir / "master.json"),
            **settings,
        }
        self.config_path.write_text(json.dumps(config))

    def start(self, children: list[dict[str, Any]], **settings: float) -> subprocess.Popen[bytes]:
        self.write_config(children, **settings)
        return self.spawn_master()

    def spawn_master(self) -> subprocess.Popen[bytes]:
        with self.stderr_path.open("ab") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(MASTER_PROGRAM), str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        if self.process is None:
            self.process = process
        return process

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def signal(self, signum: signal.Signals) -> None:
        os.kill(self.pid, signum)

    def status(self) -> StatusReport:
        return read_status(self.state_dir)

    def child_pids(self) -> dict[str, int | None]:
        return {child.name: child.pid for child in self.status().children}

    def wait_all_ready(self, count: int, timeout_s: float = 10.0) -> dict[str, int]:
        def ready() -> dict[str, int] | None:
            children = self.status().children
            if len(children) == count and all(c.ready and c.pid for c in children):
                return {c.name: c.pid for c in children if c.pid is not None}
            return None

        return wait_for(ready, timeout_s, "all children ready")

    def marks(self, name: str) -> list[Mark]:
        path = self.markers / f"{name}.log"
        if not path.exists():
            return []
        marks = []
        for line in path.read_text().splitlines():
            event, pid, at, generation = line.split()
            marks.append(Mark(event, int(pid), float(at), generation))
        return marks

    def log(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_exit(self, timeout_s: float = 10.0) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout_s)

    def cleanup(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        # Children of a master killed mid-test live on in its process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def wait_for(check: Callable[[], T | None], timeout_s: float, what: str) -> T:
    """Poll ``check`` every few milliseconds until it returns a value."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            value = check()
        except (FileNotFoundError, ValueError, IndexError):
            value = None  # a file (or the state's first child) not written yet
        if value is not None and value is not False:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(POLL_S)


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].strip().startswith("Z")
