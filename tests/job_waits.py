"""Waiting, in real time and briefly, for a job in a store to reach a state."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ringback.core.jobs import Job, JobState
from ringback.core.store.contract import Store


async def wait_for(
    store: Store, job_id: int, check: Callable[[Job], bool], timeout_s: float = 5.0
) -> Job:
    """Poll the store (in real time, briefly) until the job satisfies ``check``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        job = await store.get_job(job_id)
        assert job is not None
        if check(job):
            return job
        if loop.time() > deadline:
            raise AssertionError(f"job {job_id} never got there; now {job}")
        await asyncio.sleep(0.005)


def is_final(job: Job) -> bool:
    return job.state.is_final


def is_state(state: JobState) -> Callable[[Job], bool]:
    return lambda job: job.state is state
