"""Processes die; jobs do not. Real `ringback serve` trees, real SIGKILL and SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

import httpx
import pytest

from ringback.interfaces.client import AsyncClient

from .conftest import Receiver, Service

pytestmark = pytest.mark.slow

ONCE_THEN_RETRY = {
    "type": "exponential",
    "base": "1s",
    "factor": 1,
    "cap": "1s",
    "max_attempts": 50,
}


async def submit_many(service: Service, receiver: Receiver, count: int) -> list[int]:
    async with AsyncClient(service.url, service.token) as client:
        ids = []
        for n in range(count):
            submitted = await client.submit(
                {"url": receiver.url, "method": "POST", "json": {"n": n}},
                policy=ONCE_THEN_RETRY,
                key=f"job-{n}",
            )
            ids.append(submitted.job.id)
        return ids


async def wait_all_delivered(receiver: Receiver, keys: list[str], timeout_s: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while any(receiver.deliveries[k] == 0 for k in keys):
        missing = [k for k in keys if receiver.deliveries[k] == 0]
        assert loop.time() < deadline, f"never delivered: {missing[:10]} ({len(missing)})"
        await asyncio.sleep(0.05)


async def test_kill_9_everything_with_jobs_in_flight_then_restart(
    make_service: Callable[..., Service], receiver: Receiver
) -> None:
    receiver.delay_s = 0.5  # keep attempts in flight when the power goes
    service = make_service(workers=2, lease="2s")
    service.start()
    await service.wait_ready()
    keys = [f"job-{n}" for n in range(40)]
    await submit_many(service, receiver, len(keys))
    await asyncio.sleep(0.2)
    in_flight_at_kill = {k for k, n in receiver.started.items() if n}
    service.kill_all()

    service.start()
    await service.wait_ready()
    await wait_all_delivered(receiver, keys)
    twice = {k for k, n in receiver.deliveries.items() if n > 1}
    # Only attempts that were under way when everything died may run again.
    assert twice <= in_flight_at_kill
    assert all(receiver.deliveries[k] <= 2 for k in keys)
    service.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    assert await service.wait_exit() == 0


async def test_a_killed_worker_is_replaced_and_its_jobs_run(
    make_service: Callable[..., Service], receiver: Receiver
) -> None:
    receiver.delay_s = 0.3
    service = make_service(workers=2, lease="2s")
    service.start()
    before = await service.wait_ready()
    keys = [f"job-{n}" for n in range(30)]
    await submit_many(service, receiver, len(keys))
    await asyncio.sleep(0.1)
    victim = next(c for c in before.children if c.name == "worker-1")
    assert victim.pid is not None
    in_flight_at_kill = {k for k, n in receiver.started.items() if n}
    os.kill(victim.pid, signal.SIGKILL)

    await wait_all_delivered(receiver, keys)
    after = await service.wait_ready()
    replaced = next(c for c in after.children if c.name == "worker-1")
    assert replaced.pid != victim.pid
    assert replaced.restarts >= 1
    assert after.master_pid == before.master_pid  # the master stayed up
    twice = {k for k, n in receiver.deliveries.items() if n > 1}
    assert twice <= in_flight_at_kill
    service.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    assert await service.wait_exit() == 0


async def test_sigterm_during_work_finishes_or_hands_back_and_exits_0(
    make_service: Callable[..., Service], receiver: Receiver
) -> None:
    receiver.delay_s = 0.4
    service = make_service(workers=1, lease="30s", grace="5s")
    service.start()
    await service.wait_ready()
    keys = [f"job-{n}" for n in range(20)]
    ids = await submit_many(service, receiver, len(keys))
    await asyncio.sleep(0.1)
    service.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    assert await service.wait_exit() == 0

    # Every job is finished or due again (not stuck under a lease for 30 s).
    service.start()
    await service.wait_ready()
    async with AsyncClient(service.url, service.token) as client:
        for job_id in ids:
            job = (await client.get_job(job_id)).job
            assert job.state in ("succeeded", "scheduled", "running"), job
    await wait_all_delivered(receiver, keys, timeout_s=20)
    service.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    assert await service.wait_exit() == 0


async def test_sighup_replaces_workers_without_a_failed_request(
    make_service: Callable[..., Service], receiver: Receiver
) -> None:
    service = make_service(workers=2)
    service.start()
    before = await service.wait_ready()
    failures: list[str] = []
    stop = asyncio.Event()

    async def keep_calling() -> int:
        calls = 0
        async with httpx.AsyncClient(base_url=service.url, timeout=10) as http:
            while not stop.is_set():
                try:
                    answer = await http.get("/healthz")
                    if answer.status_code != 200:
                        failures.append(f"HTTP {answer.status_code}")
                except httpx.HTTPError as error:
                    failures.append(repr(error))
                calls += 1
                await asyncio.sleep(0.01)
        return calls

    caller = asyncio.create_task(keep_calling())
    await asyncio.sleep(0.2)
    service.process.send_signal(signal.SIGHUP)  # type: ignore[union-attr]
    old_pids = {c.pid for c in before.children}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        report = service.status()
        pids = {c.pid for c in report.children}
        if report.children and not pids & old_pids and all(c.ready for c in report.children):
            break
        assert loop.time() < deadline, f"children not replaced: {report}"
        await asyncio.sleep(0.05)
    stop.set()
    calls = await caller
    assert calls > 10
    assert failures == []
    keys = ["after-reload"]
    async with AsyncClient(service.url, service.token) as client:
        await client.submit({"url": receiver.url, "method": "POST"}, key=keys[0])
    await wait_all_delivered(receiver, keys)
    service.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    assert await service.wait_exit() == 0


async def test_workers_recycled_after_max_jobs_lose_nothing(
    make_service: Callable[..., Service], receiver: Receiver
) -> None:
    service = make_service(workers=1, max_jobs=5)
    service.start()
    first = await service.wait_ready()
    keys = [f"job-{n}" for n in range(23)]
    await submit_many(service, receiver, len(keys))
    await wait_all_delivered(receiver, keys)
    assert all(receiver.deliveries[k] == 1 for k in keys)  # a recycle is not a crash
    report = await service.wait_ready()
    worker = next(c for c in report.children if c.name == "worker-1")
    assert worker.restarts >= 4
    # Recycling (exit 75), not dying; a recycle within 1 s of start is still counted
    # as a crash by the supervisor's tight-loop guard, so crashes are not asserted.
    assert worker.last_exit_code == 75
    assert worker.pid != next(c.pid for c in first.children if c.name == "worker-1")
    service.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    assert await service.wait_exit() == 0
