"""SIGHUP replaces the children one at a time, each only after its successor is ready."""

from __future__ import annotations

import signal

import pytest
from supervisor_harness import Mark, MasterHarness, process_gone, wait_for

from ringback.core.supervisor import EXIT_OK, StatusReport

pytestmark = pytest.mark.slow


def _alive_at(marks: list[Mark], moment: float) -> set[int]:
    """Pids that had started and not yet stopped at ``moment``."""
    started = {m.pid for m in marks if m.event == "start" and m.at <= moment}
    stopped = {m.pid for m in marks if m.event == "stop" and m.at <= moment}
    return started - stopped


def test_sighup_rolls_over_each_child_with_no_gap(harness: MasterHarness) -> None:
    names = ["worker-1", "worker-2"]
    harness.start([harness.child(n, ready_delay=0.1) for n in names])
    old = harness.wait_all_ready(2)
    # The new configuration: same children, a new generation (think: new settings).
    harness.write_config([harness.child(n, generation="2", ready_delay=0.1) for n in names])

    harness.signal(signal.SIGHUP)

    def rolled_over() -> bool:
        return all(
            {(m.event, m.generation) for m in harness.marks(n)} >= {("stop", "1"), ("ready", "2")}
            for n in names
        )

    wait_for(rolled_over, 10.0, "both children replaced")
    marks = {n: harness.marks(n) for n in names}
    for name in names:
        first = {m.event: m for m in marks[name] if m.generation == "1"}
        second = {m.event: m for m in marks[name] if m.generation == "2"}
        assert first["start"].pid == old[name]
        # The successor was ready before its predecessor was told to stop.
        assert second["ready"].at < first["stop"].at
        assert "stop" not in second
    # One at a time: worker-2's successor started only once worker-1's was ready.
    second_of = {n: {m.event: m for m in marks[n] if m.generation == "2"} for n in names}
    assert second_of["worker-2"]["start"].at >= second_of["worker-1"]["ready"].at
    # At every recorded moment after boot each name had a live process.
    boot = max(m.at for n in names for m in marks[n] if m.event == "ready" and m.generation == "1")
    for name in names:
        for moment in [m.at for n in names for m in marks[n] if m.at >= boot]:
            assert _alive_at(marks[name], moment), f"{name} had no process at {moment}"

    def settled() -> StatusReport | None:
        status = harness.status()
        return status if all(c.ready for c in status.children) else None

    status = wait_for(settled, 5.0, "the state file to settle")
    assert status.reloads == 1 and status.reload_failures == 0
    assert status.master_pid == harness.pid
    assert {c.name: c.pid for c in status.children} == {n: second_of[n]["start"].pid for n in names}
    wait_for(lambda: all(process_gone(pid) for pid in old.values()), 5.0, "old children gone")


def test_a_reload_can_add_and_remove_children(harness: MasterHarness) -> None:
    harness.start([harness.child("worker-1"), harness.child("worker-2")])
    old = harness.wait_all_ready(2)
    harness.write_config([harness.child("worker-1"), harness.child("worker-3")])

    harness.signal(signal.SIGHUP)

    def settled() -> dict[str, int | None] | None:
        pids = harness.child_pids()
        if set(pids) != {"worker-1", "worker-3"} or not all(
            c.ready for c in harness.status().children
        ):
            return None
        return pids if pids["worker-1"] != old["worker-1"] else None

    wait_for(settled, 10.0, "worker-2 gone, worker-3 started, worker-1 replaced")
    wait_for(lambda: process_gone(old["worker-2"]), 5.0, "worker-2 to stop")
    assert "stop" in [m.event for m in harness.marks("worker-2")]


def test_a_successor_that_never_gets_ready_leaves_the_old_child_running(
    harness: MasterHarness,
) -> None:
    harness.start([harness.child("worker-1")], ready_timeout_s=0.4)
    old = harness.wait_all_ready(1)
    harness.write_config([harness.child("worker-1", "never-ready", generation="2")])

    harness.signal(signal.SIGHUP)

    wait_for(lambda: harness.status().reload_failures == 1, 5.0, "the reload to give up")
    wait_for(
        lambda: any(m.event == "stop" and m.generation == "2" for m in harness.marks("worker-1")),
        5.0,
        "the unready successor to be stopped",
    )
    assert harness.child_pids() == {"worker-1": old["worker-1"]}
    assert "stop" not in [m.event for m in harness.marks("worker-1") if m.generation == "1"]
    assert "was not ready within 0.4s" in harness.log()


def test_a_broken_configuration_on_sighup_keeps_the_running_children(
    harness: MasterHarness,
) -> None:
    harness.start([harness.child("worker-1")])
    old = harness.wait_all_ready(1)
    harness.config_path.write_text("{ not json")

    harness.signal(signal.SIGHUP)

    wait_for(lambda: harness.status().reload_failures == 1, 5.0, "the reload to fail")
    assert harness.child_pids() == {"worker-1": old["worker-1"]}
    assert "reload failed, keeping the running configuration" in harness.log()


def test_a_stop_during_a_reload_stops_the_successor_too(harness: MasterHarness) -> None:
    harness.start([harness.child("worker-1")], ready_timeout_s=30.0)
    old = harness.wait_all_ready(1)
    harness.write_config([harness.child("worker-1", "never-ready", generation="2")])
    harness.signal(signal.SIGHUP)
    successor = wait_for(
        lambda: next((m.pid for m in harness.marks("worker-1") if m.generation == "2"), None),
        5.0,
        "the successor to start",
    )

    harness.signal(signal.SIGTERM)

    assert harness.wait_exit() == EXIT_OK
    assert process_gone(old["worker-1"]) and process_gone(successor)
    stops = {m.pid for m in harness.marks("worker-1") if m.event == "stop"}
    assert stops == {old["worker-1"], successor}
    assert "reload stopped" not in harness.log()
