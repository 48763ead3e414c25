"""One master per pid file; stale files are taken over; ``stop_master`` waits."""

from __future__ import annotations

import os
import signal
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from supervisor_harness import MasterHarness

from ringback.core.supervisor import (
    EXIT_ALREADY_RUNNING,
    EXIT_OK,
    running_master_pid,
    stop_master,
)
from ringback.core.supervisor.pidfile import PidFile, PidFileBusy

pytestmark = pytest.mark.slow


def test_a_stale_pid_file_naming_a_live_stranger_is_taken_over(harness: MasterHarness) -> None:
    harness.pid_file.parent.mkdir(parents=True)
    harness.pid_file.write_text(f"{os.getpid()}\n")  # alive, but not a master

    harness.start([harness.child("worker-1")])
    harness.wait_all_ready(1)

    assert harness.pid_file.read_text() == f"{harness.pid}\n"
    assert running_master_pid(harness.pid_file) == harness.pid
    assert f"replaced a stale pid file that named pid {os.getpid()}" in harness.log()


def test_a_second_master_refuses_to_start(harness: MasterHarness) -> None:
    harness.start([harness.child("worker-1")])
    pids = harness.wait_all_ready(1)

    second = harness.spawn_master()

    assert second.wait(timeout=10) == EXIT_ALREADY_RUNNING
    assert harness.process is not None and harness.process.poll() is None
    assert harness.pid_file.read_text() == f"{harness.pid}\n"
    assert harness.child_pids() == pids
    assert "held by a running master" in harness.log()


def test_stop_master_sends_sigterm_and_waits_for_the_exit(harness: MasterHarness) -> None:
    harness.start([harness.child("worker-1")])
    harness.wait_all_ready(1)

    assert stop_master(harness.pid_file, timedelta(seconds=10))

    assert harness.wait_exit(timeout_s=1.0) == EXIT_OK
    assert running_master_pid(harness.pid_file) is None
    assert stop_master(harness.pid_file, timedelta(seconds=1))  # nothing left to stop


def test_the_master_tells_systemd_when_it_is_ready_and_stopping(
    harness: MasterHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(address)
        listener.settimeout(10)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        harness.start([harness.child("worker-1"), harness.child("worker-2")])

        assert listener.recv(4096) == b"READY=1\nSTATUS=2/2 children ready"
        assert all(c.ready for c in harness.status().children)
        harness.signal(signal.SIGTERM)
        assert listener.recv(4096) == b"STOPPING=1"
    assert harness.wait_exit() == EXIT_OK


def test_the_pid_file_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    path = tmp_path / "ringback.pid"
    first = PidFile(path)
    first.acquire(4242)

    with pytest.raises(PidFileBusy) as busy:
        PidFile(path).acquire(4343)

    assert busy.value.pid == 4242
    assert running_master_pid(path) == 4242
    first.release()
    assert not path.exists()
    assert running_master_pid(path) is None
    again = PidFile(path)
    again.acquire(4444)
    assert again.stale_pid is None and path.read_text() == "4444\n"
    again.release()


def test_stop_master_leaves_a_stale_pid_alone(tmp_path: Path) -> None:
    path = tmp_path / "ringback.pid"
    path.write_text(f"{os.getpid()}\n")  # names this test process, but nobody holds it
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        assert stop_master(path, timedelta(seconds=1))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert received == []
