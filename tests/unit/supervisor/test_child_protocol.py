"""The child's side: the readiness byte, the spec checks and the state files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.supervisor import (
    READY_FD_ENV,
    ChildSpec,
    master_alive,
    notify_ready,
    read_status,
    write_child_state,
)
from ringback.core.supervisor.child import MASTER_PID_ENV
from ringback.core.supervisor.process import child_environment


def test_notify_ready_writes_one_byte_and_closes_the_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    read_fd, write_fd = os.pipe()
    monkeypatch.setenv(READY_FD_ENV, str(write_fd))
    try:
        assert notify_ready()
        assert os.read(read_fd, 16) == b"R"
        assert os.read(read_fd, 16) == b""  # the child's end is closed: EOF
        assert READY_FD_ENV not in os.environ
        assert not notify_ready()  # a second call has nothing to do
    finally:
        os.close(read_fd)


def test_notify_ready_outside_a_supervisor_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(READY_FD_ENV, raising=False)

    assert not notify_ready()


def test_master_alive_compares_the_parent_pid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MASTER_PID_ENV, str(os.getppid()))
    assert master_alive()
    monkeypatch.setenv(MASTER_PID_ENV, "1")  # pretend we were re-parented to init
    assert master_alive() == (os.getppid() == 1)


@pytest.mark.parametrize(
    ("name", "argv", "field"),
    [
        ("master", ["x"], "name"),
        ("../etc", ["x"], "name"),
        ("", ["x"], "name"),
        ("worker-1", [], "argv"),
        ("worker-1", ["a\0b"], "argv"),
    ],
)
def test_bad_specs_are_refused(name: str, argv: list[str], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        ChildSpec(name=name, argv=argv)

    assert error.value.field == field


def test_the_child_environment_layers_the_spec_over_the_master(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RINGBACK_TEST_INHERITED", "yes")
    monkeypatch.setenv("NOTIFY_SOCKET", "/run/systemd/notify")
    spec = ChildSpec(name="worker-1", argv=["x"], env={"EXTRA": "1"}, title="ringback: worker 1")

    env = child_environment(spec, master_pid=1234, state_dir="/var/lib/ringback")

    assert env["RINGBACK_TEST_INHERITED"] == "yes"
    assert env["EXTRA"] == "1"
    assert env["RINGBACK_CHILD_NAME"] == "worker-1"
    assert env["RINGBACK_PROCESS_TITLE"] == "ringback: worker 1"
    assert env["RINGBACK_MASTER_PID"] == "1234"
    assert env["RINGBACK_STATE_DIR"] == "/var/lib/ringback"
    assert "NOTIFY_SOCKET" not in env  # only the master talks to systemd


def test_status_without_a_state_file_says_not_running(tmp_path: Path) -> None:
    report = read_status(tmp_path)

    assert not report.running and report.master_pid is None and report.children == ()


def test_status_of_a_dead_master_is_not_running(tmp_path: Path) -> None:
    state = {
        "master": {"pid": 2**22 + 17, "started_at": "2026-01-01T00:00:00+00:00"},
        "children": [{"name": "worker-1", "pid": None, "restarts": 2, "last_exit_code": -9}],
    }
    (tmp_path / "master.json").write_text(json.dumps(state))
    write_child_state(tmp_path, "worker-1", {"jobs_done": 3})

    report = read_status(tmp_path)

    assert not report.running
    assert report.children[0].restarts == 2
    assert report.children[0].last_exit_code == -9
    assert report.children[0].counters == {"jobs_done": 3}
    assert [p.name for p in tmp_path.iterdir()] != []  # no temp files left behind
    assert all(not p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_a_corrupt_state_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "master.json").write_text("{")

    with pytest.raises(ConfigError, match="not valid JSON"):
        read_status(tmp_path)
