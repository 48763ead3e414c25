"""Stopping the API without failing a request on a kept-alive connection.

uvicorn's own shutdown closes every idle keep-alive connection at once. A client that
sends its next request on such a connection at that moment gets no answer ("server
disconnected"), which on a reload (SIGHUP: a new API process takes over the port
through SO_REUSEPORT) is exactly the gap ringback promises not to have.

So before uvicorn's shutdown there is a drain: the listening socket is closed (new
connections go to the new process), and for up to ``DRAIN_S`` every answer the old
process still gives carries ``Connection: close``, so each kept-alive client makes
its next request on a new connection, to the new process. Only a connection that
stays idle through the whole drain is then closed by uvicorn; HTTP/1.1 clients retry
an idempotent request that meets such a close (RFC 9112, section 9.3.1).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_S = 1.0  # how long kept-alive clients have to move to the new process
_POLL_S = 0.02


@dataclass
class DrainFlag:
    on: bool = False


class CloseWhenDraining:
    """ASGI middleware: while draining, every answer says ``Connection: close``."""

    def __init__(self, app: ASGIApp, flag: DrainFlag) -> None:
        self._app = app
        self._flag = flag

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and self._flag.on:
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"connection"
                ]
                headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, send_closing)


class DrainingServer(uvicorn.Server):
    """uvicorn with a drain before its own graceful shutdown (see the module doc)."""

    def __init__(self, config: uvicorn.Config, flag: DrainFlag) -> None:
        super().__init__(config)
        self._flag = flag

    @property
    def draining(self) -> bool:
        return self._flag.on

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # stop accepting: new connections go to the new process
        for sock in sockets or []:
            sock.close()
        self._flag.on = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DRAIN_S
        while self.server_state.connections and not self.force_exit:
            if loop.time() >= deadline:
                break
            await asyncio.sleep(_POLL_S)
        await super().shutdown(sockets)
