"""The HTTP shape of each client call, and decoding of answers; no I/O here, so the
async and sync clients share every rule and differ only in how they send."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ringback.core.durations import format_duration
from ringback.core.jobs import JobKind, JobState
from ringback.interfaces.client.errors import ApiError

REPLAYED_HEADER = "idempotent-replayed"
Params = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str
    params: Params = field(default_factory=list)
    body: Any = None  # JSON, or None for no body


@dataclass(frozen=True, slots=True)
class JobQuery:
    """Filters for listing jobs; every field narrows the result."""

    states: tuple[JobState | str, ...] = ()
    kinds: tuple[JobKind | str, ...] = ()
    queue: str | None = None
    key: str | None = None
    target: str | None = None
    label: tuple[str, str] | None = None  # (name, value)
    created_from: datetime | None = None
    created_to: datetime | None = None

    def params(self) -> Params:
        params: Params = [("state", str(state)) for state in self.states]
        params += [("kind", str(kind)) for kind in self.kinds]
        for name in ("queue", "key", "target"):
            value = getattr(self, name)
            if value is not None:
                params.append((name, value))
        if self.label is not None:
            params.append(("label", f"{self.label[0]}:{self.label[1]}"))
        for name in ("created_from", "created_to"):
            value = getattr(self, name)
            if value is not None:
                params.append((name, _time(value)))
        return params


def _time(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware time")
    return when.isoformat()


def _duration(delay: timedelta | str) -> str:
    return delay if isinstance(delay, str) else format_duration(delay)


def _when(at: datetime | None, delay: timedelta | str | None) -> dict[str, str]:
    body: dict[str, str] = {}
    if at is not None:
        body["at"] = _time(at)
    if delay is not None:
        body["delay"] = _duration(delay)
    return body


def submit_call(
    payload: Mapping[str, Any],
    *,
    kind: JobKind | str,
    policy: Mapping[str, Any] | str | None,
    key: str | None,
    queue: str,
    at: datetime | None,
    delay: timedelta | str | None,
    labels: Mapping[str, str] | None,
) -> Call:
    body: dict[str, Any] = {"kind": str(kind), "payload": dict(payload), "queue": queue}
    if policy is not None:
        body["policy"] = policy if isinstance(policy, str) else dict(policy)
    if key is not None:
        body["key"] = key
    if labels:
        body["labels"] = dict(labels)
    body.update(_when(at, delay))
    return Call("POST", "/v1/jobs", body=body)


def list_call(query: JobQuery, *, limit: int, cursor: str | None) -> Call:
    params = [*query.params(), ("limit", str(limit))]
    if cursor is not None:
        params.append(("cursor", cursor))
    return Call("GET", "/v1/jobs", params=params)


def job_call(job_id: int, action: str | None = None, body: Any = None) -> Call:
    path = f"/v1/jobs/{int(job_id)}"
    if action is None:
        return Call("GET", path)
    return Call("POST", f"{path}/{action}", body=body)


def retry_call(job_id: int, at: datetime | None, delay: timedelta | str | None) -> Call:
    return job_call(job_id, "retry", _when(at, delay))


def reschedule_call(job_id: int, at: datetime | None, delay: timedelta | str | None) -> Call:
    if at is None and delay is None:
        raise ValueError("reschedule needs at or delay")
    return job_call(job_id, "reschedule", _when(at, delay))


def preview_call(policy: Mapping[str, Any] | str, count: int, start: datetime | None) -> Call:
    body: dict[str, Any] = {
        "policy": policy if isinstance(policy, str) else dict(policy),
        "count": count,
    }
    if start is not None:
        body["start"] = _time(start)
    return Call("POST", "/v1/policies/preview", body=body)


def decode(status: int, text: str) -> Any:
    """The JSON of a 2xx answer, or raise the ``ApiError`` the answer describes."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if 200 <= status < 300:
        if data is None:
            raise ApiError(status, "bad_response", "the server's answer is not JSON")
        return data
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        field_name = error.get("field")
        raise ApiError(
            status,
            str(error.get("code") or "error"),
            error["message"],
            field_name if isinstance(field_name, str) else None,
        )
    snippet = " ".join(text.split())[:200] or "(empty)"
    raise ApiError(status, "http_error", f"HTTP {status}: {snippet}")
