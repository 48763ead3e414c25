"""The minimum interval holds per source whoever asks: two workers on one store, a
manual trigger, a job submitted directly, and a backfill. A request earlier than
allowed is never sent; the bank never has to refuse one (its 1001 answer)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

from ringback.core.clock import FakeClock
from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter
from ringback.domain.statements import StatementLine
from ringback.domain.statements.pulls import PullStatus, pull_job_key
from ringback.domain.statements.pulls.pull_jobs import pull_job
from ringback.domain.statements.simulator import OK
from tests.integration.store_backends import Database

from .statements_env import (
    MIDNIGHT,
    TICK,
    Worker,
    bank_server,
    eventually,
    job_settled,
    line,
    statements_config,
    stored_pull,
    worker,
)

HALF_HOUR = timedelta(minutes=30)
DAYS = [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]


def files() -> dict[date, list[StatementLine]]:
    return {day: [line(n, 1000 * (n + 1)) for n in range(3)] for day in DAYS}


def spaced(times: list[datetime]) -> bool:
    return all(b - a >= HALF_HOUR for a, b in itertools.pairwise(times))


async def test_two_workers_a_manual_trigger_and_a_direct_job_share_one_interval(
    tmp_path: Path, database: Database
) -> None:
    clock = FakeClock(TICK)
    async with bank_server(clock, ready_at=MIDNIGHT, statements=files()) as bank:
        config = statements_config(bank.url, tmp_path, schedule="")
        source = config.source("bank")
        async with (
            worker(database, clock, config, name="host-a") as a,
            worker(database, clock, config, name="host-b") as b,
        ):
            first = await a.service.trigger("bank", DAYS[0])
            assert first.sends_at == TICK
            await job_settled(a.store, first.job.key or "", 1)
            assert bank.times() == [TICK]

            # Ten minutes later, by hand, on the other host: queued, not sent.
            clock.set(TICK + timedelta(minutes=10))
            manual = await b.service.trigger("bank", DAYS[1])
            assert manual.action == "queued"
            assert manual.sends_at == TICK + HALF_HOUR

            # A pull job submitted directly, due now: its attempt sends nothing.
            direct_key = pull_job_key("bank", DAYS[2])
            job = pull_job(
                source, DAYS[2], key=direct_key, run_at=clock.now(), deadline=TICK + 5 * HALF_HOUR
            )
            await b.store.enqueue([job], clock.now())
            blocked = await job_settled(b.store, direct_key, 1)
            assert blocked.state is JobState.SCHEDULED
            [attempt] = await b.store.list_attempts(blocked.id)
            assert attempt.error is not None
            assert "not sent: bank may be asked again at 2026-11-23T17:00:00Z" in attempt.error
            assert bank.times() == [TICK]

            clock.set(TICK + HALF_HOUR)  # the manual pull's slot
            await job_settled(a.store, manual.job.key or "", 1)
            clock.set(blocked.run_at)  # 17:10: the direct job tries again, too soon
            again = await job_settled(a.store, direct_key, 2)
            assert again.state is JobState.SCHEDULED
            clock.set(again.run_at)  # 17:40: allowed
            done = await job_settled(a.store, direct_key, 3)
            pulls = [await stored_pull(a.service, "bank", day) for day in DAYS]

    assert done.state is JobState.SUCCEEDED
    assert bank.times() == [TICK, TICK + HALF_HOUR, TICK + timedelta(minutes=70)]
    assert [r.code for r in bank.requests] == [OK] * 3
    assert all(p.status is PullStatus.RECEIVED for p in pulls)


async def test_two_pulls_due_at_the_same_instant_on_two_workers_send_one_request(
    tmp_path: Path, database: Database
) -> None:
    clock = FakeClock(TICK - timedelta(minutes=1))
    async with bank_server(clock, ready_at=MIDNIGHT, statements=files()) as bank:
        config = statements_config(bank.url, tmp_path, schedule="")
        source = config.source("bank")
        async with (
            worker(database, clock, config, name="host-a") as a,
            worker(database, clock, config, name="host-b"),
        ):
            keys = [pull_job_key("bank", day) for day in DAYS]
            await a.store.enqueue(
                [
                    pull_job(source, day, key=key, run_at=TICK, deadline=TICK + 4 * HALF_HOUR)
                    for day, key in zip(DAYS, keys, strict=True)
                ],
                clock.now(),
            )
            clock.set(TICK)
            for key in keys:
                await job_settled(a.store, key, 1)
            await asyncio.sleep(0.02)
            assert bank.times() == [TICK]  # one of three went; two were held back
            for _ in range(6):
                clock.set(clock.now() + HALF_HOUR)
                await asyncio.sleep(0.02)
                await eventually(lambda: _none_running(a), what="attempts at this step finished")
            states = [(await a.store.get_job_by_key(key)) for key in keys]

    assert all(job is not None and job.state is JobState.SUCCEEDED for job in states)
    assert len(bank.times()) == 3
    assert spaced(bank.times())
    assert [r.code for r in bank.requests] == [OK] * 3


async def _none_running(w: Worker) -> bool:
    page = await w.store.list_jobs(JobFilter(states=frozenset({JobState.RUNNING})), limit=5)
    return not page.jobs


async def test_backfill_queues_each_date_one_interval_apart(tmp_path: Path) -> None:
    clock = FakeClock(TICK)
    async with bank_server(clock, ready_at=MIDNIGHT, statements=files()) as bank:
        config = statements_config(bank.url, tmp_path, schedule="")
        async with worker(tmp_path / "rb.db", clock, config) as w:
            made = await w.service.backfill("bank", DAYS[0], DAYS[-1])
            assert [t.action for t in made] == ["queued"] * 3
            assert [t.sends_at for t in made] == [TICK, TICK + HALF_HOUR, TICK + 2 * HALF_HOUR]
            for n, trigger in enumerate(made):
                clock.set(TICK + n * HALF_HOUR)
                await job_settled(w.store, trigger.job.key or "", 1)
            # Asking again for the range: every date is already received.
            clock.set(TICK + 3 * HALF_HOUR)
            again = await w.service.backfill("bank", DAYS[0], DAYS[-1])
            listing = await w.service.list_pulls(source="bank")

    assert bank.times() == [TICK, TICK + HALF_HOUR, TICK + 2 * HALF_HOUR]
    assert [t.action for t in again] == ["received"] * 3
    assert [pull.day for pull, _ in listing.rows] == DAYS[::-1]
    assert all(job is not None and job.state is JobState.SUCCEEDED for _, job in listing.rows)


async def test_a_manual_trigger_moves_a_waiting_pull_forward_only_to_the_allowed_moment(
    tmp_path: Path,
) -> None:
    clock = FakeClock(TICK)
    async with bank_server(clock, ready_at=TICK + timedelta(hours=5), statements=files()) as bank:
        config = statements_config(bank.url, tmp_path, schedule="", min_interval="10m")
        async with worker(tmp_path / "rb.db", clock, config) as w:
            first = await w.service.trigger("bank", DAYS[0])
            job = await job_settled(w.store, first.job.key or "", 1)
            assert job.run_at == TICK + timedelta(minutes=10)
            clock.set(TICK + timedelta(minutes=4))
            # Already queued for the first allowed moment: nothing to move.
            same = await w.service.trigger("bank", DAYS[0])
            assert (same.action, same.sends_at) == ("already queued", TICK + timedelta(minutes=10))
    assert bank.times() == [TICK]
