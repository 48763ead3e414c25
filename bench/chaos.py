"""Chaos: callbacks keep being delivered while processes die under them.

``--jobs`` HTTP callbacks (100,000), each with its own idempotency key (so its
``webhook-id`` is that key), are enqueued through the SQLite store; then ``ringback
serve --workers 2`` delivers them to the nginx sink while

* every ``--kill-every`` seconds (2) a ready worker is SIGKILLed (the master
  replaces it), and
* once, when ``--power-cut-at`` of the jobs (40 %) have succeeded, the master and all
  its children are SIGKILLed together like a power cut, and serve is started again
  on the same store. Worker kills go on until every job is finished.

nginx logs every request it answers with its ``webhook-id`` and the time
(``bench.sink.DELIVERY_LOG``); it is never killed, so its log is the receiver's
truth. Figures: delivered (distinct ids answered), lost (jobs never delivered: must
be 0), duplicated (ids delivered more than once) and how many of those were in
flight at a kill (a kill came before the next delivery and within
``--in-flight-window`` of the first, before its outcome could be recorded), the
store's view (every job succeeded), and the time to drain from the first start.

The lease (``--lease``, 5s) bounds how long a killed worker's jobs wait before they
are claimed again; the restart backoff is capped (``--backoff-max``, 1s) so that a
worker killed every few seconds keeps coming back.

    .venv/bin/python -m bench.chaos --jobs 100000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.service import Running, machine, power_cut, serving, write_config
from bench.sink import free_port, nginx_sink
from ringback.core.jobs import JobKind, JobState, NewJob
from ringback.core.store.contract import JobFilter, Store
from ringback.core.store.factory import open_store
from ringback.core.supervisor.state import read_status

POLICY = {"type": "schedule", "delays": ["0s", "1s", "5s", "10s", "30s"]}
BODY = '{"out_trade_no": "%s", "total_amount": "88.88", "trade_status": "TRADE_SUCCESS"}'
KEY_PREFIX = "chaos-"
POLL_S = 0.1
# nginx stamps a line when it has answered; the worker sent the request a little
# earlier. A kill this close before the first stamp still caught the job in flight.
IN_FLIGHT_SLACK_S = 0.05
FINAL = frozenset({JobState.SUCCEEDED, JobState.DEAD, JobState.CANCELLED})


@dataclass(frozen=True)
class Kill:
    at: float  # time.time()
    what: str  # "worker" or "power cut"
    pid: int


@dataclass
class Run:
    jobs: int
    started: float = 0.0  # time.time() when serve was first started
    drained: float = 0.0
    restart_s: float = 0.0  # from the power cut until the new tree was ready
    timed_out: bool = False
    kills: list[Kill] = field(default_factory=list)


def ready_workers(running: Running) -> list[int]:
    """Pids of ready workers that are still children of this master."""
    report = read_status(running.settings.data_path / "state")
    pids = [c.pid for c in report.children if c.pid and c.ready and c.name.startswith("worker")]
    return [pid for pid in pids if parent_of(pid) == running.process.pid]


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the parent pid follows its ")".
    return int(stat.rsplit(")", 1)[1].split()[1])


def kill_a_worker(running: Running, run: Run) -> None:
    candidates = ready_workers(running)
    if not candidates:
        return
    pid = random.choice(candidates)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    run.kills.append(Kill(time.time(), "worker", pid))


async def enqueue_all(store: Store, url: str, count: int) -> None:
    target = url.split("/")[2]
    for start in range(0, count, 5_000):
        now = datetime.now(UTC)
        jobs = [
            NewJob(
                kind=JobKind.HTTP,
                payload={
                    "url": url,
                    "method": "POST",
                    "body": BODY % f"{KEY_PREFIX}{index:07d}",
                    "success": {"body_equals": "success"},
                },
                policy=POLICY,
                run_at=now,
                key=f"{KEY_PREFIX}{index:07d}",
                target=target,
            )
            for index in range(start, min(start + 5_000, count))
        ]
        await store.enqueue(jobs, now)


async def finished(store: Store) -> int:
    return await store.count_jobs(JobFilter(states=FINAL))


async def torment(
    running: Running, store: Store, run: Run, kill_every_s: float, until_done: int
) -> None:
    """Kill a worker every ``kill_every_s`` until ``until_done`` jobs are final."""
    last_kill = time.monotonic()
    while await finished(store) < until_done:
        if time.monotonic() - last_kill >= kill_every_s:
            kill_a_worker(running, run)
            last_kill = time.monotonic()
        if running.process.poll() is not None:
            raise SystemExit(f"the master exited by itself ({running.process.returncode})")
        await asyncio.sleep(POLL_S)


async def chaos(config: Path, store_url: str, args: argparse.Namespace, run: Run) -> None:
    store = open_store(store_url)
    await store.open()
    try:
        await asyncio.wait_for(torment_twice(config, store, args, run), args.time_limit)
    except TimeoutError:
        run.timed_out = True
    finally:
        run.drained = time.time()
        await store.close()


async def torment_twice(config: Path, store: Store, args: argparse.Namespace, run: Run) -> None:
    """Up to the power cut with the first tree, then to the end with a second one."""
    first_part = int(args.jobs * args.power_cut_at)
    run.started = time.time()
    with serving(config, no_api=True, new_session=True) as running:
        await torment(running, store, run, args.kill_every, first_part)
        cut_at = time.time()
        power_cut(running)
        run.kills.append(Kill(cut_at, "power cut", running.process.pid))
    with serving(config, no_api=True, new_session=True) as running:
        run.restart_s = time.time() - cut_at
        await torment(running, store, run, args.kill_every, args.jobs)


@dataclass
class Deliveries:
    times: dict[str, list[float]]  # webhook-id -> when each 200 was logged
    other_status: int  # lines with another status (e.g. 499: the client went away)


def read_deliveries(log: Path) -> Deliveries:
    times: dict[str, list[float]] = defaultdict(list)
    other = 0
    for line in log.read_text().splitlines():
        msec, status, webhook_id = line.split(" ", 2)
        if status == "200":
            times[webhook_id].append(float(msec))
        else:
            other += 1
    return Deliveries(dict(times), other)


def kill_gap_s(times: list[float], kills: list[Kill]) -> float | None:
    """How soon after a job's first delivery the first kill came, if one came before
    its second delivery: a job delivered again is explained by a kill only if that
    kill caught it before its outcome was recorded, i.e. shortly after delivery."""
    first, second = sorted(times)[:2]
    gaps = [kill.at - first for kill in kills if first - IN_FLIGHT_SLACK_S <= kill.at <= second]
    return min(gaps) if gaps else None


async def store_view(store_url: str) -> dict[JobState, int]:
    store = open_store(store_url)
    await store.open()
    try:
        return (await store.state_counts()).by_state
    finally:
        await store.close()


def report(run: Run, deliveries: Deliveries, states: dict[JobState, int], window_s: float) -> None:
    expected = {f"{KEY_PREFIX}{index:07d}" for index in range(run.jobs)}
    received = set(deliveries.times)
    lost = expected - received
    strangers = received - expected
    duplicated = {key: t for key, t in deliveries.times.items() if len(t) > 1}
    gaps = [kill_gap_s(t, run.kills) for t in duplicated.values()]
    known = sorted(gap for gap in gaps if gap is not None)
    explained = sum(1 for gap in known if gap <= window_s)
    extra = sum(len(t) - 1 for t in duplicated.values())
    worker_kills = sum(1 for kill in run.kills if kill.what == "worker")
    drain_s = run.drained - run.started
    if run.timed_out:
        print(f"TIMED OUT after {drain_s:.0f}s: the figures below are as things stood")
    print(f"machine: {machine()}")
    print(
        f"jobs: {run.jobs:,}; workers SIGKILLed: {worker_kills}; power cuts: 1 "
        f"(serve ready again {run.restart_s:.1f}s later)"
    )
    timeline = ", ".join(
        f"{kill.at - run.started:.1f}s" + ("(power cut)" if kill.what == "power cut" else "")
        for kill in run.kills
    )
    print(f"kills at: {timeline}")
    print(f"delivered: {len(received & expected):,} distinct jobs answered by the sink")
    print(f"lost: {len(lost)} (must be 0)" + (f", e.g. {sorted(lost)[:5]}" if lost else ""))
    print(
        f"duplicated: {len(duplicated):,} jobs ({extra:,} extra deliveries); "
        f"in flight at a kill (killed within {window_s:g}s of the first delivery): "
        f"{explained:,} of {len(duplicated):,}"
    )
    if known:
        print(
            f"first delivery to kill: p50 {statistics.median(known) * 1000:.0f} ms, "
            f"max {known[-1] * 1000:.0f} ms"
        )
    if strangers or deliveries.other_status:
        print(f"unexpected: {len(strangers)} unknown ids, {deliveries.other_status} non-200 lines")
    counts = ", ".join(f"{state.value} {count:,}" for state, count in sorted(states.items()))
    print(f"store: {counts}")
    print(f"time to drain: {drain_s:.1f}s ({run.jobs / drain_s:,.0f} jobs/s through the chaos)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=2.0, help="seconds between kills")
    parser.add_argument("--power-cut-at", type=float, default=0.4, help="share of jobs done")
    parser.add_argument("--lease", default="5s")
    parser.add_argument("--backoff-max", default="1s", help="the master's restart backoff cap")
    parser.add_argument(
        "--in-flight-window",
        type=float,
        default=1.0,
        help="seconds after a delivery within which a kill explains a duplicate",
    )
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds, in all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ringback-chaos-") as folder:
        base = Path(folder)
        log = base / "deliveries.log"
        with nginx_sink(delivery_log=log) as url:
            config = write_config(
                base,
                workers=args.workers,
                port=free_port(),
                lease=args.lease,
                restart_backoff_max=args.backoff_max,
            )
            store_url = f"sqlite:///{base / 'ringback.db'}"
            run = Run(jobs=args.jobs)

            async def fill() -> None:
                store = open_store(store_url)
                await store.open()
                try:
                    await enqueue_all(store, url, args.jobs)
                finally:
                    await store.close()

            asyncio.run(fill())
            asyncio.run(chaos(config, store_url, args, run))
        states = asyncio.run(store_view(store_url))
        report(run, read_deliveries(log), states, args.in_flight_window)


if __name__ == "__main__":
    main()
