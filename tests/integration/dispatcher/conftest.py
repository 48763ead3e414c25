"""A real SQLite store, a real HTTP executor and real loopback receivers for the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from ringback.core.clock import Clock, FakeClock
from ringback.core.dispatcher import Dispatcher, DispatcherOptions
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.sqlite import SqliteStore

T0 = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Receiver:
    """A loopback HTTP server that answers with ``handler`` and counts what it got."""

    handler: Handler
    url: str = ""
    calls: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    bodies: list[bytes] = field(default_factory=list)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self.bodies.append(await request.read())
            return await self.handler(request)
        finally:
            self.in_flight -= 1


@contextlib.asynccontextmanager
async def receiving(handler: Handler) -> AsyncIterator[Receiver]:
    receiver = Receiver(handler)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receiver._serve)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    receiver.url = f"http://127.0.0.1:{port}/notify"
    try:
        yield receiver
    finally:
        await runner.cleanup()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = SqliteStore(tmp_path / "ringback.db")
    await s.open()
    yield s
    await s.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def http_executor() -> AsyncIterator[HttpExecutor]:
    executor = HttpExecutor(
        HttpOptions(
            allow_private=True,
            signing_secret=generate_secret(),
            timeout=timedelta(seconds=2),
        )
    )
    yield executor
    await executor.close()


@contextlib.asynccontextmanager
async def dispatching(
    store: SqliteStore,
    executor: HttpExecutor,
    clock: Clock,
    **options: object,
) -> AsyncIterator[Dispatcher]:
    dispatcher = Dispatcher(
        store,
        {JobKind.HTTP: executor},
        clock=clock,
        options=DispatcherOptions(flush_delay=timedelta(0), **options),  # type: ignore[arg-type]
        worker_id="test-worker",
    )
    task = asyncio.create_task(dispatcher.run())
    try:
        yield dispatcher
    finally:
        dispatcher.stop(timedelta(seconds=2))
        await task


def http_job(
    url: str, policy: dict[str, object], run_at: datetime, key: str | None = None
) -> NewJob:
    executor_payload = {"url": url, "method": "POST", "body": '{"order": "A1"}'}
    host = url.split("/")[2]
    return NewJob(
        kind=JobKind.HTTP,
        payload=executor_payload,
        policy=policy,
        run_at=run_at,
        key=key,
        target=host,
    )
