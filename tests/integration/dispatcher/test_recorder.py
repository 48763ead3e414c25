"""Outcomes are written once, even when the final flush at shutdown meets a flush
already under way."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ringback.core.clock import FakeClock
from ringback.core.dispatcher.decide import decide_outcome
from ringback.core.dispatcher.recorder import OutcomeRecorder
from ringback.core.executors.base import ExecutionResult, ResultKind
from ringback.core.jobs import JobState
from ringback.core.policies import parse_policy
from ringback.core.store.sqlite import SqliteStore

from .conftest import T0, http_job

ONCE = {"type": "schedule", "delays": ["0s"]}


async def test_two_flushes_at_once_record_each_attempt_once(
    store: SqliteStore, clock: FakeClock
) -> None:
    results = await store.enqueue([http_job("http://a.example/n", ONCE, T0) for _ in range(50)], T0)
    claimed = await store.claim(worker="w", now=T0, limit=50, lease=timedelta(seconds=60))
    assert len(claimed) == len(results)
    recorder = OutcomeRecorder(store, clock, [], batch_size=10, flush_delay_s=0)
    success = ExecutionResult(ResultKind.SUCCESS, status_code=200)
    for job in claimed:
        outcome = decide_outcome(
            job, success, policy=parse_policy(ONCE), worker="w", started_at=T0, finished_at=T0
        )
        recorder.add(job, outcome)

    assert await asyncio.gather(recorder.flush(), recorder.flush()) == [True, True]

    for job in claimed:
        assert len(await store.list_attempts(job.id)) == 1
        stored = await store.get_job(job.id)
        assert stored is not None and stored.state is JobState.SUCCEEDED
