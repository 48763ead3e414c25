"""A night with the simulated bank over real loopback HTTP and an injected clock.

The daily pull asks at 00:30 Shanghai, is told "not ready" (系统错误), asks again exactly
30 minutes later each time, gets the file at the first request after the bank's ready
time, and stops. Or, when the file never comes, gives up at the 12:00 deadline: the pull
is marked failed, the dead job raises the usual alert, and it can be pulled again by hand.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from ringback.core.clock import FakeClock
from ringback.core.jobs import AttemptOutcome, JobState
from ringback.core.store.contract import JobFilter
from ringback.domain.statements.pulls import PullStatus, pull_job_key
from ringback.domain.statements.simulator import NOT_READY, OK

from .statements_env import (
    DAY,
    DEADLINE,
    MIDNIGHT,
    TICK,
    RecordingHooks,
    bank_server,
    eventually,
    job_settled,
    line,
    statements_config,
    stored_pull,
    worker,
)

HALF_HOUR = timedelta(minutes=30)
LINES = [line(1, 8888), line(2, 120000), line(3, -1200, "refunded", order_no="T20261123000001")]


async def test_the_pull_asks_every_30_minutes_until_the_file_is_ready_then_stops(
    tmp_path: Path,
) -> None:
    clock = FakeClock(MIDNIGHT)
    ready_at = MIDNIGHT + timedelta(hours=2, minutes=10)  # 02:10 Shanghai
    hooks = RecordingHooks()
    key = pull_job_key("bank", DAY)
    async with bank_server(clock, ready_at=ready_at, statements={DAY: LINES}) as bank:
        config = statements_config(bank.url, tmp_path)
        async with worker(tmp_path / "rb.db", clock, config, hooks=hooks) as w:
            await eventually(lambda: w.scheduler.checked_at == MIDNIGHT, what="first pass")
            clock.set(TICK - timedelta(seconds=1))
            clock.set(TICK)
            attempts = 1
            job = await job_settled(w.store, key, attempts)
            while job.state is JobState.SCHEDULED:
                assert job.run_at == clock.now() + HALF_HOUR  # exactly the interval
                clock.set(job.run_at)
                attempts += 1
                job = await job_settled(w.store, key, attempts)
            # Hours later nothing more is asked.
            clock.set(TICK + timedelta(hours=6))
            await asyncio.sleep(0.05)
            pull = await stored_pull(w.service, "bank", DAY)

    expected = [TICK + n * HALF_HOUR for n in range(5)]  # 00:30 … 02:30
    assert bank.times() == expected
    assert [r.code for r in bank.requests] == [NOT_READY] * 4 + [OK]
    assert {r.day for r in bank.requests} == {"2026-11-23"}
    assert job.state is JobState.SUCCEEDED
    assert pull.status is PullStatus.RECEIVED
    assert pull.requests == 5
    assert pull.last_request_at == expected[-1]
    assert pull.received is not None
    assert pull.received.lines == 3
    assert pull.received.total_minor == 8888 + 120000 - 1200
    assert pull.received.name == "对账单_20261123.txt"
    assert pull.received.encoding in ("gbk", "gb18030")
    assert hooks.pulls == [("bank", "not_ready")] * 4 + [("bank", "ready")]


async def test_at_the_deadline_the_pull_gives_up_is_marked_failed_and_alerted(
    tmp_path: Path,
) -> None:
    clock = FakeClock(TICK)
    never = MIDNIGHT + timedelta(days=30)
    hooks = RecordingHooks()
    key = pull_job_key("bank", DAY)
    async with (
        bank_server(clock, ready_at=never, statements={DAY: LINES}) as bank,
        bank_server(clock, ready_at=never, statements={}) as alert_receiver,
    ):
        config = statements_config(bank.url, tmp_path)
        path = tmp_path / "rb.db"
        async with worker(path, clock, config, hooks=hooks, alert_url=alert_receiver.url) as w:
            trigger = await w.service.trigger("bank", DAY)  # as the 00:30 tick would
            assert trigger.sends_at == TICK
            attempts = 1
            job = await job_settled(w.store, key, attempts)
            while job.state is JobState.SCHEDULED:
                clock.set(job.run_at)
                attempts += 1
                job = await job_settled(w.store, key, attempts)
            await eventually(
                lambda: hooks.pulls[-1:] == [("bank", "gave_up")], what="pull marked failed"
            )
            pull = await stored_pull(w.service, "bank", DAY)
            alerts = await w.store.list_jobs(
                JobFilter(label=("ringback.alert_for", str(job.id))), limit=5
            )

            # Retry by hand: a new job, queued for the first allowed moment.
            clock.set(DEADLINE + timedelta(minutes=5))
            again = await w.service.trigger("bank", DAY)

    times = bank.times()
    assert times[0] == TICK and times[-1] == DEADLINE  # 00:30 to 12:00 inclusive
    assert times == [TICK + n * HALF_HOUR for n in range(len(times))]
    assert len(times) == 24
    assert job.state is JobState.DEAD
    assert pull.status is PullStatus.FAILED
    assert pull.error is not None and "deadline" in pull.error
    assert len(alerts.jobs) == 1  # the dead-job alert
    assert again.action == "again"
    assert again.sends_at == DEADLINE + HALF_HOUR  # 30 minutes after the last request
    assert again.pull.status is PullStatus.SCHEDULED
    assert again.job.key == pull_job_key("bank", DAY, again=1)


async def test_every_attempt_is_in_the_jobs_log(tmp_path: Path) -> None:
    clock = FakeClock(TICK)
    ready_at = TICK + timedelta(minutes=45)
    key = pull_job_key("bank", DAY)
    async with bank_server(clock, ready_at=ready_at, statements={DAY: LINES}) as bank:
        config = statements_config(bank.url, tmp_path)
        async with worker(tmp_path / "rb.db", clock, config) as w:
            await w.service.trigger("bank", DAY)
            job = await job_settled(w.store, key, 1)
            clock.set(job.run_at)
            job = await job_settled(w.store, key, 2)
            clock.set(job.run_at)
            job = await job_settled(w.store, key, 3)
            detail = await w.service.show("bank", DAY)
    [only] = detail.jobs
    outcomes = [a.outcome for a in only.attempts]
    assert outcomes == [AttemptOutcome.RETRY, AttemptOutcome.RETRY, AttemptOutcome.SUCCESS]
    assert [a.started_at for a in only.attempts] == [TICK, TICK + HALF_HOUR, TICK + 2 * HALF_HOUR]
    assert only.attempts[0].error is not None
    assert only.attempts[0].error.startswith("not_ready: HTTP 200")
    assert "系统错误" in only.attempts[0].error
    assert "file" not in (only.attempts[-1].error or "")
    assert detail.gate.last_request_at == TICK + 2 * HALF_HOUR
    assert detail.next_allowed_at == TICK + 3 * HALF_HOUR
    assert len(bank.requests) == 3
