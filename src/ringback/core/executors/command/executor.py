"""Runs operator-defined commands as jobs of kind ``command``.

Payload: ``{"command": "fetch_statement", "values": {"date": "2026-11-23"}}``. Only
commands from the configuration run, with values filling their placeholders;
nothing goes through a shell.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping, Sequence
from datetime import timedelta

from ringback.core.durations import format_duration, parse_duration
from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.executors.base import ExecutionResult, Executor, PreparedJob, ResultKind
from ringback.core.executors.command.definition import CommandDef
from ringback.core.executors.command.runner import CommandRun, run_command
from ringback.core.jobs import ATTEMPT_EXCERPT_BYTES, Job, JobKind, JsonObject

_FIELDS = frozenset({"command", "values"})
# What a command inherits from the worker; everything else (database URLs,
# tokens) stays out unless the command's own ``env`` names it.
INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
# A failing command asks for a later retry by ending its output with this line,
# e.g. ``ringback-retry-after: 30m`` ("the file is not published yet").
RETRY_AFTER_PREFIX = "ringback-retry-after:"


class CommandExecutor(Executor):
    kind = JobKind.COMMAND

    def __init__(
        self,
        commands: Mapping[str, CommandDef],
        *,
        kill_grace: timedelta = timedelta(seconds=2),
        inherited_env: Sequence[str] = INHERITED_ENV,
    ) -> None:
        for key, command in commands.items():
            if key != command.name:
                raise ConfigError(f"command {command.name!r} is filed under {key!r}", field=key)
        if kill_grace < timedelta(0):
            raise ConfigError("kill_grace cannot be negative", field="kill_grace")
        self._commands = dict(commands)
        self._kill_grace = kill_grace
        self._inherited_env = tuple(inherited_env)

    def prepare(self, payload: JsonObject) -> PreparedJob:
        command, values = self._parse(payload)
        command.template.render(values)  # every placeholder filled, every value usable
        return PreparedJob(payload={"command": command.name, "values": values}, target=None)

    def _parse(self, payload: JsonObject) -> tuple[CommandDef, JsonObject]:
        if not isinstance(payload, dict):
            raise InvalidInput("a command payload must be a JSON object", field="payload")
        for key in payload:
            if key not in _FIELDS:
                raise InvalidInput(
                    f"unknown field {key!r}; a command payload has command and values", field=key
                )
        name = payload.get("command")
        if not isinstance(name, str):
            raise InvalidInput("name the command to run", field="command")
        command = self._commands.get(name)
        if command is None:
            known = ", ".join(sorted(self._commands)[:20]) or "none"
            raise InvalidInput(f"no command named {name!r} (defined: {known})", field="command")
        values = payload.get("values", {})
        if not isinstance(values, dict):
            raise InvalidInput("values must be a JSON object", field="values")
        return command, values

    async def execute(self, job: Job) -> ExecutionResult:
        try:
            command, values = self._parse(job.payload)
        except InvalidInput as exc:
            if exc.field == "command" and isinstance(job.payload.get("command"), str):
                # Likely a configuration change in progress on this worker.
                return ExecutionResult(kind=ResultKind.RETRY, error=exc.message)
            return ExecutionResult(kind=ResultKind.FAIL, error=f"unusable payload: {exc.message}")
        try:
            argv = command.template.render(values)
        except InvalidInput as exc:
            return ExecutionResult(kind=ResultKind.FAIL, error=f"unusable payload: {exc.message}")
        run = await run_command(
            argv,
            cwd=command.cwd,
            env=self._environment(command),
            time_limit=command.timeout,
            kill_grace=self._kill_grace,
            tail_bytes=ATTEMPT_EXCERPT_BYTES,
        )
        return _result(run, command)

    def _environment(self, command: CommandDef) -> dict[str, str]:
        env = {name: os.environ[name] for name in self._inherited_env if name in os.environ}
        env.update(command.env)
        return env


def _result(run: CommandRun, command: CommandDef) -> ExecutionResult:
    excerpt = run.output_tail or None
    if run.start_error is not None:
        return ExecutionResult(kind=ResultKind.RETRY, error=run.start_error)
    if run.timed_out:
        return ExecutionResult(
            kind=ResultKind.RETRY,
            response_excerpt=excerpt,
            error=f"timed out after {format_duration(command.timeout)}",
        )
    code = run.returncode
    assert code is not None
    if code == 0:
        return ExecutionResult(kind=ResultKind.SUCCESS, status_code=0, response_excerpt=excerpt)
    if code < 0:
        return ExecutionResult(
            kind=ResultKind.RETRY,
            response_excerpt=excerpt,
            error=f"killed by {_signal_name(-code)}",
        )
    return ExecutionResult(
        kind=ResultKind.RETRY,
        status_code=code,
        response_excerpt=excerpt,
        error=f"exit code {code}",
        retry_after=_requested_delay(run.output_tail),
    )


def _requested_delay(output: str) -> timedelta | None:
    lines = output.strip().splitlines()
    if not lines or not lines[-1].startswith(RETRY_AFTER_PREFIX):
        return None
    try:
        return parse_duration(lines[-1][len(RETRY_AFTER_PREFIX) :].strip())
    except InvalidInput:
        return None  # a malformed request is ignored; the policy decides alone


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
