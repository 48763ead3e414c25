"""The raw-client baselines of the delivery benchmarks: bare POST loops, no queue.

Each runs in ``processes`` processes at once (the same number as the worker processes
it is compared with), on uvloop like ringback's workers, and sends its share of
``count`` POSTs at ``concurrency`` per process. The rate is count / (last process done
- common start), so a figure says what that client does on this machine, with these
cores, against the same receiver.

* ``aiohttp``: a bare ``ClientSession.post`` loop (the ceiling the issue names);
* ``wire``: ringback's own HTTP/1.1 client (``ConnectionPool``), with no guard,
  signing, judging or store: the most a ringback worker could deliver here.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from multiprocessing.synchronize import Event

import aiohttp
from yarl import URL

from ringback.core.executors.http.addresses import parse_ip
from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.wire import ConnectionPool
from ringback.interfaces.runtime.loop import run

HEADERS = {"content-type": "application/json", "user-agent": "ringback-bench"}


async def _aiohttp_loop(url: str, count: int, concurrency: int, body: bytes) -> None:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        remaining = iter(range(count))

        async def one_at_a_time() -> None:
            for _ in remaining:
                async with session.post(url, data=body, headers=HEADERS) as response:
                    await response.read()

        await asyncio.gather(*(one_at_a_time() for _ in range(concurrency)))


async def _wire_loop(url: str, count: int, concurrency: int, body: bytes) -> None:
    target = URL(url)
    host = target.raw_host or ""
    address = parse_ip(host)
    assert address is not None, "the sink listens on an IP literal"
    pin = Pin(host, target.port or 80, (address,))
    pool = ConnectionPool(limit=concurrency)
    remaining = iter(range(count))

    async def one_at_a_time() -> None:
        for _ in remaining:
            answer = await pool.request(
                pin, "POST", target, HEADERS, body, connect_timeout_s=5, max_body_bytes=65536
            )
            assert answer.status == 200

    try:
        await asyncio.gather(*(one_at_a_time() for _ in range(concurrency)))
    finally:
        await pool.close()


def _process(
    client: str,
    url: str,
    count: int,
    concurrency: int,
    body: bytes,
    start_at_s: float,
    ready: Event,
    finished: multiprocessing.Queue[float],
) -> None:
    loop_fn = _wire_loop if client == "wire" else _aiohttp_loop
    ready.set()
    time.sleep(max(0.0, start_at_s - time.time()))
    run(loop_fn(url, count, concurrency, body))
    finished.put(time.time())


def ceiling(
    client: str, url: str, *, count: int, processes: int, concurrency: int, body: bytes
) -> float:
    """POSTs per second from ``processes`` bare ``client`` loops ("aiohttp" or "wire")."""
    context = multiprocessing.get_context("spawn")
    finished: multiprocessing.Queue[float] = context.Queue()
    readies = [context.Event() for _ in range(processes)]
    start_at_s = time.time() + 3  # after every process has started and imported
    shares = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
    workers = [
        context.Process(
            target=_process,
            args=(client, url, share, concurrency, body, start_at_s, readies[i], finished),
        )
        for i, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    for ready in readies:
        if not ready.wait(30):
            raise RuntimeError("a baseline process did not start")
    if time.time() >= start_at_s:
        raise RuntimeError("the baseline processes started late; raise the head start")
    ends = [finished.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"a {client} baseline process failed ({worker.exitcode})")
    return count / (max(ends) - start_at_s)
