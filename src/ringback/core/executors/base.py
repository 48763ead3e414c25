"""The executor protocol: one attempt of one job, turned into a result value."""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass
from datetime import timedelta

from ringback.core.jobs import Job, JobKind, JsonObject


class ResultKind(enum.StrEnum):
    SUCCESS = "success"
    RETRY = "retry"  # failed; ask the policy when to try again
    FAIL = "fail"  # failed for good; do not retry


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    kind: ResultKind
    status_code: int | None = None  # HTTP status or exit code
    response_excerpt: str | None = None  # at most ATTEMPT_EXCERPT_BYTES of the answer
    error: str | None = None  # why it failed, one line, no secrets
    retry_after: timedelta | None = None  # the receiver's own request, if any


@dataclass(frozen=True, slots=True)
class PreparedJob:
    """What an executor's ``prepare`` makes of a submitted payload."""

    payload: JsonObject  # normalised payload to store
    target: str | None  # concurrency key (HTTP: "host:port")


class Executor(abc.ABC):
    kind: JobKind

    @abc.abstractmethod
    def prepare(self, payload: JsonObject) -> PreparedJob:
        """Validate and normalise a submitted payload. Raises InvalidInput (with the
        field at fault) for bad input; does no I/O that could hang."""

    @abc.abstractmethod
    async def execute(self, job: Job) -> ExecutionResult:
        """Carry out one attempt. Never raises for the job's own failures: they are
        results. Honours its own timeouts."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release sockets, pools, processes."""
