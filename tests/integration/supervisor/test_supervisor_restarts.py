"""A real master replaces children that die: at once, with backoff, or on request."""

from __future__ import annotations

import itertools
import os
import re
import signal

import pytest
from supervisor_harness import MasterHarness, wait_for

from ringback.core.supervisor import EXIT_OK, EXIT_RECYCLE

pytestmark = pytest.mark.slow


def test_a_killed_child_is_replaced_within_a_second(harness: MasterHarness) -> None:
    harness.start([harness.child("worker-1"), harness.child("worker-2")])
    before = harness.wait_all_ready(2)

    os.kill(before["worker-1"], signal.SIGKILL)

    def replaced() -> int | None:
        pid = harness.child_pids()["worker-1"]
        return pid if pid not in (None, before["worker-1"]) else None

    new_pid = wait_for(replaced, 1.0, "a new worker-1 pid in the state file")
    status = harness.status()
    worker_1 = next(c for c in status.children if c.name == "worker-1")
    worker_2 = next(c for c in status.children if c.name == "worker-2")
    assert worker_1.pid == new_pid
    assert (worker_1.restarts, worker_1.crashes, worker_1.last_exit_code) == (1, 1, -9)
    assert (worker_2.pid, worker_2.restarts) == (before["worker-2"], 0)
    assert harness.process is not None and harness.process.poll() is None
    assert "worker-1 killed by SIGKILL" in harness.log()


def test_a_crash_loop_backs_off_exponentially_and_the_master_stays_up(
    harness: MasterHarness,
) -> None:
    harness.start([harness.child("worker-1", "crash")], backoff_base_s=0.05, backoff_max_s=0.2)

    wait_for(lambda: harness.status().children[0].crashes >= 5, 10.0, "five crashes")

    delays = [float(d) for d in re.findall(r"restarting in ([0-9.]+)s \(backoff\)", harness.log())]
    assert delays[:5] == [0.0, 0.05, 0.1, 0.2, 0.2]
    starts = [m.at for m in harness.marks("worker-1") if m.event == "start"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    # Each restart waited at least its backoff (later starts also pay Python's start-up).
    for gap, delay in zip(gaps, delays[:4], strict=False):
        assert gap >= delay
    assert harness.process is not None and harness.process.poll() is None
    status = harness.status()
    assert status.running
    assert status.children[0].last_exit_code == 1

    harness.signal(signal.SIGTERM)
    assert harness.wait_exit() == EXIT_OK


def test_a_child_asking_to_be_recycled_is_replaced_without_backoff(
    harness: MasterHarness,
) -> None:
    harness.start(
        [harness.child("worker-1", "recycle", after=0.15)], backoff_base_s=5.0, backoff_max_s=5.0
    )

    wait_for(
        lambda: len([m for m in harness.marks("worker-1") if m.event == "start"]) >= 3,
        10.0,
        "a third start after two recycles",
    )

    child = harness.status().children[0]
    assert child.restarts >= 2
    assert child.crashes == 0
    assert child.last_exit_code == EXIT_RECYCLE
    recycled = [m for m in harness.marks("worker-1") if m.event == "recycle"]
    starts = [m for m in harness.marks("worker-1") if m.event == "start"]
    assert len(recycled) >= 2 and len(starts) >= 3
    assert "asked to be recycled" in harness.log()
    assert "backoff" not in harness.log()


def test_a_child_recycling_itself_at_once_is_treated_as_a_crash(harness: MasterHarness) -> None:
    harness.start(
        [harness.child("worker-1", "recycle", after=0)],
        recycle_min_uptime_s=10.0,
        backoff_base_s=0.05,
        backoff_max_s=0.1,
    )

    wait_for(lambda: harness.status().children[0].crashes >= 2, 10.0, "two crashes")

    assert "crash 2 in a row" in harness.log()


def test_status_shows_the_counters_children_write(harness: MasterHarness) -> None:
    harness.start([harness.child("worker-1")])
    pids = harness.wait_all_ready(1)

    child = wait_for(
        lambda: next((c for c in harness.status().children if c.counters), None),
        5.0,
        "the child's counters",
    )

    assert child.pid == pids["worker-1"]
    assert child.counters == {"jobs_done": 7, "generation": "1"}
    status = harness.status()
    assert status.running and status.master_pid == harness.pid
    assert status.started_at is not None and status.stopped_at is None
