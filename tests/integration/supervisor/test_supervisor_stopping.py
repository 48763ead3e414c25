"""SIGTERM/SIGINT stop the master gracefully; a second signal or the grace kills."""

from __future__ import annotations

import signal
import time

import pytest
from supervisor_harness import MasterHarness, process_gone, wait_for

from ringback.core.supervisor import EXIT_OK

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_reaches_every_child_and_the_master_exits_0(
    harness: MasterHarness, signum: signal.Signals
) -> None:
    harness.start([harness.child("worker-1"), harness.child("worker-2")])
    pids = harness.wait_all_ready(2)
    assert harness.pid_file.read_text().strip() == str(harness.pid)

    harness.signal(signum)

    assert harness.wait_exit() == EXIT_OK
    for name, pid in pids.items():
        events = [(m.event, m.pid) for m in harness.marks(name)]
        assert ("stop", pid) in events, f"{name} never got SIGTERM: {events}"
        assert process_gone(pid)
    assert not harness.pid_file.exists()
    status = harness.status()
    assert not status.running
    assert status.stopped_at is not None
    assert [c.pid for c in status.children] == [None, None]


def test_a_child_ignoring_sigterm_is_killed_after_the_grace(harness: MasterHarness) -> None:
    harness.start([harness.child("stubborn", "ignore-term"), harness.child("polite")], grace_s=0.3)
    pids = harness.wait_all_ready(2)

    asked_at = time.monotonic()
    harness.signal(signal.SIGTERM)

    assert harness.wait_exit() == EXIT_OK
    assert time.monotonic() - asked_at >= 0.3
    assert process_gone(pids["stubborn"])
    assert "stop" not in [m.event for m in harness.marks("stubborn")]
    assert "stop" in [m.event for m in harness.marks("polite")]
    assert f"stubborn (pid {pids['stubborn']}) did not stop in time: SIGKILL" in harness.log()
    assert not harness.pid_file.exists()


def test_a_second_sigterm_during_the_grace_kills_at_once(harness: MasterHarness) -> None:
    harness.start([harness.child("stubborn", "ignore-term")], grace_s=60.0)
    pids = harness.wait_all_ready(1)

    harness.signal(signal.SIGTERM)
    wait_for(lambda: "SIGTERM: stopping 1 children" in harness.log(), 5.0, "the stop to begin")
    harness.signal(signal.SIGTERM)

    assert harness.wait_exit(timeout_s=10.0) == EXIT_OK  # far sooner than the 60 s grace
    assert process_gone(pids["stubborn"])
    assert "SIGTERM again: killing every child now" in harness.log()
