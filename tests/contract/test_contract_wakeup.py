"""wait_for_jobs: woken by changes made through another store instance, else times out.

A store may need one call to start listening (the SQLite store's first call binds its
socket and returns at once), so each test first primes the waiter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from contract_support import LEASE, T0, Backend, enqueue_one, new_job

from ringback.core.store.contract import Store

WOKEN_WITHIN_S = 5.0


async def _primed_waiter(backend: Backend) -> Store:
    waiter = await backend.open_store()
    await waiter.wait_for_jobs(0.01)
    return waiter


async def test_times_out_when_nothing_changes(backend: Backend) -> None:
    waiter = await _primed_waiter(backend)
    assert await waiter.wait_for_jobs(0.2) is False


async def _enqueue(other: Store) -> None:
    await other.enqueue([new_job(1)], T0)


async def _reschedule(other: Store) -> None:
    job = await enqueue_one(other, run_at=T0 + timedelta(hours=1))
    await asyncio.sleep(0)
    await other.reschedule(job.id, T0, T0)


async def _release(other: Store) -> None:
    job = await enqueue_one(other)
    await other.claim(worker="w1", now=T0, limit=1, lease=LEASE)
    await other.release(worker="w1", job_ids=[job.id], run_at=T0, now=T0)


async def _retry(other: Store) -> None:
    job = await enqueue_one(other)
    await other.cancel(job.id, T0)
    await other.retry(job.id, T0, T0)


@pytest.mark.parametrize("change", [_enqueue, _reschedule, _release, _retry])
async def test_woken_by_another_instance(
    backend: Backend, change: Callable[[Store], Awaitable[None]]
) -> None:
    waiter = await _primed_waiter(backend)
    other = await backend.open_store()
    waiting = asyncio.create_task(waiter.wait_for_jobs(WOKEN_WITHIN_S))
    await asyncio.sleep(0.05)
    assert not waiting.done()

    await change(other)
    assert await asyncio.wait_for(waiting, WOKEN_WITHIN_S) is True


async def test_a_change_between_waits_is_not_lost(backend: Backend) -> None:
    waiter = await _primed_waiter(backend)
    other = await backend.open_store()
    await other.enqueue([new_job(1)], T0)
    await asyncio.sleep(0.05)  # the signal is sent while nobody is waiting
    assert await asyncio.wait_for(waiter.wait_for_jobs(WOKEN_WITHIN_S), WOKEN_WITHIN_S) is True


async def test_woken_by_its_own_enqueue(store: Store) -> None:
    await store.wait_for_jobs(0.01)
    waiting = asyncio.create_task(store.wait_for_jobs(WOKEN_WITHIN_S))
    await asyncio.sleep(0.02)
    await store.enqueue([new_job(1)], T0)
    assert await asyncio.wait_for(waiting, WOKEN_WITHIN_S) is True
