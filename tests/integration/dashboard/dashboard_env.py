"""The dashboard under test: the whole service in one loop (``EmbeddedService``: a real
SQLite file, uvicorn on loopback, the dispatcher) under a fake clock, delivering to
real HTTP receivers on loopback, and browsers played by httpx clients with cookies.

Named uniquely (tests have no packages); the browser tests import it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from aiohttp import web

from ringback.core.clock import FakeClock
from ringback.core.config import load_settings
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import Job, JobState
from ringback.core.service import SubmitRequest
from ringback.interfaces.runtime.embedded import EmbeddedService

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
TOKEN = "dashboard-test-token-0123456789"
T = TypeVar("T")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Receivers:
    """Two callback receivers on loopback (two targets). ``/ok`` answers ``success``
    after 120 ms of fake time, ``/fail`` answers 503 after 40 ms, ``/hang`` holds
    the request until ``release`` is set (the job stays RUNNING meanwhile)."""

    clock: FakeClock
    good: str = ""  # base URL of the first target
    flaky: str = ""  # base URL of the second (another host name, another port)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    hanging: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        if request.path.startswith("/ok"):
            self.clock.advance(timedelta(milliseconds=120))
            return web.Response(text="success")
        if request.path.startswith("/hang"):
            self.hanging += 1
            await self.release.wait()
            return web.Response(text="success")
        self.clock.advance(timedelta(milliseconds=40))
        return web.Response(status=503, text="busy, try later")


@contextlib.asynccontextmanager
async def receiving(clock: FakeClock) -> AsyncIterator[Receivers]:
    receivers = Receivers(clock)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receivers.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    good = web.TCPSite(runner, "127.0.0.1", 0)
    flaky = web.TCPSite(runner, "127.0.0.1", 0)
    await good.start()
    await flaky.start()
    ports = [address[1] for address in runner.addresses]
    receivers.good = f"http://127.0.0.1:{ports[0]}"
    receivers.flaky = f"http://localhost:{ports[1]}"
    try:
        yield receivers
    finally:
        receivers.release.set()
        await runner.cleanup()


@dataclass
class DashboardEnv:
    svc: EmbeddedService
    clock: FakeClock
    receivers: Receivers
    folder: Path

    @property
    def url(self) -> str:
        return self.svc.url

    def browser(self) -> httpx.AsyncClient:
        """A client like a browser: no token, keeps cookies, does not follow redirects."""
        return httpx.AsyncClient(base_url=self.url, timeout=10)

    async def login(self, client: httpx.AsyncClient) -> str:
        """Log ``client`` in; return the session's CSRF token (read from a page)."""
        answer = await client.post("/dashboard/login", data={"token": TOKEN})
        assert answer.status_code == 303, answer.text
        return await self.csrf(client)

    async def csrf(self, client: httpx.AsyncClient) -> str:
        page = await client.get("/dashboard")
        assert page.status_code == 200, page.text
        found = _CSRF.search(page.text)
        assert found is not None
        return found.group(1)

    async def submit(
        self,
        url: str,
        *,
        delays: Iterable[str] = ("0s",),
        at: datetime | None = None,
        key: str | None = None,
        queue: str = "default",
        labels: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        payload: dict[str, Any] = {"url": url, "json": {"order": key or "none"}}
        if headers:
            payload["headers"] = headers
        result = await self.svc.service.submit(
            SubmitRequest(
                kind="http",
                payload=payload,
                policy={"type": "schedule", "delays": list(delays)},
                key=key,
                queue=queue,
                at=at,
                labels=labels or {},
            )
        )
        return result.job.id

    async def job(self, job_id: int) -> Job:
        job = await self.svc.store.get_job(job_id)
        assert job is not None
        return job

    async def settled(self, job_id: int, *states: JobState, attempts: int = 1) -> Job:
        """Wait (real time, briefly) until the dispatcher has taken the job there."""
        return await eventually(
            lambda: self.job(job_id),
            lambda job: job.state in states and job.attempts >= attempts,
        )


@dataclass(frozen=True)
class Seeded:
    succeeded: int
    dead: int
    dead_other: int  # a second dead job, on the other target
    scheduled: int  # failed once, next attempt in an hour
    cancelled: int
    running: int  # held by the /hang receiver
    waiting: int  # never attempted, due tomorrow


async def seed(env: DashboardEnv) -> Seeded:
    """One job in each state, with real attempts made by the dispatcher."""
    r = env.receivers
    succeeded = await env.submit(
        f"{r.good}/ok/1",
        key="order-1001",
        queue="payments",
        labels={"app": "game-1"},
        headers={"Authorization": "Bearer super-secret-value"},
    )
    await env.settled(succeeded, JobState.SUCCEEDED)
    dead = await env.submit(f"{r.good}/fail/2", key="order-1002", labels={"app": "game-1"})
    await env.settled(dead, JobState.DEAD)
    dead_other = await env.submit(f"{r.flaky}/fail/3", key="order-1003")
    await env.settled(dead_other, JobState.DEAD)
    scheduled = await env.submit(f"{r.flaky}/fail/4", delays=("0s", "1h"), key="order-1004")
    await env.settled(scheduled, JobState.SCHEDULED, attempts=1)
    waiting = await env.submit(f"{r.good}/ok/5", at=env.clock.now() + timedelta(days=1))
    cancelled = await env.submit(f"{r.good}/ok/6", at=env.clock.now() + timedelta(hours=2))
    await env.svc.service.cancel(cancelled)
    running = await env.submit(f"{r.good}/hang/7", key="order-1007", queue="payments")
    await eventually(lambda: env.job(running), lambda job: job.state is JobState.RUNNING)
    await eventually(lambda: _value(r.hanging), lambda n: n >= 1)
    return Seeded(succeeded, dead, dead_other, scheduled, cancelled, running, waiting)


async def _value(value: T) -> T:
    return value


def write_config(folder: Path) -> Path:
    path = folder / "ringback.toml"
    path.write_text(
        f"""
[server]
host = "127.0.0.1"
port = 0
token = "{TOKEN}"

[store]
url = "sqlite:///ringback.db"

[http]
allow_private = true
timeout = "5s"
signing_secret = "{generate_secret()}"
""",
        encoding="utf-8",
    )
    return path


@contextlib.asynccontextmanager
async def running_dashboard(folder: Path) -> AsyncIterator[DashboardEnv]:
    clock = FakeClock(T0)
    settings = load_settings(write_config(folder), env={})
    async with receiving(clock) as receivers, EmbeddedService(settings, clock=clock) as svc:
        try:
            yield DashboardEnv(svc, clock, receivers, folder)
        finally:
            receivers.release.set()  # let a held attempt finish, so the service stops at once


async def eventually(
    probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], timeout_s: float = 5.0
) -> T:
    """Poll ``probe`` (in real time) until ``check`` holds; fail with the last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = await probe()
        if check(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition never held; last value: {value!r}")
        await asyncio.sleep(0.005)
