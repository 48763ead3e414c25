"""What a caller asks for when submitting a job, and the pure checks that turn it
into a ``NewJob``.

Everything is validated here, before the store is touched, so a bad request
changes nothing and names the field at fault.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ringback.core.clock import utc
from ringback.core.errors import InvalidInput
from ringback.core.executors.base import Executor, PreparedJob
from ringback.core.jobs import JobKind, NewJob
from ringback.core.policies import Policy
from ringback.core.service.policy_specs import PolicySpec, parse_policy_spec

MAX_KEY_CHARS = 200
MAX_LABELS = 32
MAX_LABEL_VALUE_CHARS = 256
# A stored payload is read back on every attempt; a megabyte is far beyond any
# real notification and keeps one bad caller from bloating the database.
MAX_PAYLOAD_BYTES = 1024 * 1024

_QUEUE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_LABEL_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}")


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """One job to submit. ``at`` and ``delay`` are exclusive; with neither, the
    policy decides the first run (usually: now)."""

    kind: JobKind | str
    payload: Mapping[str, Any]
    policy: PolicySpec | None = None
    key: str | None = None
    queue: str = "default"
    at: datetime | None = None
    delay: timedelta | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


def build_new_job(
    req: SubmitRequest,
    *,
    now: datetime,
    executors: Mapping[JobKind, Executor],
    default_policy: PolicySpec,
) -> NewJob:
    """Validate ``req`` completely and return the job to store (raises InvalidInput)."""
    kind = _check_kind(req.kind, executors)
    key = _check_key(req.key)
    queue = _check_queue(req.queue)
    labels = _check_labels(req.labels)
    policy = _check_policy(req.policy, default_policy)
    prepared = _prepare_payload(executors[kind], req.payload)
    run_at = first_run_at(policy, now=now, at=req.at, delay=req.delay)
    return NewJob(
        kind=kind,
        payload=prepared.payload,
        policy=policy.to_spec(),
        run_at=run_at,
        queue=queue,
        key=key,
        target=prepared.target,
        labels=labels,
    )


def first_run_at(
    policy: Policy | None, *, now: datetime, at: datetime | None, delay: timedelta | None
) -> datetime:
    """``at``, else ``now + delay``, else the policy's first run (else now)."""
    if at is not None and delay is not None:
        raise InvalidInput("give either 'at' or 'delay', not both", field="delay")
    if at is not None:
        return check_aware(at, "at")
    if delay is not None:
        return now + check_delay(delay, "delay")
    return now if policy is None else utc(policy.first_run(now))


def check_aware(when: datetime, field_name: str) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidInput("time needs a timezone (e.g. 2026-01-01T12:00:00Z)", field=field_name)
    return utc(when)


def check_delay(delay: timedelta, field_name: str) -> timedelta:
    if delay < timedelta(0):
        raise InvalidInput("delay must not be negative", field=field_name)
    return delay


def _check_kind(kind: JobKind | str, executors: Mapping[JobKind, Executor]) -> JobKind:
    try:
        parsed = JobKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in JobKind)
        raise InvalidInput(f"unknown kind {kind!r} (known: {known})", field="kind") from None
    if parsed not in executors:
        raise InvalidInput(f"kind {parsed.value!r} is not enabled here", field="kind")
    return parsed


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput("key must be a non-empty string", field="key")
    if len(key) > MAX_KEY_CHARS:
        raise InvalidInput(f"key is longer than {MAX_KEY_CHARS} characters", field="key")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in key):
        raise InvalidInput("key must not contain control characters", field="key")
    return key


def _check_queue(queue: str) -> str:
    if not isinstance(queue, str) or not _QUEUE_RE.fullmatch(queue):
        raise InvalidInput(
            "queue must be 1-64 letters, digits or _.:- starting with a letter or digit",
            field="queue",
        )
    return queue


def _check_labels(labels: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(labels, Mapping):
        raise InvalidInput("labels must be an object of name: value", field="labels")
    if len(labels) > MAX_LABELS:
        raise InvalidInput(f"at most {MAX_LABELS} labels", field="labels")
    checked: dict[str, str] = {}
    for name, value in labels.items():
        if not isinstance(name, str) or not _LABEL_NAME_RE.fullmatch(name):
            raise InvalidInput(
                "label names are 1-64 letters, digits or _.:/- characters",
                field=f"labels.{name}",
            )
        if not isinstance(value, str) or len(value) > MAX_LABEL_VALUE_CHARS:
            raise InvalidInput(
                f"label values are strings of at most {MAX_LABEL_VALUE_CHARS} characters",
                field=f"labels.{name}",
            )
        checked[name] = value
    return checked


def _check_policy(spec: PolicySpec | None, default: PolicySpec) -> Policy:
    return parse_policy_spec(default if spec is None else spec, field_prefix="policy")


def _prepare_payload(executor: Executor, payload: Mapping[str, Any]) -> PreparedJob:
    if not isinstance(payload, Mapping):
        raise InvalidInput("payload must be a JSON object", field="payload")
    try:
        size = len(json.dumps(payload, ensure_ascii=False).encode())
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"payload is not JSON: {exc}", field="payload") from None
    if size > MAX_PAYLOAD_BYTES:
        raise InvalidInput(f"payload is larger than {MAX_PAYLOAD_BYTES} bytes", field="payload")
    try:
        return executor.prepare(dict(payload))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=prefixed("payload", exc.field)) from None


def prefixed(prefix: str, field_name: str | None) -> str:
    """``payload`` + ``url`` -> ``payload.url``; leaves an already prefixed name alone."""
    if not field_name:
        return prefix
    if (
        field_name == prefix
        or field_name.startswith(prefix + ".")
        or field_name.startswith(prefix + "[")
    ):
        return field_name
    if field_name.startswith("["):
        return prefix + field_name
    return f"{prefix}.{field_name}"
