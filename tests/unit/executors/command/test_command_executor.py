"""Real processes: results, time limits over whole process groups, and no shell."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.executors.base import ResultKind
from ringback.core.executors.command import CommandDef, CommandExecutor
from ringback.core.jobs import ATTEMPT_EXCERPT_BYTES, Job, JobKind, JsonObject

MakeJob = Callable[[JsonObject], Job]  # the make_job fixture (conftest.py)
Script = Callable[[str, str], Path]  # the script fixture (conftest.py)
SHORT = timedelta(seconds=10)
PRINT_ARGV = "import json, sys; print(json.dumps(sys.argv[1:]))"


def process_gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie awaiting its reaper counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].strip().startswith("Z")


async def all_gone(pids: list[int]) -> bool:
    """Poll briefly: a killed process closes its files before it is fully gone."""
    for _ in range(100):
        if all(process_gone(pid) for pid in pids):
            return True
        await asyncio.sleep(0.01)
    return False


async def wait_for_file(path: Path) -> str:
    for _ in range(500):
        text = await asyncio.to_thread(_read_if_there, path)
        if text:
            return text
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} never written")


def _read_if_there(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


def executor(*commands: CommandDef, kill_grace_s: float = 0.2) -> CommandExecutor:
    return CommandExecutor(
        {c.name: c for c in commands}, kill_grace=timedelta(seconds=kill_grace_s)
    )


def test_the_executor_handles_command_jobs() -> None:
    assert executor().kind is JobKind.COMMAND


async def test_exit_0_succeeds_with_the_output(make_job: MakeJob) -> None:
    echo = CommandDef("greet", ["/bin/echo", "hello", "{name}"], SHORT)
    job = make_job({"command": "greet", "values": {"name": "merchant 42"}})

    result = await executor(echo).execute(job)

    assert result.kind is ResultKind.SUCCESS
    assert (result.status_code, result.response_excerpt) == (0, "hello merchant 42\n")


async def test_a_failing_exit_code_is_retried_with_the_output_tail(
    make_job: MakeJob, script: Script
) -> None:
    failing = script("fetch.sh", 'echo "connecting to bank"\necho "file not ready" >&2\nexit 3\n')
    command = CommandDef("fetch_statement", [str(failing)], SHORT)

    result = await executor(command).execute(make_job({"command": "fetch_statement"}))

    assert (result.kind, result.status_code, result.error) == (ResultKind.RETRY, 3, "exit code 3")
    assert result.response_excerpt == "connecting to bank\nfile not ready\n"


@pytest.mark.parametrize(
    ("last_line", "retry_after"),
    [
        ("ringback-retry-after: 30m", timedelta(minutes=30)),
        ("ringback-retry-after: PT1H", timedelta(hours=1)),
        ("ringback-retry-after: soon", None),
        ("statement not ready", None),
    ],
)
async def test_a_failing_command_can_ask_for_a_later_retry(
    make_job: MakeJob, script: Script, last_line: str, retry_after: timedelta | None
) -> None:
    asking = script("ask.sh", f'echo "bank says: not yet"\necho "{last_line}"\nexit 75\n')
    command = CommandDef("ask", [str(asking)], SHORT)

    result = await executor(command).execute(make_job({"command": "ask"}))

    assert (result.kind, result.status_code) == (ResultKind.RETRY, 75)
    assert result.retry_after == retry_after


async def test_the_time_limit_kills_the_command_and_its_grandchild(
    make_job: MakeJob, script: Script, tmp_path: Path
) -> None:
    pid_file = tmp_path / "grandchild.pid"
    slow = script("slow.sh", 'sleep 30 &\necho $! > "$PID_FILE"\necho started\nwait\n')
    command = CommandDef(
        "slow", [str(slow)], timedelta(milliseconds=300), env={"PID_FILE": str(pid_file)}
    )

    result = await executor(command).execute(make_job({"command": "slow"}))

    assert (result.kind, result.error) == (ResultKind.RETRY, "timed out after 300ms")
    assert result.status_code is None
    assert result.response_excerpt == "started\n"
    assert await all_gone([int(pid_file.read_text())])


async def test_a_grandchild_ignoring_sigterm_is_killed_after_the_grace(
    make_job: MakeJob, script: Script, tmp_path: Path
) -> None:
    pid_file = tmp_path / "grandchild.pid"
    stubborn = script(
        "stubborn.sh", "(trap '' TERM; exec sleep 30) &\necho $! > \"$PID_FILE\"\nwait\n"
    )
    command = CommandDef(
        "stubborn", [str(stubborn)], timedelta(milliseconds=200), env={"PID_FILE": str(pid_file)}
    )

    result = await executor(command, kill_grace_s=0.1).execute(make_job({"command": "stubborn"}))

    assert result.error == "timed out after 200ms"
    assert await all_gone([int(pid_file.read_text())])


async def test_what_a_finished_command_left_running_is_stopped(
    make_job: MakeJob, script: Script, tmp_path: Path
) -> None:
    pid_file = tmp_path / "leftover.pid"
    careless = script("careless.sh", 'sleep 30 &\necho $! > "$PID_FILE"\necho done\n')
    command = CommandDef("careless", [str(careless)], SHORT, env={"PID_FILE": str(pid_file)})

    result = await executor(command).execute(make_job({"command": "careless"}))

    assert (result.kind, result.response_excerpt) == (ResultKind.SUCCESS, "done\n")
    assert await all_gone([int(pid_file.read_text())])


async def test_cancelling_an_attempt_kills_its_process_group(
    make_job: MakeJob, script: Script, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    waiting = script("waiting.sh", 'sleep 30 &\necho "$$ $!" > "$PID_FILE"\nwait\n')
    command = CommandDef("waiting", [str(waiting)], SHORT, env={"PID_FILE": str(pid_file)})
    attempt = asyncio.create_task(executor(command).execute(make_job({"command": "waiting"})))
    pids = [int(pid) for pid in (await wait_for_file(pid_file)).split()]

    attempt.cancel()
    with pytest.raises(asyncio.CancelledError):
        await attempt

    assert await all_gone(pids)


async def test_an_injection_attempt_stays_one_literal_argument(make_job: MakeJob) -> None:
    command = CommandDef(
        "show_args", [sys.executable, "-c", PRINT_ARGV, "{account}", "--date={date}"], SHORT
    )
    values = {"account": "; rm -rf /", "date": "$(touch /tmp/pwned) && echo *"}

    result = await executor(command).execute(make_job({"command": "show_args", "values": values}))

    assert result.kind is ResultKind.SUCCESS
    assert json.loads(result.response_excerpt or "") == [
        "; rm -rf /",
        "--date=$(touch /tmp/pwned) && echo *",
    ]


async def test_only_the_tail_of_long_output_is_kept(make_job: MakeJob, script: Script) -> None:
    chatty = script(
        "chatty.sh", 'i=1\nwhile [ $i -le 20000 ]; do echo "line $i"; i=$((i+1)); done\n'
    )
    command = CommandDef("chatty", [str(chatty)], SHORT)

    result = await executor(command).execute(make_job({"command": "chatty"}))

    excerpt = result.response_excerpt or ""
    assert result.kind is ResultKind.SUCCESS
    assert len(excerpt.encode()) <= ATTEMPT_EXCERPT_BYTES
    assert excerpt.startswith("…line ") and excerpt.endswith("line 19999\nline 20000\n")


async def test_the_command_sees_its_own_env_but_not_the_workers_secrets(
    make_job: MakeJob, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RINGBACK_DATABASE_PASSWORD", "s3cret")
    # Braces are doubled: a single one would be a placeholder.
    show_env = (
        "import json, os; print(json.dumps({{k: os.environ.get(k) for k in "
        "['RINGBACK_DATABASE_PASSWORD', 'BANK_REGION', 'PATH']}}), os.getcwd())"
    )
    command = CommandDef(
        "env", [sys.executable, "-c", show_env], SHORT, cwd=tmp_path, env={"BANK_REGION": "eu"}
    )

    result = await executor(command).execute(make_job({"command": "env"}))

    shown, cwd = (result.response_excerpt or "").rsplit(" ", 1)
    env = json.loads(shown)
    assert env["RINGBACK_DATABASE_PASSWORD"] is None
    assert env["BANK_REGION"] == "eu"
    assert env["PATH"] == os.environ["PATH"]
    assert Path(cwd.strip()) == tmp_path


async def test_a_command_killed_by_a_signal_is_retried(make_job: MakeJob, script: Script) -> None:
    suicidal = script("crash.sh", "echo about to crash\nkill -9 $$\n")
    command = CommandDef("crash", [str(suicidal)], SHORT)

    result = await executor(command).execute(make_job({"command": "crash"}))

    assert (result.kind, result.error) == (ResultKind.RETRY, "killed by SIGKILL")
    assert result.response_excerpt == "about to crash\n"


async def test_a_program_that_cannot_start_is_retried(make_job: MakeJob, tmp_path: Path) -> None:
    command = CommandDef("missing", [str(tmp_path / "not-installed")], SHORT)

    result = await executor(command).execute(make_job({"command": "missing"}))

    assert result.kind is ResultKind.RETRY
    assert result.error == f"cannot start {tmp_path / 'not-installed'}: No such file or directory"


def test_prepare_normalises_a_payload() -> None:
    command = CommandDef("fetch_statement", ["/bin/fetch", "--date={date}"], SHORT)

    prepared = executor(command).prepare(
        {"command": "fetch_statement", "values": {"date": "2026-11-23"}}
    )

    assert prepared.payload == {"command": "fetch_statement", "values": {"date": "2026-11-23"}}
    assert prepared.target is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"command": "rm", "values": {}}, "command"),
        ({"values": {"date": "d"}}, "command"),
        ({"command": "fetch_statement"}, "values.date"),
        ({"command": "fetch_statement", "values": {}}, "values.date"),
        ({"command": "fetch_statement", "values": {"date": "d", "x": "1"}}, "values.x"),
        ({"command": "fetch_statement", "values": "date=d"}, "values"),
        ({"command": "fetch_statement", "values": {"date": "d"}, "shell": True}, "shell"),
    ],
)
def test_prepare_refuses_bad_payloads(payload: dict[str, Any], field: str) -> None:
    command = CommandDef("fetch_statement", ["/bin/fetch", "--date={date}"], SHORT)

    with pytest.raises(InvalidInput) as error:
        executor(command).prepare(payload)

    assert error.value.field == field


async def test_a_stored_job_whose_values_no_longer_fit_fails(make_job: MakeJob) -> None:
    command = CommandDef("fetch_statement", ["/bin/fetch", "--date={date}"], SHORT)

    result = await executor(command).execute(make_job({"command": "fetch_statement"}))

    assert result.kind is ResultKind.FAIL
    assert result.error == "unusable payload: missing value for date"


async def test_a_command_missing_from_this_worker_is_retried(make_job: MakeJob) -> None:
    result = await executor().execute(make_job({"command": "added_later"}))

    assert result.kind is ResultKind.RETRY
    assert result.error == "no command named 'added_later' (defined: none)"
