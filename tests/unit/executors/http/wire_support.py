"""Raw loopback servers that send exact bytes, for the wire client's tests."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from yarl import URL

from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.wire import Answer, ConnectionPool

RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class RawServer:
    """A loopback server running ``handler`` per connection; records client peers."""

    port: int
    peers: list[tuple[str, int]] = field(default_factory=list)  # one per connection
    open_now: int = 0
    most_open: int = 0  # the most connections open at the same time

    def url(self, path: str = "/hook") -> URL:
        return URL(f"http://127.0.0.1:{self.port}{path}")

    @property
    def pin(self) -> Pin:
        return Pin("127.0.0.1", self.port, (ipaddress.ip_address("127.0.0.1"),))


MakeRawServer = Callable[..., Awaitable[RawServer]]


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One request's head and body (by Content-Length) from ``reader``."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return head, body


def answering(*answers: bytes, close: bool = False) -> RawHandler:
    """A handler that reads requests and sends ``answers`` in turn (the last one again
    when more requests come), closing after each answer if ``close``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sent = 0
        while True:
            try:
                await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            writer.write(answers[min(sent, len(answers) - 1)])
            sent += 1
            await writer.drain()
            if close:
                return

    return handle


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess"


async def send(
    pool: ConnectionPool,
    server: RawServer,
    method: str = "POST",
    body: bytes = b"{}",
    *,
    max_body_bytes: int = 65536,
    pin: Pin | None = None,
) -> Answer:
    """One request through ``pool`` to ``server``, pinned to 127.0.0.1."""
    return await pool.request(
        pin or server.pin,
        method,
        server.url(),
        {"User-Agent": "ringback-test"},
        body,
        connect_timeout_s=2.0,
        max_body_bytes=max_body_bytes,
    )
