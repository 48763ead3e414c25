"""The real service (API + dispatcher + SQLite file) against a receiver that fails
on purpose, with an injected clock: every attempt lands exactly when the policy says."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from ringback.core.clock import FakeClock
from ringback.core.config import ensure_secrets, load_settings
from ringback.interfaces.client import AsyncClient
from ringback.interfaces.runtime.embedded import EmbeddedService

T0 = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)

CONFIG = """
[server]
port = 0
[store]
url = "sqlite:///ringback.db"
[http]
allow_private = true
[log]
level = "warning"
"""


@contextlib.asynccontextmanager
async def receiving(
    handler: Callable[[web.Request], Awaitable[web.Response]],
) -> AsyncIterator[str]:
    """A loopback receiver answering POST /notify with ``handler``; yields its URL."""
    app = web.Application()
    app.router.add_post("/notify", handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/notify"
    finally:
        await runner.cleanup()


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[EmbeddedService]:
    config = tmp_path / "ringback.toml"
    config.write_text(CONFIG)
    settings = ensure_secrets(load_settings(config, env={}))
    async with EmbeddedService(settings, clock=FakeClock(T0)) as svc:
        yield svc


async def test_failures_of_every_kind_follow_the_alipay_schedule(
    service: EmbeddedService,
) -> None:
    clock = service.clock
    assert isinstance(clock, FakeClock)
    answers = ["500", "timeout", "wrong body", "500", "success"]

    async def flaky(request: web.Request) -> web.Response:
        answer = answers.pop(0)
        if answer == "timeout":
            await asyncio.sleep(1.0)  # past the job's 200 ms timeout
        if answer == "500":
            return web.Response(status=500, text="boom")
        if answer == "wrong body":
            return web.Response(text="fail")
        return web.Response(text="success")

    async with (
        receiving(flaky) as url,
        AsyncClient(service.url, service.settings.server.token) as client,
    ):
        submitted = await client.submit(
            {
                "url": url,
                "method": "POST",
                "json": {"out_trade_no": "A1"},
                "timeout": "200ms",
                "success": {"body_equals": "success"},
            },
            policy="alipay",
            key="order-A1-paid",
        )
        job_id = submitted.job.id
        for number in range(1, 5):
            job = await _wait(client, job_id, lambda j, n=number: j.attempts == n)
            assert job.state == "scheduled"
            clock.set(job.run_at)
        job = await _wait(client, job_id, lambda j: j.state == "succeeded")
        details = await client.get_job(job_id)

    starts = [a.started_at for a in details.attempts]
    # Each wait counts from the end of the failed attempt; the fake clock does not
    # move during an attempt, so the gaps are exactly 2m, 10m, 10m, 1h.
    assert [s - T0 for s in starts] == [
        timedelta(0),
        timedelta(minutes=2),
        timedelta(minutes=12),
        timedelta(minutes=22),
        timedelta(hours=1, minutes=22),
    ]
    errors = [a.error or "" for a in details.attempts]
    assert "500" in errors[0]
    assert "timeout" in errors[1].lower() or "timed out" in errors[1].lower()
    assert "fail" in errors[2]
    assert details.attempts[-1].outcome == "success"
    assert details.attempts[-1].response_excerpt == "success"


async def _wait(client: AsyncClient, job_id: int, check, timeout_s: float = 10):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        job = (await client.get_job(job_id)).job
        if check(job):
            return job
        assert loop.time() < deadline, f"stuck: {job}"
        await asyncio.sleep(0.01)


async def test_finished_jobs_are_purged_after_the_retention_period(
    service: EmbeddedService,
) -> None:
    clock = service.clock
    assert isinstance(clock, FakeClock)

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="success")

    async with (
        receiving(ok) as url,
        AsyncClient(service.url, service.settings.server.token) as client,
    ):
        job_id = (await client.submit({"url": url, "method": "POST"})).job.id
        await _wait(client, job_id, lambda j: j.state == "succeeded")
        sweeps = service.sweeper.sweeps
        # The default retention is 30 days; the sweeper looks every 10 minutes.
        clock.advance(service.settings.retention.finished_after + timedelta(hours=2))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while service.sweeper.purged == 0:
            assert loop.time() < deadline, f"no purge after {sweeps} sweeps"
            await asyncio.sleep(0.01)
        assert await service.store.get_job(job_id) is None
