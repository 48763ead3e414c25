"""Real aiohttp receivers on loopback, and jobs to send to them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from ringback.core.executors.base import ExecutionResult
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import Job, JobKind, JobState, JsonObject

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    peer: tuple[str, int]  # the client's address: equal peers mean a reused connection


@dataclass
class Receiver:
    port: int
    seen: list[Seen] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


MakeReceiver = Callable[..., Awaitable[Receiver]]


@pytest.fixture
async def receiver() -> AsyncIterator[MakeReceiver]:
    """``await receiver(handler, path="/hook")``: a live server recording each request."""
    runners: list[web.AppRunner] = []
    receivers: list[Receiver] = []

    async def start(handler: Handler, path: str = "/hook") -> Receiver:
        made = Receiver(port=0)

        async def recording(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            assert request.transport is not None
            peer = request.transport.get_extra_info("peername")[:2]
            made.seen.append(
                Seen(request.method, request.path_qs, dict(request.headers), body, peer)
            )
            return await handler(request)

        app = web.Application()
        app.router.add_route("*", path, recording)
        # Cancel a handler once the client hangs up, so slow handlers end with the test.
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        made.port = server.sockets[0].getsockname()[1]
        runners.append(runner)
        receivers.append(made)
        return made

    yield start
    for made in receivers:
        made.release.set()
    for runner in runners:
        await runner.cleanup()


def _text_handler(text: str, status: int = 200, **headers: str) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(text=text, status=status, headers=headers)

    return handle


@pytest.fixture
def answer() -> Callable[..., Handler]:
    """``answer("success", 200, **headers)``: a handler giving a fixed answer."""
    return _text_handler


@pytest.fixture
def secret() -> str:
    return generate_secret()


@pytest.fixture
def options(secret: str) -> HttpOptions:
    """Loopback receivers need allow_private."""
    return HttpOptions(signing_secret=secret, allow_private=True)


@pytest.fixture
async def executor(options: HttpOptions) -> AsyncIterator[HttpExecutor]:
    made = HttpExecutor(options)
    yield made
    await made.close()


def _make_job(payload: JsonObject, *, job_id: int = 1, key: str | None = None) -> Job:
    now = datetime.now(UTC)
    return Job(
        id=job_id,
        kind=JobKind.HTTP,
        queue="default",
        key=key,
        target=None,
        labels={},
        payload=payload,
        policy={},
        state=JobState.RUNNING,
        run_at=now,
        attempts=0,
        series=1,
        series_started_at=now,
        created_at=now,
        updated_at=now,
    )


class FakeResolver:
    """DNS as a table; records every question so tests can count lookups."""

    def __init__(self, answers: dict[str, Sequence[str]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> Sequence[str]:
        self.calls.append((host, port))
        if host not in self.answers:
            raise OSError(-2, "Name or service not known")
        return list(self.answers[host])


@pytest.fixture
def make_job() -> Callable[..., Job]:
    return _make_job


@pytest.fixture
def fake_dns() -> Callable[[dict[str, Sequence[str]]], FakeResolver]:
    return FakeResolver


Deliver = Callable[..., Awaitable[ExecutionResult]]


@pytest.fixture
def deliver() -> Deliver:
    """``await deliver(executor, payload, job_id=1, key=None)``: prepare, then execute,
    as the service and the dispatcher would."""

    async def run(executor: HttpExecutor, payload: JsonObject, **job: Any) -> ExecutionResult:
        prepared = executor.prepare(payload)
        return await executor.execute(_make_job(prepared.payload, **job))

    return run
