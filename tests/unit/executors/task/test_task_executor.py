"""The task executor: payload checks, and results for every way a task can end."""

from __future__ import annotations

import asyncio
import contextvars
import json
import threading
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.executors.base import ResultKind
from ringback.core.executors.task import (
    Fail,
    Retry,
    TaskContext,
    TaskExecutor,
    TaskRegistry,
)
from ringback.core.jobs import ATTEMPT_EXCERPT_BYTES, Job, JobKind

MakeJob = Callable[..., Job]  # the make_job fixture (conftest.py)

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")
release = threading.Event()
started = threading.Event()
registry = TaskRegistry()


@registry.task("statements.fetch")
async def fetch_statement(account: str, day: str) -> dict[str, Any]:
    return {"account": account, "day": day, "lines": 3}


@registry.task("statements.parse")
def parse_statement(text: str) -> list[str]:
    return text.split(",")


@registry.task("statements.not_ready")
def not_ready() -> None:
    raise Retry("file not published yet", delay=timedelta(minutes=30))


@registry.task("payments.refused")
async def refused(order: str) -> None:
    raise Fail(f"order {order} does not exist\nsecond line")


@registry.task("payments.broken")
def broken(order: str) -> None:
    raise ValueError(f"cannot parse amount for {order}\nmore detail that stays out")


@registry.task("slow.async")
async def slow_async() -> None:
    await asyncio.Event().wait()


@registry.task("slow.sync")
def slow_sync() -> bool:
    started.set()
    return release.wait(5)


@registry.task("with.ctx")
def with_ctx(day: str, ctx: TaskContext) -> dict[str, Any]:
    return {"day": day, "job": ctx.job_id, "attempt": ctx.attempt, "series": ctx.series}


@registry.task("context.var")
def read_context_var() -> str:
    return request_id.get()


@registry.task("big.result")
def big_result() -> str:
    return "é" * 5000


@registry.task("odd.result")
def odd_result() -> object:
    return {1, 2}


@registry.task("own.timeout")
async def own_timeout() -> None:
    raise TimeoutError("the bank's SFTP did not answer")


@pytest.fixture
async def executor() -> AsyncIterator[TaskExecutor]:
    executor = TaskExecutor(registry, thread_pool_size=4, default_timeout=timedelta(seconds=5))
    yield executor
    release.set()  # free a thread a test may have left blocked
    await executor.close()


def test_the_executor_handles_task_jobs(executor: TaskExecutor) -> None:
    assert executor.kind is JobKind.TASK


def test_prepare_normalises_a_payload(executor: TaskExecutor) -> None:
    prepared = executor.prepare(
        {
            "task": "statements.fetch",
            "args": {"account": "A1", "day": "2026-11-23"},
            "timeout": "PT90S",
        }
    )

    assert prepared.payload == {
        "task": "statements.fetch",
        "args": {"account": "A1", "day": "2026-11-23"},
        "timeout": "1m30s",
    }
    assert prepared.target is None
    assert executor.prepare({"task": "payments.broken", "args": {"order": "o"}}).payload == {
        "task": "payments.broken",
        "args": {"order": "o"},
    }


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"task": "nope"}, "task", "no task named 'nope' is registered"),
        ({"args": {}}, "task", "name the task"),
        ({"task": "statements.parse", "args": ["a"]}, "args", "JSON object"),
        ({"task": "statements.parse", "args": {}}, "args", "missing a required argument"),
        ({"task": "statements.parse", "args": {"text": "a", "extra": 1}}, "args", "unexpected"),
        ({"task": "statements.parse", "args": {"text": "a"}, "timeout": "30"}, "timeout", "unit"),
        ({"task": "statements.parse", "args": {"text": "a"}, "timeout": "0s"}, "timeout", "more"),
        ({"task": "statements.parse", "args": {"text": "a"}, "timeout": "2h"}, "timeout", "most"),
        ({"task": "statements.parse", "args": {"text": "a"}, "retries": 3}, "retries", "unknown"),
        ({"task": "with.ctx", "args": {"day": "d", "ctx": 1}}, "args.ctx", "supplied by ringback"),
        ({"task": "statements.parse", "args": {"text": float("nan")}}, "args", "plain JSON"),
    ],
)
def test_prepare_refuses_bad_payloads(
    executor: TaskExecutor, payload: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as error:
        executor.prepare(payload)

    assert error.value.field == field


async def test_an_async_task_succeeds_with_its_return_value(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    job = make_job({"task": "statements.fetch", "args": {"account": "A1", "day": "2026-11-23"}})

    result = await executor.execute(job)

    assert result.kind is ResultKind.SUCCESS
    assert json.loads(result.response_excerpt or "") == {
        "account": "A1",
        "day": "2026-11-23",
        "lines": 3,
    }
    assert result.error is None


async def test_a_sync_task_runs_in_a_thread_and_leaves_the_loop_free(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    started.clear()
    release.clear()
    running = asyncio.create_task(executor.execute(make_job({"task": "slow.sync"})))
    # Had the function blocked the loop, this coroutine could not run to release it.
    while not started.is_set():
        await asyncio.sleep(0.001)
    release.set()

    result = await running

    assert (result.kind, result.response_excerpt) == (ResultKind.SUCCESS, "true")


async def test_retry_carries_the_requested_delay(executor: TaskExecutor, make_job: MakeJob) -> None:
    result = await executor.execute(make_job({"task": "statements.not_ready"}))

    assert result.kind is ResultKind.RETRY
    assert result.error == "file not published yet"
    assert result.retry_after == timedelta(minutes=30)


async def test_fail_ends_the_job_with_the_first_line(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    result = await executor.execute(make_job({"task": "payments.refused", "args": {"order": "9"}}))

    assert (result.kind, result.error) == (ResultKind.FAIL, "order 9 does not exist")


async def test_any_other_exception_is_retried_with_type_and_first_line(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    result = await executor.execute(make_job({"task": "payments.broken", "args": {"order": "7"}}))

    assert result.kind is ResultKind.RETRY
    assert result.error == "ValueError: cannot parse amount for 7"
    assert result.retry_after is None
    excerpt = result.response_excerpt or ""
    assert "Traceback" in excerpt and "in broken" in excerpt
    assert excerpt.rstrip().endswith("more detail that stays out")


@pytest.mark.parametrize("name", ["slow.async", "slow.sync"])
async def test_a_task_over_its_time_limit_is_retried(
    executor: TaskExecutor, make_job: MakeJob, name: str
) -> None:
    release.clear()

    result = await executor.execute(make_job({"task": name, "timeout": "50ms"}))

    assert (result.kind, result.error) == (ResultKind.RETRY, "timed out after 50ms")


async def test_a_task_raising_its_own_timeout_error_is_not_called_a_time_limit(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    result = await executor.execute(make_job({"task": "own.timeout"}))

    assert result.error == "TimeoutError: the bank's SFTP did not answer"


async def test_ctx_tells_the_task_about_its_attempt(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    job = make_job({"task": "with.ctx", "args": {"day": "d"}}, job_id=42, attempts=2, series=3)

    result = await executor.execute(job)

    assert json.loads(result.response_excerpt or "") == {
        "day": "d",
        "job": 42,
        "attempt": 3,
        "series": 3,
    }


async def test_context_variables_follow_a_sync_task_into_its_thread(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    request_id.set("req-17")

    result = await executor.execute(make_job({"task": "context.var"}))

    assert result.response_excerpt == '"req-17"'


async def test_a_large_return_value_is_cut_to_the_excerpt_size(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    result = await executor.execute(make_job({"task": "big.result"}))

    excerpt = result.response_excerpt or ""
    assert result.kind is ResultKind.SUCCESS
    assert len(excerpt.encode()) <= ATTEMPT_EXCERPT_BYTES
    assert excerpt.startswith('"éé') and excerpt.endswith("…")


async def test_a_value_json_cannot_hold_is_shown_by_repr(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    result = await executor.execute(make_job({"task": "odd.result"}))

    assert (result.kind, result.response_excerpt) == (ResultKind.SUCCESS, "{1, 2}")


async def test_a_task_missing_from_this_worker_is_retried(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    result = await executor.execute(make_job({"task": "deployed.later"}))

    assert (result.kind, result.error) == (
        ResultKind.RETRY,
        "no task named 'deployed.later' in this worker",
    )


async def test_a_stored_payload_that_no_longer_parses_fails(
    executor: TaskExecutor, make_job: MakeJob
) -> None:
    result = await executor.execute(make_job({"task": "statements.parse", "args": "text"}))

    assert result.kind is ResultKind.FAIL
    assert result.error == "unusable payload: args must be a JSON object of named arguments"
