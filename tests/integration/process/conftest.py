"""Real `ringback serve` process trees on a fresh SQLite file, and a loopback receiver.

The receiver counts deliveries per `webhook-id` (stable per job), so a test can
tell "done once", "done twice" and "never done" apart after killing processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from ringback.core.config import ensure_secrets, load_settings
from ringback.core.supervisor.state import StatusReport, read_status

CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
[store]
url = "sqlite:///{db}"
[dispatcher]
lease = "{lease}"
concurrency = 50
[http]
allow_private = true
timeout = "10s"
[workers]
count = {workers}
grace = "{grace}"
restart_backoff_max = "1s"
max_jobs = {max_jobs}
[log]
level = "warning"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Receiver:
    url: str = ""
    delay_s: float = 0.0
    deliveries: Counter[str] = field(default_factory=Counter)
    started: Counter[str] = field(default_factory=Counter)

    async def handle(self, request: web.Request) -> web.Response:
        msg_id = request.headers["webhook-id"]
        self.started[msg_id] += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.deliveries[msg_id] += 1
        return web.Response(text="success")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/notify", rec.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/notify"
    yield rec
    await runner.cleanup()


@dataclass
class Service:
    config: Path
    token: str
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [sys.executable, "-m", "ringback", "serve", "--config", str(self.config)]
        # Its own session, so a test can SIGKILL the whole tree like a power cut.
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, start_new_session=True)

    def status(self) -> StatusReport:
        return read_status(self.data_dir / "state")

    async def wait_ready(self, timeout_s: float = 60) -> StatusReport:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}")
            report = self.status()
            if (
                report.running
                and report.children
                and all(c.ready and c.pid for c in report.children)
            ):
                return report
            await asyncio.sleep(0.05)
        raise AssertionError(f"serve not ready: {self.status()}")

    def kill_all(self) -> None:
        """SIGKILL the master and every child at once."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    async def wait_exit(self, timeout_s: float = 60) -> int:
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self.process.poll() is None:
            assert loop.time() < deadline, "serve did not exit"
            await asyncio.sleep(0.05)
        return self.process.returncode


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[object]:
    made: list[Service] = []

    def make(
        *, workers: int = 2, lease: str = "2s", grace: str = "10s", max_jobs: int = 0
    ) -> Service:
        port = free_port()
        config = tmp_path / "ringback.toml"
        config.write_text(
            CONFIG.format(
                port=port,
                db=tmp_path / "ringback.db",
                lease=lease,
                workers=workers,
                grace=grace,
                max_jobs=max_jobs,
            )
        )
        settings = ensure_secrets(load_settings(config))
        service = Service(
            config, settings.server.token, f"http://127.0.0.1:{port}", settings.data_path
        )
        made.append(service)
        return service

    yield make
    for service in made:
        if service.process is not None and service.process.poll() is None:
            service.kill_all()
