"""Real receivers on loopback (aiohttp apps, and raw servers sending exact bytes for
the wire client's tests), and jobs to send to them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from tests.http_support import running_http_job
from wire_support import MakeRawServer, RawHandler, RawServer

from ringback.core.executors.base import ExecutionResult
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.executors.http.wire import ConnectionPool
from ringback.core.jobs import Job, JsonObject

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
    return running_http_job


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
        return await executor.execute(running_http_job(prepared.payload, **job))

    return run


# -- the wire client's tests: raw servers that send exact bytes --------------------------


@pytest.fixture
async def raw_server() -> AsyncIterator[MakeRawServer]:
    """``await raw_server(handler, host="127.0.0.1")``: a live server (``host``
    "0.0.0.0" answers on 127.0.0.2 too); every connection is closed after."""
    servers: list[asyncio.Server] = []
    writers: list[asyncio.StreamWriter] = []

    async def start(handler: RawHandler, host: str = "127.0.0.1") -> RawServer:
        made = RawServer(port=0)

        async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            made.peers.append(writer.get_extra_info("peername")[:2])
            made.open_now += 1
            made.most_open = max(made.most_open, made.open_now)
            writers.append(writer)
            try:
                await handler(reader, writer)
            finally:
                made.open_now -= 1
                writer.close()

        server = await asyncio.start_server(tracked, host, 0)
        servers.append(server)
        made.port = server.sockets[0].getsockname()[1]
        return made

    yield start
    for writer in writers:
        writer.close()
    for server in servers:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def pool() -> AsyncIterator[ConnectionPool]:
    made = ConnectionPool(limit=10)
    yield made
    await made.close()
