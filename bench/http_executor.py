"""HttpExecutor throughput against a bare aiohttp POST loop (not a test).

Both send the same signed-size JSON body to the same local aiohttp sink (run in its own
process so it does not share the client's event loop) at the same concurrency. The
executor does everything a real delivery does: re-checks the stored payload, vets the
host through the guard (cached), pins the address, signs, caps the read and judges the
answer (``body_equals: "success"``).

The bare loop is the "raw client" baseline: aiohttp's ClientSession doing nothing but
POST and read. The executor sends through its own HTTP/1.1 client
(``ringback.core.executors.http.wire``: asyncio protocols and llhttp), so it can beat
that baseline even with all its checks; a ratio below 1 means the client got slower.

    .venv/bin/python bench/http_executor.py [--requests 5000] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import aiohttp
from aiohttp import web

from ringback.core.executors.base import ResultKind
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import Job, JobKind, JobState

BODY = {
    "out_trade_no": "20260301000012345",
    "trade_no": "2026030122001400000000000001",
    "trade_status": "TRADE_SUCCESS",
    "total_amount": "128.00",
    "notify_time": "2026-03-01 08:00:00",
}


def serve_sink() -> None:
    """The receiver: answers ``success`` to every POST; prints its port, then serves."""

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="success")

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


async def in_parallel(total: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> float:
    """Run ``one(i)`` for i < total with ``concurrency`` workers; the rate per second."""
    counter = iter(range(total))

    async def worker() -> None:
        for index in counter:
            await one(index)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


async def bare_rate(url: str, total: int, concurrency: int) -> float:
    body = json.dumps(BODY, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=1000, limit_per_host=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(_index: int) -> None:
            async with session.post(url, data=body, headers=headers) as response:
                text = await response.text()
                assert response.status == 200 and text == "success"

        await in_parallel(min(total, 500), concurrency, one)  # warm the pool
        return await in_parallel(total, concurrency, one)


def _job(job_id: int, payload: dict[str, object]) -> Job:
    now = datetime.now(UTC)
    return Job(
        id=job_id,
        kind=JobKind.HTTP,
        queue="default",
        key=None,
        target=None,
        labels={},
        payload=payload,
        policy={},
        state=JobState.RUNNING,
        run_at=now,
        attempts=0,
        series=1,
        series_started_at=now,
        created_at=now,
        updated_at=now,
    )


async def executor_rate(url: str, total: int, concurrency: int) -> float:
    # Allowing the sink's name (not all private addresses) keeps the guard's full path
    # in the measurement: cached lookup, vetting, pinning.
    host = url.split("/")[2].rsplit(":", 1)[0]
    options = HttpOptions(signing_secret=generate_secret(), allowed_hosts=frozenset({host}))
    executor = HttpExecutor(options)
    prepared = executor.prepare({"url": url, "json": BODY, "success": {"body_equals": "success"}})
    jobs = [_job(i + 1, prepared.payload) for i in range(total)]

    async def one(index: int) -> None:
        result = await executor.execute(jobs[index])
        assert result.kind is ResultKind.SUCCESS, result.error

    try:
        await in_parallel(min(total, 500), concurrency, one)
        return await in_parallel(total, concurrency, one)
    finally:
        await executor.close()


async def compare(url: str, total: int, concurrency: int, rounds: int) -> None:
    bare, ours = 0.0, 0.0
    for _ in range(rounds):  # alternate, keep the best: the machine is shared
        bare = max(bare, await bare_rate(url, total, concurrency))
        ours = max(ours, await executor_rate(url, total, concurrency))
    print(f"requests={total} concurrency={concurrency} rounds={rounds}")
    print(f"bare aiohttp loop: {bare:8.0f} req/s")
    print(f"HttpExecutor:      {ours:8.0f} req/s")
    print(f"ratio:             {ours / bare:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--host", default="localhost", help="the sink's name in the URL")
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        serve_sink()
        return
    sink = subprocess.Popen([sys.executable, __file__, "--sink"], stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout is not None
        port = int(sink.stdout.readline())
        url = f"http://{args.host}:{port}/hook"
        asyncio.run(compare(url, args.requests, args.concurrency, args.rounds))
    finally:
        sink.terminate()
        sink.wait(timeout=10)


if __name__ == "__main__":
    main()
