"""Stopping the API drains kept-alive clients: the request that comes in during the
drain is answered (with ``Connection: close``), not dropped."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from ringback.interfaces.runtime.api import uvicorn_server
from ringback.interfaces.runtime.draining import DrainingServer

REQUEST = b"GET /ping HTTP/1.1\r\nHost: test\r\n\r\n"


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "yes"}

    return app


async def _answer(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head, await reader.readexactly(length)


async def test_a_kept_alive_client_is_answered_during_the_drain_then_closed() -> None:
    server = uvicorn_server(_app(), "127.0.0.1", 0)
    assert isinstance(server, DrainingServer)
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(REQUEST)
        head, body = await _answer(reader)
        assert b" 200 " in head.split(b"\r\n")[0] and b"connection: close" not in head.lower()

        server.should_exit = True  # what SIGTERM does
        async with asyncio.timeout(5):
            while not server.draining:
                await asyncio.sleep(0.005)
        # The old connection still gets its answer, told to close afterwards.
        writer.write(REQUEST)
        head, body = await _answer(reader)
        assert b" 200 " in head.split(b"\r\n")[0]
        assert b"connection: close" in head.lower()
        assert body == b'{"ok":"yes"}'
        assert await reader.read() == b""  # and then it is closed
    finally:
        writer.close()
    async with asyncio.timeout(10):
        await serving  # the drain ended early: no connection was left
