"""The connection limit: waiting in line, and never losing a slot."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest
from wire_support import OK, answering, read_request, send
from yarl import URL

from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.wire import ConnectFailed, ConnectionPool, PoolClosed


def slow_answer(delay_s: float = 0.05):
    async def handle(reader, writer) -> None:
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            await asyncio.sleep(delay_s)
            writer.write(OK)
            await writer.drain()

    return handle


async def test_at_most_limit_connections_and_every_waiter_is_served(raw_server):
    pool = ConnectionPool(limit=2)
    server = await raw_server(slow_answer())
    try:
        answers = await asyncio.gather(*(send(pool, server) for _ in range(5)))
    finally:
        await pool.close()
    assert [a.body for a in answers] == [b"success"] * 5
    assert server.most_open == 2
    assert len(server.peers) == 2  # the waiters were handed the connections in turn


async def test_a_cancelled_waiter_does_not_leak_its_slot(raw_server):
    pool = ConnectionPool(limit=1)
    server = await raw_server(slow_answer(0.1))
    try:
        first = asyncio.create_task(send(pool, server))
        await asyncio.sleep(0.02)
        waiting = asyncio.create_task(send(pool, server))
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert (await first).body == b"success"
        assert (await asyncio.wait_for(send(pool, server), timeout=1)).body == b"success"
        assert pool.open_connections == 1
    finally:
        await pool.close()


async def test_a_waiter_cancelled_as_it_is_served_passes_the_connection_on(raw_server):
    # The race needs the hand-over and the cancellation in one step of the loop, which
    # only the pool's own check-out and check-in can arrange.
    pool = ConnectionPool(limit=1)
    server = await raw_server(answering(OK))
    key = pool._key(server.pin, server.url())
    try:
        await send(pool, server)  # a kept-alive connection, parked
        connection, reused = await pool._check_out(key, server.pin, 2.0)
        assert reused
        unlucky = asyncio.create_task(pool._check_out(key, server.pin, 2.0))
        await asyncio.sleep(0.01)  # now waiting in line
        pool._check_in(connection)  # handed to `unlucky`...
        unlucky.cancel()  # ...which is cancelled before it could take it
        with pytest.raises(asyncio.CancelledError):
            await unlucky
        assert (pool.open_connections, pool.idle_connections) == (1, 1)
        assert (await asyncio.wait_for(send(pool, server), timeout=1)).body == b"success"
        assert len(server.peers) == 1
    finally:
        await pool.close()


async def test_a_waiter_cancelled_as_it_gets_a_free_slot_frees_it(raw_server):
    pool = ConnectionPool(limit=1)
    server = await raw_server(answering(OK))
    key = pool._key(server.pin, server.url())
    try:
        connection, _ = await pool._check_out(key, server.pin, 2.0)
        unlucky = asyncio.create_task(pool._check_out(key, server.pin, 2.0))
        await asyncio.sleep(0.01)
        pool._check_in(connection)  # never used, so not reusable: closed, slot handed on
        unlucky.cancel()
        with pytest.raises(asyncio.CancelledError):
            await unlucky
        assert pool.open_connections == 0
        assert (await asyncio.wait_for(send(pool, server), timeout=1)).body == b"success"
    finally:
        await pool.close()


async def test_failed_connects_free_their_slots(raw_server):
    pool = ConnectionPool(limit=1)
    server = await raw_server(answering(OK))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    nobody = Pin("127.0.0.1", closed_port, (ipaddress.ip_address("127.0.0.1"),))
    try:
        for _ in range(3):
            with pytest.raises(ConnectFailed):
                await pool.request(
                    nobody,
                    "GET",
                    URL(f"http://127.0.0.1:{closed_port}/"),
                    {},
                    b"",
                    connect_timeout_s=1.0,
                    max_body_bytes=100,
                )
        assert pool.open_connections == 0
        assert (await send(pool, server)).body == b"success"
    finally:
        await pool.close()


async def test_at_the_limit_an_idle_connection_to_another_target_makes_room(raw_server):
    pool = ConnectionPool(limit=1)
    one, other = await raw_server(answering(OK)), await raw_server(answering(OK))
    try:
        await send(pool, one)
        assert pool.idle_connections == 1
        assert (await asyncio.wait_for(send(pool, other), timeout=1)).body == b"success"
        assert pool.open_connections == 1
        await asyncio.sleep(0.02)
        assert one.open_now == 0
    finally:
        await pool.close()


async def test_a_waiter_for_another_target_gets_the_slot_not_the_connection(raw_server):
    pool = ConnectionPool(limit=1)
    one, other = await raw_server(slow_answer(0.05)), await raw_server(answering(OK))
    try:
        first = asyncio.create_task(send(pool, one))
        await asyncio.sleep(0.01)
        answer = await asyncio.wait_for(send(pool, other), timeout=1)
        assert answer.body == b"success"
        await first
        assert pool.open_connections == 1
    finally:
        await pool.close()


async def test_closing_the_pool_fails_its_waiters(raw_server):
    pool = ConnectionPool(limit=1)
    server = await raw_server(slow_answer(0.05))
    first = asyncio.create_task(send(pool, server))
    await asyncio.sleep(0.01)
    waiting = asyncio.create_task(send(pool, server))
    await asyncio.sleep(0.01)
    await pool.close()
    with pytest.raises(PoolClosed):
        await waiting
    assert (await first).body == b"success"
    await asyncio.sleep(0.02)
    assert pool.open_connections == 0
