"""What the client returns: typed, immutable views of the API's JSON answers.

Decoding is strict: an answer that does not have the documented shape raises
``ApiError(code="bad_response")`` instead of surfacing as a KeyError later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from ringback.core.jobs import AttemptOutcome, JobState
from ringback.interfaces.client.errors import ApiError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class JobInfo:
    id: int
    kind: str
    queue: str
    key: str | None
    target: str | None
    labels: dict[str, str]
    state: JobState
    attempts: int
    series: int
    run_at: datetime
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    last_error: str | None
    payload: dict[str, Any]  # secrets come back masked
    policy: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AttemptInfo:
    series: int
    number: int
    started_at: datetime
    finished_at: datetime
    duration_ms: int
    outcome: AttemptOutcome
    status_code: int | None
    response_excerpt: str | None
    error: str | None
    worker: str


@dataclass(frozen=True, slots=True)
class JobDetails:
    job: JobInfo
    attempts: list[AttemptInfo]


@dataclass(frozen=True, slots=True)
class Submitted:
    job: JobInfo
    created: bool  # False: the idempotency key already named this job


@dataclass(frozen=True, slots=True)
class JobList:
    jobs: list[JobInfo]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class OverviewInfo:
    generated_at: datetime
    counts: dict[JobState, int]
    total: int
    pending: int
    dead: int
    queues: dict[str, dict[JobState, int]]
    next_due_at: datetime | None
    next_due: list[JobInfo]


@dataclass(frozen=True, slots=True)
class PolicyPreview:
    start: datetime
    runs: list[datetime]
    gives_up: bool


def _bad(what: str) -> ApiError:
    return ApiError(200, "bad_response", f"unexpected answer from the server: {what}")


def _get(data: Mapping[str, Any], name: str, kind: Callable[[Any], T]) -> T:
    if name not in data:
        raise _bad(f"missing {name!r}")
    try:
        return kind(data[name])
    except (TypeError, ValueError, KeyError) as exc:
        raise _bad(f"{name!r}: {exc}") from None


def _opt(kind: Callable[[Any], T]) -> Callable[[Any], T | None]:
    return lambda value: None if value is None else kind(value)


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected a time string")
    return datetime.fromisoformat(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected an integer")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _obj(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value


def _counts(value: Any) -> dict[JobState, int]:
    return {JobState(state): _int(count) for state, count in _obj(value).items()}


def job_info(data: Any) -> JobInfo:
    data = _obj(data)
    return JobInfo(
        id=_get(data, "id", _int),
        kind=_get(data, "kind", _str),
        queue=_get(data, "queue", _str),
        key=_get(data, "key", _opt(_str)),
        target=_get(data, "target", _opt(_str)),
        labels={k: _str(v) for k, v in _get(data, "labels", _obj).items()},
        state=_get(data, "state", JobState),
        attempts=_get(data, "attempts", _int),
        series=_get(data, "series", _int),
        run_at=_get(data, "run_at", _time),
        created_at=_get(data, "created_at", _time),
        updated_at=_get(data, "updated_at", _time),
        finished_at=_get(data, "finished_at", _opt(_time)),
        last_error=_get(data, "last_error", _opt(_str)),
        payload=_get(data, "payload", _obj),
        policy=_get(data, "policy", _obj),
    )


def attempt_info(data: Any) -> AttemptInfo:
    data = _obj(data)
    return AttemptInfo(
        series=_get(data, "series", _int),
        number=_get(data, "number", _int),
        started_at=_get(data, "started_at", _time),
        finished_at=_get(data, "finished_at", _time),
        duration_ms=_get(data, "duration_ms", _int),
        outcome=_get(data, "outcome", AttemptOutcome),
        status_code=_get(data, "status_code", _opt(_int)),
        response_excerpt=_get(data, "response_excerpt", _opt(_str)),
        error=_get(data, "error", _opt(_str)),
        worker=_get(data, "worker", _str),
    )


def _list(value: Any, item: Callable[[Any], T]) -> list[T]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return [item(entry) for entry in value]


def job_details(data: Any) -> JobDetails:
    data = _obj(data)
    return JobDetails(
        job=_get(data, "job", job_info),
        attempts=_get(data, "attempts", lambda v: _list(v, attempt_info)),
    )


def job_of(data: Any) -> JobInfo:
    return _get(_obj(data), "job", job_info)


def submitted(data: Any, *, created: bool) -> Submitted:
    return Submitted(job=job_of(data), created=created)


def job_list(data: Any) -> JobList:
    data = _obj(data)
    return JobList(
        jobs=_get(data, "jobs", lambda v: _list(v, job_info)),
        next_cursor=_get(data, "next_cursor", _opt(_str)),
    )


def overview_info(data: Any) -> OverviewInfo:
    data = _obj(data)
    queues = {
        _get(entry, "queue", _str): _get(entry, "counts", _counts)
        for entry in _get(data, "queues", lambda v: _list(v, _obj))
    }
    return OverviewInfo(
        generated_at=_get(data, "generated_at", _time),
        counts=_get(data, "counts", _counts),
        total=_get(data, "total", _int),
        pending=_get(data, "pending", _int),
        dead=_get(data, "dead", _int),
        queues=queues,
        next_due_at=_get(data, "next_due_at", _opt(_time)),
        next_due=_get(data, "next_due", lambda v: _list(v, job_info)),
    )


def policy_preview(data: Any) -> PolicyPreview:
    data = _obj(data)
    runs = _get(data, "runs", lambda v: _list(v, _obj))
    return PolicyPreview(
        start=_get(data, "start", _time),
        runs=[_get(run, "at", _time) for run in runs],
        gives_up=_get(data, "gives_up", bool),
    )
