"""Timing precision: how close to its due time does each job start?

``--jobs`` HTTP callbacks (2,000) are due over ``--spread`` seconds (20), their
``run_at`` spread evenly from now+2 s to now+22 s, delivered by ``ringback serve
--workers 2`` to the nginx sink. When all have succeeded, lateness = the first
attempt's ``started_at`` minus the job's ``run_at``, read back from the store.
Figures: p50/p99/max lateness in ms and the count of early starts.
Target: p99 <= 20 ms, none early.

Baseline, in the same run and before ringback starts: the same schedule walked by a
bare asyncio loop that sleeps until each due time and notes its own lateness, which
is the floor of what this machine's timers can do.

    .venv/bin/python -m bench.timing --jobs 2000 --spread 20 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.service import machine, serving, write_config
from bench.sink import free_port, nginx_sink
from ringback.core.jobs import JobKind, JobState, NewJob
from ringback.core.store.contract import JobFilter
from ringback.core.store.factory import open_store

ONCE = {"type": "schedule", "delays": ["0s"]}
LEAD_S = 2.0  # the first job is due this long after submission
BODY = '{"out_trade_no": "20261124000001", "trade_status": "TRADE_SUCCESS"}'


@dataclass(frozen=True)
class Lateness:
    """Start minus due, in milliseconds, one value per job."""

    values_ms: list[float]

    @property
    def early(self) -> int:
        return sum(1 for value in self.values_ms if value < 0)

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.values_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]

    def describe(self) -> str:
        return (
            f"p50 {statistics.median(self.values_ms):.2f} ms, "
            f"p99 {self.percentile_ms(0.99):.2f} ms, max {max(self.values_ms):.2f} ms, "
            f"min {min(self.values_ms):.2f} ms, early {self.early} of {len(self.values_ms)}"
        )


def offsets_s(count: int, spread_s: float) -> list[float]:
    """Due times relative to submission: evenly from LEAD_S to LEAD_S + spread_s."""
    step = spread_s / max(count - 1, 1)
    return [LEAD_S + index * step for index in range(count)]


async def bare_loop(offsets: Sequence[float]) -> Lateness:
    """Sleep until each due time in turn and note how late the loop woke."""
    start = time.time()
    values: list[float] = []
    for offset in offsets:
        due = start + offset
        wait_s = due - time.time()
        if wait_s > 0:
            await asyncio.sleep(wait_s)
        values.append((time.time() - due) * 1000)
    return Lateness(values)


async def through_ringback(config: Path, url: str, offsets: Sequence[float]) -> Lateness:
    """Submit the schedule to a running ``ringback serve`` and read back the starts."""
    with serving(config, no_api=True) as running:
        store = open_store(running.settings.store.url)
        await store.open()
        try:
            now = datetime.now(UTC)
            target = url.split("/")[2]
            jobs = [
                NewJob(
                    kind=JobKind.HTTP,
                    payload={"url": url, "method": "POST", "body": BODY},
                    policy=ONCE,
                    run_at=now + timedelta(seconds=offset),
                    target=target,
                )
                for offset in offsets
            ]
            results = await store.enqueue(jobs, datetime.now(UTC))
            if datetime.now(UTC) > jobs[0].run_at:
                raise SystemExit("enqueueing took longer than the lead time: lower --jobs")
            due = {result.job.id: result.job.run_at for result in results}
            finished = JobFilter(
                states=frozenset({JobState.SUCCEEDED, JobState.DEAD, JobState.CANCELLED})
            )
            deadline = time.monotonic() + LEAD_S + offsets[-1] + 60
            while await store.count_jobs(finished) < len(jobs):
                if time.monotonic() > deadline:
                    raise SystemExit("the jobs did not all finish within a minute of the last")
                await asyncio.sleep(0.25)
            succeeded = await store.count_jobs(JobFilter(states=frozenset({JobState.SUCCEEDED})))
            if succeeded != len(jobs):
                raise SystemExit(f"only {succeeded} of {len(jobs)} jobs succeeded")
            values = []
            for job_id, run_at in due.items():
                attempts = await store.list_attempts(job_id)
                values.append((attempts[0].started_at - run_at).total_seconds() * 1000)
        finally:
            await store.close()
    return Lateness(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2_000)
    parser.add_argument("--spread", type=float, default=20.0, help="seconds the jobs are due over")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    offsets = offsets_s(args.jobs, args.spread)
    baseline = asyncio.run(bare_loop(offsets))
    with nginx_sink() as url, tempfile.TemporaryDirectory(prefix="ringback-bench-") as folder:
        config = write_config(Path(folder), workers=args.workers, port=free_port())
        measured = asyncio.run(through_ringback(config, url, offsets))
    print(f"machine: {machine()}")
    print(f"schedule: {args.jobs} jobs due evenly from now+{LEAD_S:g}s over {args.spread:g}s")
    print(f"bare asyncio loop (floor): {baseline.describe()}")
    print(f"ringback serve --workers {args.workers}: {measured.describe()}")
    floor_p99 = max(baseline.percentile_ms(0.99), 0.001)
    print(f"p99 ratio ringback/floor: {measured.percentile_ms(0.99) / floor_p99:.1f}x")
    verdict = "met" if measured.percentile_ms(0.99) <= 20 and measured.early == 0 else "NOT met"
    print(f"target p99 <= 20 ms, none early: {verdict}")


if __name__ == "__main__":
    main()
