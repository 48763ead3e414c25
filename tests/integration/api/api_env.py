"""The API under test: the real app on a real uvicorn server on loopback, over a real
SQLite file, with a fake clock (named uniquely: tests have no packages)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from ringback.core.clock import FakeClock
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import Attempt, AttemptOutcome, JobKind, JobState, Outcome
from ringback.core.service import JobService
from ringback.core.store.sqlite import SqliteStore
from ringback.interfaces.api import create_app

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
TOKEN = "test-token-0123456789abcdef"
URL = "https://shop.example/notify"


@dataclass
class ApiEnv:
    url: str
    token: str
    store: SqliteStore
    clock: FakeClock
    service: JobService
    http: httpx.AsyncClient  # authorised
    app: FastAPI


@contextlib.asynccontextmanager
async def running_api(db_path: Path, *, serve: bool) -> AsyncIterator[ApiEnv]:
    """The app over a fresh store; on a real uvicorn server on port 0 when ``serve``,
    else called in-process through ``httpx.ASGITransport`` (for checks where a socket
    adds nothing and start-up time would dominate)."""
    store = SqliteStore(db_path)
    await store.open()
    clock = FakeClock(START)
    executor = HttpExecutor(HttpOptions(signing_secret=generate_secret()))
    service = JobService(store, clock, {JobKind.HTTP: executor})
    app = create_app(service, token=TOKEN)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        if serve:
            async with served(app) as url, httpx.AsyncClient(base_url=url, headers=headers) as http:
                yield ApiEnv(url, TOKEN, store, clock, service, http, app)
        else:
            url = "http://ringback.test"
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                base_url=url, headers=headers, transport=transport
            ) as http:
                yield ApiEnv(url, TOKEN, store, clock, service, http, app)
    finally:
        await executor.close()
        await store.close()


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Run ``app`` on uvicorn on 127.0.0.1, any free port; yield its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # start-up failed: raise why
            await asyncio.sleep(0.005)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def record_attempt(env: ApiEnv, job_id: int, *, dead: bool) -> None:
    """Claim the due job and record one failed attempt, as a worker would."""
    now = env.clock.now()
    [claimed] = await env.store.claim(worker="w1", now=now, limit=1, lease=timedelta(minutes=1))
    assert claimed.id == job_id
    finished = now + timedelta(milliseconds=1500)
    attempt = Attempt(
        job_id=job_id,
        series=claimed.series,
        number=claimed.attempts + 1,
        started_at=now,
        finished_at=finished,
        outcome=AttemptOutcome.GAVE_UP if dead else AttemptOutcome.RETRY,
        worker="w1",
        status_code=500,
        response_excerpt="fail",
        error="HTTP 500",
    )
    outcome = Outcome(
        job_id=job_id,
        worker="w1",
        attempt=attempt,
        state=JobState.DEAD if dead else JobState.SCHEDULED,
        run_at=None if dead else finished + timedelta(minutes=2),
        last_error="HTTP 500",
    )
    assert await env.store.record_outcomes([outcome], finished) == {job_id}
