"""Runs registered Python callables as jobs of kind ``task``.

Async tasks run on the worker's event loop; plain functions run in a bounded
thread pool so that a blocking call (a bank SDK, a file parse) never stalls the
loop. Both run under the job's time limit.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from ringback.core.durations import format_duration
from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.executors.base import ExecutionResult, Executor, PreparedJob, ResultKind
from ringback.core.executors.task import outcome
from ringback.core.executors.task.context import TaskContext
from ringback.core.executors.task.payload import TaskCall, parse_task_call
from ringback.core.executors.task.registry import CTX_PARAMETER, RegisteredTask, TaskRegistry
from ringback.core.executors.task.signals import Fail, Retry
from ringback.core.jobs import Job, JobKind, JsonObject

log = logging.getLogger("ringback.executors.task")


class TaskExecutor(Executor):
    kind = JobKind.TASK

    def __init__(
        self,
        registry: TaskRegistry,
        *,
        thread_pool_size: int = 16,
        default_timeout: timedelta = timedelta(minutes=5),
        max_timeout: timedelta = timedelta(hours=1),
    ) -> None:
        if thread_pool_size < 1:
            raise ConfigError("thread_pool_size must be at least 1", field="thread_pool_size")
        if default_timeout <= timedelta(0) or default_timeout > max_timeout:
            raise ConfigError(
                "default_timeout must be positive and at most max_timeout", field="default_timeout"
            )
        self._registry = registry
        self._default_timeout = default_timeout
        self._max_timeout = max_timeout
        self._pool = ThreadPoolExecutor(
            max_workers=thread_pool_size, thread_name_prefix="ringback-task"
        )

    def prepare(self, payload: JsonObject) -> PreparedJob:
        call = parse_task_call(payload, max_timeout=self._max_timeout)
        registered = self._registry.get(call.task)
        if registered is None:
            known = ", ".join(self._registry.names()[:20]) or "none"
            raise InvalidInput(
                f"no task named {call.task!r} is registered (known: {known})", field="task"
            )
        registered.check_args(call.args)
        return PreparedJob(payload=call.to_payload(), target=None)

    async def execute(self, job: Job) -> ExecutionResult:
        try:
            call = parse_task_call(job.payload, max_timeout=self._max_timeout)
        except InvalidInput as exc:
            return ExecutionResult(kind=ResultKind.FAIL, error=f"unusable payload: {exc.message}")
        registered = self._registry.get(call.task)
        if registered is None:
            # Likely a deploy in progress: this worker runs older code than the API.
            return ExecutionResult(
                kind=ResultKind.RETRY, error=f"no task named {call.task!r} in this worker"
            )
        try:
            registered.check_args(call.args)
        except InvalidInput as exc:
            return ExecutionResult(kind=ResultKind.RETRY, error=exc.message)
        kwargs: dict[str, Any] = dict(call.args)
        if registered.wants_ctx:
            kwargs[CTX_PARAMETER] = TaskContext.for_job(job)
        return await self._run(registered, call, kwargs)

    async def _run(
        self, registered: RegisteredTask, call: TaskCall, kwargs: dict[str, Any]
    ) -> ExecutionResult:
        limit = call.timeout or self._default_timeout
        deadline = asyncio.timeout(limit.total_seconds())
        try:
            async with deadline:
                value = await self._invoke(registered, kwargs)
        except Retry as signal:
            return outcome.asked_to_retry(signal)
        except Fail as signal:
            return outcome.asked_to_fail(signal)
        except TimeoutError as exc:
            if not deadline.expired():
                return outcome.raised(exc)  # the task's own TimeoutError, not our limit
            if not registered.is_async:
                # A thread cannot be stopped; it finishes in the background and its
                # result is dropped. Its pool slot stays busy until then.
                log.warning("task %s overran %s; its thread runs on", call.task, limit)
            return outcome.timed_out(format_duration(limit))
        except Exception as exc:
            return outcome.raised(exc)
        return outcome.succeeded(value)

    async def _invoke(self, registered: RegisteredTask, kwargs: dict[str, Any]) -> Any:
        if registered.is_async:
            return await registered.function(**kwargs)
        # Copy the context so that context variables (log fields, tracing) follow
        # the call into the thread.
        run = functools.partial(contextvars.copy_context().run, registered.function, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, run)

    async def close(self) -> None:
        # Threads cannot be interrupted; do not wait for overrunning ones.
        self._pool.shutdown(wait=False, cancel_futures=True)
