"""Reading answers: framing, interim answers, HEAD, caps, and what is not HTTP."""

from __future__ import annotations

import asyncio

import pytest
from wire_support import OK, answering, read_request, send

from ringback.core.executors.http.wire import InvalidAnswer
from ringback.core.executors.http.wire.connection import MAX_HEAD_BYTES


async def test_status_reason_headers_and_body(raw_server, pool):
    server = await raw_server(
        answering(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\n"
            b"X-Twice: one\r\nx-twice: two\r\nContent-Length: 4\r\n\r\nbusy"
        )
    )
    answer = await send(pool, server)
    assert (answer.status, answer.reason, answer.body) == (503, "Service Unavailable", b"busy")
    assert answer.headers.get("retry-after") == "120"
    assert answer.headers.get("RETRY-AFTER") == "120"
    assert answer.headers.get("x-twice") == "one"
    assert answer.headers.get("Location") is None
    assert "x-TWICE" in answer.headers
    assert list(answer.headers)[1:3] == [("X-Twice", "one"), ("x-twice", "two")]
    assert not answer.truncated


async def test_a_chunked_answer_is_read_whole(raw_server, pool):
    server = await raw_server(
        answering(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nsuc\r\n2;ext=1\r\nce\r\n3\r\nss\n\r\n0\r\n\r\n"
        )
    )
    first = await send(pool, server)
    second = await send(pool, server)
    assert first.body == second.body == b"success\n"
    assert len(server.peers) == 1  # the chunked answer ended cleanly: kept alive


async def test_an_http_1_0_answer_is_read_until_the_close(raw_server, pool):
    server = await raw_server(
        answering(b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nsuccess", close=True)
    )
    first = await send(pool, server)
    second = await send(pool, server)
    assert (first.status, first.body) == (200, b"success")
    assert second.body == b"success"
    assert len(server.peers) == 2  # a body ended by the close cannot be followed by more


async def test_an_interim_100_continue_is_skipped(raw_server, pool):
    server = await raw_server(
        answering(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK
        )
    )
    answer = await send(pool, server)
    assert (answer.status, answer.body) == (200, b"success")
    assert answer.headers.get("Link") is None  # the interim answer's headers are not ours
    assert (await send(pool, server)).status == 200
    assert len(server.peers) == 1


async def test_head_has_no_body_whatever_content_length_says(raw_server, pool):
    server = await raw_server(answering(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"))
    answer = await asyncio.wait_for(send(pool, server, "HEAD", b""), timeout=2)
    assert (answer.status, answer.body, answer.truncated) == (200, b"", False)
    assert answer.headers.get("content-length") == "5000"


@pytest.mark.parametrize("status", [204, 304])
async def test_204_and_304_have_no_body(raw_server, pool, status):
    server = await raw_server(
        answering(f"HTTP/1.1 {status} X\r\nContent-Length: 10\r\n\r\n".encode())
    )
    answer = await asyncio.wait_for(send(pool, server), timeout=2)
    assert (answer.status, answer.body) == (status, b"")
    assert (await send(pool, server)).status == status
    assert len(server.peers) == 1


async def test_an_oversized_body_is_cut_at_the_cap_and_the_connection_dropped(raw_server, pool):
    sent: list[int] = []

    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n")
        try:
            for _ in range(1600):  # 100 MiB if anyone read it
                writer.write(b"x" * 65536)
                await writer.drain()
                sent.append(1)
        except ConnectionError:
            return

    server = await raw_server(flood)
    answer = await send(pool, server, max_body_bytes=1000)
    assert (answer.body, answer.truncated) == (b"x" * 1000, True)
    await asyncio.sleep(0.05)
    assert pool.open_connections == 0
    assert len(sent) < 100  # the client hung up instead of draining


async def test_exactly_the_cap_is_not_truncated(raw_server, pool):
    server = await raw_server(answering(OK))
    answer = await send(pool, server, max_body_bytes=7)
    assert (answer.body, answer.truncated) == (b"success", False)


@pytest.mark.parametrize(
    "garbage",
    [
        b"HTTX/1.1 200 OK\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n",
    ],
)
async def test_what_is_not_http_is_an_invalid_answer(raw_server, pool, garbage):
    server = await raw_server(answering(garbage))
    with pytest.raises(InvalidAnswer):
        await send(pool, server)
    await asyncio.sleep(0)
    assert pool.open_connections == 0


async def test_endless_headers_are_an_invalid_answer(raw_server, pool):
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nX-Big: ")
        try:
            for _ in range(100):
                writer.write(b"a" * 4096)
                await writer.drain()
        except ConnectionError:
            return

    server = await raw_server(endless)
    with pytest.raises(InvalidAnswer, match=f"exceed {MAX_HEAD_BYTES} bytes"):
        await send(pool, server)
