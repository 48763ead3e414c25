"""Real parts for the metrics and alert tests: a SQLite file, the HTTP executor, a
loopback receiver, a dispatcher with observers, and the real app to scrape."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from aiohttp import web
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector

from ringback.core.clock import Clock
from ringback.core.dispatcher import Dispatcher, DispatcherOptions, DispatchObserver
from ringback.core.executors.http import HttpExecutor
from ringback.core.jobs import JobKind, JsonObject, NewJob
from ringback.core.service import JobService
from ringback.core.store.contract import Store
from ringback.interfaces.api import create_app
from ringback.interfaces.observability.metrics_router import metrics_router

T0 = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
TOKEN = "metrics-test-token-0123456789"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A loopback HTTP server: ``/ok…`` answers 200, ``/gone`` 410, anything else 500."""

    base_url: str = ""
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def _serve(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append(Received(request.path, dict(request.headers), body))
        if request.path.startswith("/ok"):
            return web.Response(text="success")
        if request.path == "/gone":
            return web.Response(status=410, text="gone")
        return web.Response(status=500, text="down")


@contextlib.asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receiver._serve)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def dispatching(
    store: Store,
    executor: HttpExecutor,
    clock: Clock,
    observers: Sequence[DispatchObserver],
) -> AsyncIterator[Dispatcher]:
    dispatcher = Dispatcher(
        store,
        {JobKind.HTTP: executor},
        clock=clock,
        options=DispatcherOptions(flush_delay=timedelta(0)),
        worker_id="metrics-test",
        observers=observers,
    )
    task = asyncio.create_task(dispatcher.run())
    try:
        yield dispatcher
    finally:
        dispatcher.stop(timedelta(seconds=2))
        await task


def http_job(
    executor: HttpExecutor,
    url: str,
    policy: JsonObject,
    run_at: datetime,
    *,
    queue: str = "default",
    labels: Mapping[str, str] | None = None,
) -> NewJob:
    prepared = executor.prepare({"url": url, "method": "POST", "json": {"order": "A1"}})
    return NewJob(
        kind=JobKind.HTTP,
        payload=prepared.payload,
        policy=policy,
        run_at=run_at,
        queue=queue,
        target=prepared.target,
        labels=dict(labels or {}),
    )


@contextlib.asynccontextmanager
async def metrics_client(
    store: Store,
    executor: HttpExecutor,
    clock: Clock,
    recorded: Collector,
    *,
    state_dir: Path | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app with ``/metrics`` mounted behind the token, called in-process."""
    service = JobService(store, clock, {JobKind.HTTP: executor})
    router = metrics_router(store, clock=clock, recorded=recorded, state_dir=state_dir)
    app = create_app(service, token=TOKEN, extra_routers=[router])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        base_url="http://ringback.test",
        headers={"Authorization": f"Bearer {TOKEN}"},
        transport=transport,
    ) as client:
        yield client


class Scraped:
    """One parsed exposition; ``value(name, **labels)`` reads one sample."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.families: dict[str, Metric] = {
            family.name: family for family in text_string_to_metric_families(text)
        }

    def value(self, sample_name: str, **labels: str) -> float | None:
        for family in self.families.values():
            for sample in family.samples:
                if sample.name == sample_name and sample.labels == labels:
                    return float(sample.value)
        return None

    def samples(self, sample_name: str) -> dict[tuple[tuple[str, str], ...], float]:
        return {
            tuple(sorted(sample.labels.items())): float(sample.value)
            for family in self.families.values()
            for sample in family.samples
            if sample.name == sample_name
        }


async def scrape(client: httpx.AsyncClient) -> Scraped:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return Scraped(response.text)
