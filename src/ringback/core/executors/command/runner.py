"""Running one command in its own process group, under a time limit.

The command starts a new session (``start_new_session=True``), so it leads a
process group holding everything it spawns. On the time limit the whole group
gets SIGTERM, then SIGKILL after a short grace; when the command ends on its own,
whatever it left running in the group is killed too. Nothing outlives the attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ringback.core.executors.command.tail import TailBuffer

OUTPUT_DRAIN_S = 1.0  # after the group is gone, how long to wait for the last output


@dataclass(frozen=True, slots=True)
class CommandRun:
    returncode: int | None  # None when it never started or was stopped on the time limit
    timed_out: bool
    output_tail: str  # the end of stdout and stderr, interleaved as written
    start_error: str | None = None


class _CommandProtocol(asyncio.SubprocessProtocol):
    """Feeds the output to the tail and tells when the command (the group leader) exits.

    The exit is watched on its own, not through ``Process.wait()``, which also waits
    for the output pipe to close: a grandchild still holding it would keep a
    finished attempt open.
    """

    def __init__(self, tail: TailBuffer) -> None:
        self.tail = tail
        self.exited = asyncio.Event()
        self.output_closed = asyncio.Event()

    def pipe_data_received(self, fd: int, data: bytes | str) -> None:
        self.tail.feed(data if isinstance(data, bytes) else data.encode())

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        self.output_closed.set()

    def process_exited(self) -> None:
        self.exited.set()


async def run_command(
    argv: Sequence[str],
    *,
    cwd: Path | None,
    env: Mapping[str, str],
    time_limit: timedelta,
    kill_grace: timedelta,
    tail_bytes: int,
) -> CommandRun:
    protocol = _CommandProtocol(TailBuffer(tail_bytes))
    try:
        transport, _ = await asyncio.get_running_loop().subprocess_exec(
            lambda: protocol,
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # one pipe: the excerpt interleaves them as written
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
        )
    except OSError as exc:
        error = f"cannot start {argv[0]}: {exc.strerror or exc}"
        return CommandRun(None, False, "", start_error=error)
    pgid = transport.get_pid()
    timed_out = False
    try:
        try:
            async with asyncio.timeout(time_limit.total_seconds()):
                await protocol.exited.wait()
        except TimeoutError:
            timed_out = True
            await _stop_group(pgid, protocol, kill_grace)
        # Whatever the command left running in its group ends with it.
        _signal_group(pgid, signal.SIGKILL)
        await _output_closed(protocol)
        returncode = transport.get_returncode()
    except BaseException:
        # Cancelled (the worker is stopping): leave no process behind.
        _signal_group(pgid, signal.SIGKILL)
        raise
    finally:
        transport.close()
    return CommandRun(
        returncode=None if timed_out else returncode,
        timed_out=timed_out,
        output_tail=protocol.tail.text(),
    )


async def _output_closed(protocol: _CommandProtocol) -> None:
    # The pipe closes once every process holding it is gone; one that escaped the
    # group (a daemon that called setsid) must not hold the attempt open.
    try:
        async with asyncio.timeout(OUTPUT_DRAIN_S):
            await protocol.output_closed.wait()
    except TimeoutError:
        pass


async def _stop_group(pgid: int, protocol: _CommandProtocol, grace: timedelta) -> None:
    _signal_group(pgid, signal.SIGTERM)
    try:
        async with asyncio.timeout(grace.total_seconds()):
            await protocol.exited.wait()
    except TimeoutError:
        pass
    _signal_group(pgid, signal.SIGKILL)
    await protocol.exited.wait()


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    # The group id is the leader's pid. While any member lives the kernel keeps
    # that number reserved, so this cannot hit an unrelated process group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
