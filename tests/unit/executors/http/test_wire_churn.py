"""The pool under churn: many requests at once against a receiver that misbehaves at
random (closes after answering, hangs up without answering, answers slowly, cuts a
body short), with callers cancelled mid-way. Whatever happens to each request, the
pool's books must balance: no slot leaked, never more open than the limit, and every
request ends in an answer or a WireError."""

from __future__ import annotations

import asyncio
import random

import pytest
from wire_support import MakeRawServer, RawHandler, read_request, send

from ringback.core.executors.http.wire import ConnectionPool, WireError

LIMIT = 4
REQUESTS = 240
CALLERS = 16
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess"


def _misbehaving(seed: int) -> RawHandler:
    chance = random.Random(seed)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            roll = chance.random()
            if roll < 0.1:
                return  # hang up without answering
            if roll < 0.2:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort")
                await writer.drain()
                return  # the body is cut off
            if roll < 0.3:
                await asyncio.sleep(0.01)  # slow, but answers
            writer.write(OK)
            await writer.drain()
            if roll > 0.85:
                return  # answered, then closed (the next use must notice)

    return handle


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_books_balance_after_churn(raw_server: MakeRawServer, seed: int) -> None:
    server = await raw_server(_misbehaving(seed))
    pool = ConnectionPool(limit=LIMIT)
    outcomes: dict[str, int] = {"answer": 0, "wire error": 0, "cancelled": 0}
    chance = random.Random(seed)
    remaining = iter(range(REQUESTS))
    most_open = 0

    async def one() -> None:
        nonlocal most_open
        attempt = asyncio.ensure_future(send(pool, server))
        if chance.random() < 0.1:
            await asyncio.sleep(chance.random() / 200)
            attempt.cancel()  # a caller's timeout, at any point of the exchange
        try:
            answer = await attempt
        except asyncio.CancelledError:
            outcomes["cancelled"] += 1
        except WireError:
            outcomes["wire error"] += 1
        else:
            assert answer.status == 200 and answer.body == b"success"
            outcomes["answer"] += 1
        most_open = max(most_open, pool.open_connections)

    async def caller() -> None:
        for _ in remaining:
            await one()

    try:
        async with asyncio.timeout(20):  # a leaked slot shows as callers waiting for ever
            await asyncio.gather(*(caller() for _ in range(CALLERS)))
        await asyncio.sleep(0.05)  # let closes the receiver started reach the pool
        assert sum(outcomes.values()) == REQUESTS
        assert outcomes["answer"] > REQUESTS // 2
        assert most_open <= LIMIT
        # (The receiver's own count may run past LIMIT for a moment: it notices a
        # connection the pool aborted only when its next read fails.)
        # Nothing is in use now: every open connection is a parked one.
        assert pool.open_connections == pool.idle_connections <= LIMIT
        # And the pool still works (the receiver still misbehaves now and then).
        answers = []
        for _ in range(10):
            try:
                answers.append(await send(pool, server))
            except WireError:
                continue
        assert answers and all(answer.status == 200 for answer in answers)
        assert pool.open_connections == pool.idle_connections <= LIMIT
    finally:
        await pool.close()
    assert pool.idle_connections == 0
