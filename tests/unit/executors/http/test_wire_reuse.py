"""Keep-alive: when a connection is reused, when it is closed, and the one retry."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from wire_support import OK, answering, read_request, send

from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.wire import BodyCutOff, ConnectionPool, Disconnected


async def test_sequential_requests_share_one_connection(raw_server, pool):
    server = await raw_server(answering(OK))
    answers = [await send(pool, server) for _ in range(3)]
    assert [a.body for a in answers] == [b"success"] * 3
    assert len(server.peers) == 1
    assert (pool.open_connections, pool.idle_connections) == (1, 1)


async def test_connection_close_means_the_next_request_opens_a_new_one(raw_server, pool):
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 7\r\n\r\nsuccess"
    server = await raw_server(answering(closing))
    for _ in range(2):
        assert (await send(pool, server)).body == b"success"
    assert len(server.peers) == 2
    assert server.peers[0] != server.peers[1]


async def test_http_1_0_keep_alive_is_honoured_and_plain_1_0_is_not(raw_server, pool):
    kept = await raw_server(
        answering(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
    )
    plain = await raw_server(answering(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    for _ in range(2):
        await send(pool, kept)
        await send(pool, plain)
    assert (len(kept.peers), len(plain.peers)) == (1, 2)


async def test_an_idle_connection_the_server_closed_is_retried_once_on_a_new_one(raw_server, pool):
    # Answers, then hangs up after a moment: the next request finds the parked
    # connection dead (whether or not the client noticed the close yet).
    async def answer_then_hang_up(reader, writer) -> None:
        await read_request(reader)
        writer.write(OK)
        await writer.drain()

    server = await raw_server(answer_then_hang_up)
    await send(pool, server)
    assert (await send(pool, server)).body == b"success"
    assert len(server.peers) == 2


async def test_a_parked_connection_that_dies_unnoticed_is_retried(raw_server, pool):
    # The server takes the request but closes without a byte of answer, once, as a
    # receiver closing an idle connection at the moment it is reused does.
    requests_seen = 0

    async def drop_second(reader, writer) -> None:
        nonlocal requests_seen
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            requests_seen += 1
            if requests_seen == 2:
                return  # closes without answering
            writer.write(OK)
            await writer.drain()

    server = await raw_server(drop_second)
    await send(pool, server)
    assert (await send(pool, server)).body == b"success"
    assert requests_seen == 3
    assert len(server.peers) == 2


async def test_a_fresh_connection_closed_without_answer_is_not_retried(raw_server, pool):
    async def hang_up(reader, writer) -> None:
        await read_request(reader)

    server = await raw_server(hang_up)
    with pytest.raises(Disconnected):
        await send(pool, server)
    assert len(server.peers) == 1
    assert pool.open_connections == 0


async def test_a_close_in_the_middle_of_the_answer_is_not_retried(raw_server, pool):
    async def cut(reader, writer) -> None:
        await read_request(reader)
        writer.write(OK)
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsucc")
        await writer.drain()  # and hang up

    server = await raw_server(cut)
    await send(pool, server)
    with pytest.raises(BodyCutOff):
        await send(pool, server)  # on the reused connection: bytes came, so no retry
    assert len(server.peers) == 1


async def test_a_close_in_the_middle_of_the_headers_is_disconnected(raw_server, pool):
    server = await raw_server(answering(b"HTTP/1.1 200 OK\r\nContent-Len", close=True))
    with pytest.raises(Disconnected):
        await send(pool, server)
    assert len(server.peers) == 1


async def test_a_parked_connection_to_an_address_no_longer_pinned_is_closed(raw_server, pool):
    server = await raw_server(answering(OK), host="0.0.0.0")
    await send(pool, server)
    # DNS moved the name: the new pin lists other addresses first and 127.0.0.1 no
    # longer; the parked connection to 127.0.0.1 must not carry the next request.
    moved = Pin("127.0.0.1", server.port, (ipaddress.ip_address("127.0.0.2"),))
    parked_peer = server.peers[0]
    await send(pool, server, pin=moved)
    assert len(server.peers) == 2
    assert server.peers[1] != parked_peer
    assert pool.open_connections == 1


async def test_idle_connections_are_closed_after_the_idle_timeout(raw_server):
    pool = ConnectionPool(limit=4, idle_timeout_s=0.05)
    server = await raw_server(answering(OK))
    try:
        await send(pool, server)
        assert pool.idle_connections == 1
        await asyncio.sleep(0.15)
        assert (pool.idle_connections, pool.open_connections) == (0, 0)
        assert server.open_now == 0
        await send(pool, server)
        assert len(server.peers) == 2
    finally:
        await pool.close()


async def test_a_server_closing_an_idle_connection_drops_it_at_once(raw_server, pool):
    # No "Connection: close" in the answer, but the server hangs up right after it.
    server = await raw_server(answering(OK, close=True))
    await send(pool, server)
    await asyncio.sleep(0.05)
    assert (pool.idle_connections, pool.open_connections) == (0, 0)


async def test_cancelling_mid_request_closes_the_connection(raw_server, pool):
    async def slow(reader, writer) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsu")
        await writer.drain()
        await reader.read()  # until the client hangs up

    server = await raw_server(slow)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await send(pool, server)
    await asyncio.sleep(0.05)
    assert (pool.open_connections, pool.idle_connections) == (0, 0)
    assert server.open_now == 0  # the server saw the hang-up


async def test_close_closes_parked_connections_and_later_requests_fail(raw_server):
    pool = ConnectionPool(limit=4)
    server = await raw_server(answering(OK))
    await send(pool, server)
    await pool.close()
    await asyncio.sleep(0.05)
    assert pool.open_connections == 0
    assert server.open_now == 0
    assert pool.closed


async def test_retries_after_hang_ups_keep_the_slot_count_right(raw_server):
    # Each answer is followed by a hang-up the client may or may not have noticed when
    # it sends the next request; either way the limit of one connection holds.
    pool = ConnectionPool(limit=1)
    server = await raw_server(answering(OK, close=True))
    try:
        for _ in range(5):
            answer = await asyncio.wait_for(send(pool, server), timeout=1)
            assert answer.body == b"success"
            assert pool.open_connections <= 1
        await asyncio.sleep(0.05)
        assert pool.open_connections == 0
    finally:
        await pool.close()
