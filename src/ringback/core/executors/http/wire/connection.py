"""One HTTP/1.1 client connection: write a request, parse its answer with llhttp.

A ``WireConnection`` is the ``asyncio.Protocol`` of one TCP (or TLS) connection and
runs one exchange at a time (no pipelining). ``httptools.HttpResponseParser`` calls
back as bytes arrive; the callbacks fill in the answer and settle the exchange's
future. The parser lives as long as the connection: llhttp starts over by itself after
each complete keep-alive message.

The connection decides whether it may be reused (``reusable``) when an answer ends:
only after a complete answer the receiver agreed to keep alive (HTTP/1.1 without
``Connection: close``, or HTTP/1.0 with ``keep-alive``) and with nothing unrequested
behind it. Anything else (errors, a body cut at the cap, an answer read until the
receiver closed) leaves the connection closed or for closing.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from typing import cast

from httptools import HttpParserError, HttpParserUpgrade, HttpResponseParser

from ringback.core.executors.http.addresses import IPAddress
from ringback.core.executors.http.wire.answer import Answer, AnswerHeaders
from ringback.core.executors.http.wire.errors import (
    BodyCutOff,
    Disconnected,
    InvalidAnswer,
    WireError,
)

KIB = 1024
# Status line and header fields together (interim 1xx answers included). llhttp
# collects a header field in memory before handing it over, so this bounds what a
# receiver can make us hold before any body limit applies.
MAX_HEAD_BYTES = 64 * KIB


def _is_framed(fields: list[tuple[str, str]]) -> bool:
    """Whether the answer says where its body ends (length or chunked), so that the
    connection closing early cuts the body off instead of ending it."""
    for name, value in fields:
        lowered = name.lower()
        if lowered == "content-length":
            return True
        if lowered == "transfer-encoding" and value.lower().rstrip().endswith("chunked"):
            return True
    return False


class WireConnection(asyncio.Protocol):
    """A connection to ``address``; ``on_lost`` is told once it has closed."""

    def __init__(self, address: IPAddress) -> None:
        self.address = address  # the vetted address dialled; reuse checks it against pins
        self.transport: asyncio.Transport | None = None
        self.on_lost: Callable[[WireConnection], None] | None = None
        self.lost = False
        self.reusable = False
        self.idle_since_s = 0.0  # set by the pool when it parks the connection
        self._parser = HttpResponseParser(self)
        self._waiter: asyncio.Future[Answer] | None = None
        self._done = True  # no exchange in progress
        self._answers_head = False
        self._max_body_bytes = 0
        self._received_bytes = 0
        self._head_bytes = 0
        self._headers_done = False
        self._status = 0
        self._reason = ""
        self._fields: list[tuple[str, str]] = []
        self._chunks: list[bytes] = []
        self._body_bytes = 0

    # -- the exchange -------------------------------------------------------------------

    @property
    def received_nothing(self) -> bool:
        """No byte of an answer arrived in the current (or last) exchange."""
        return self._received_bytes == 0

    def exchange(
        self, message: bytes, *, answers_head: bool, max_body_bytes: int
    ) -> asyncio.Future[Answer]:
        """Send ``message``; the future gets the answer or a WireError.

        ``answers_head``: the request was HEAD, so the answer has no body whatever its
        headers say. The body is kept up to ``max_body_bytes``.
        """
        transport = self.transport
        waiter = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        self._done = False
        self.reusable = False
        self._answers_head = answers_head
        self._max_body_bytes = max_body_bytes
        self._received_bytes = self._head_bytes = self._body_bytes = 0
        self._start_message()
        if self.lost or transport is None or transport.is_closing():
            # Closed while parked, before connection_lost ran: nothing was sent.
            self._fail(Disconnected("the connection was closed before the request was sent"))
        else:
            transport.write(message)
        return waiter

    def close(self) -> None:
        """Close at once, dropping anything unsent or unread."""
        self.reusable = False
        if self.transport is not None and not self.lost:
            self.transport.abort()

    # -- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Requests go out in one write and wait for the answer: never let Nagle hold
            # the last segment back for a delayed ACK.
            with contextlib.suppress(OSError):  # e.g. a socket that is not TCP
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self._done:
            # Bytes nobody asked for (while parked, or after a complete answer): the
            # connection's state is unknown, so it is not used again.
            self.close()
            return
        self._received_bytes += len(data)
        counting_head = not self._headers_done
        if counting_head:
            self._head_bytes += len(data)
        try:
            self._parser.feed_data(data)
        except HttpParserUpgrade:
            self._fail(InvalidAnswer("the receiver switched protocols unasked"))
        except HttpParserError as exc:
            self._fail(InvalidAnswer(str(exc) or type(exc).__name__))
        else:
            if counting_head and not self._headers_done and self._head_bytes > MAX_HEAD_BYTES:
                self._fail(InvalidAnswer(f"the answer's headers exceed {MAX_HEAD_BYTES} bytes"))

    def eof_received(self) -> bool:
        return False  # let the transport close; connection_lost judges what was read

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.reusable = False
        if not self._done:
            self._end_at_close()
        if self.on_lost is not None:
            self.on_lost(self)

    # -- httptools callbacks ------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._done:
            self.reusable = False  # a second answer to one request
            return
        self._start_message()

    def on_status(self, status: bytes) -> None:
        # llhttp may hand the reason over in pieces when it straddles two reads.
        self._reason += status.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields.append((name.decode("latin-1"), value.decode("latin-1").strip()))

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self._status = self._parser.get_status_code()
        if self._answers_head and self._status >= 200 and not self._done:
            # httptools cannot tell llhttp the request was HEAD, so llhttp would wait for
            # the body the headers announce. The answer ends here; the connection closes
            # rather than go on with a parser expecting a body that never comes.
            self._finish(truncated=False)
            self.close()

    def on_body(self, body: bytes) -> None:
        if self._done:
            return
        self._chunks.append(body)
        self._body_bytes += len(body)
        if self._body_bytes > self._max_body_bytes:
            # One byte past the cap is enough to know there was more. Stop reading now:
            # draining the rest could mean gigabytes, so the connection is closed instead.
            self._finish(truncated=True)
            self.close()

    def on_message_complete(self) -> None:
        if self._done:
            return
        if self._status < 200:
            # An interim answer (100 Continue, 103 Early Hints): the real one follows.
            return
        keep_alive = self._parser.should_keep_alive()
        self._finish(truncated=False)
        self.reusable = keep_alive

    # -- settling -----------------------------------------------------------------------

    def _start_message(self) -> None:
        self._headers_done = False
        self._status = 0
        self._reason = ""
        self._fields = []
        self._chunks = []
        self._body_bytes = 0

    def _end_at_close(self) -> None:
        if not self._headers_done or self._status < 200:
            self._fail(Disconnected("the receiver closed the connection without answering"))
        elif _is_framed(self._fields):
            self._fail(BodyCutOff("the connection closed before the end of the body"))
        else:
            # Neither a length nor chunked: the body is everything until the close.
            self._finish(truncated=False)

    def _finish(self, *, truncated: bool) -> None:
        self._done = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        chunks = self._chunks
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if truncated:
            body = body[: self._max_body_bytes]
        answer = Answer(self._status, self._reason, AnswerHeaders(self._fields), body, truncated)
        waiter.set_result(answer)

    def _fail(self, error: WireError) -> None:
        self._done = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.close()
