"""Submitted jobs <-> ``insert_job`` rows, a whole batch at a time.

Enqueue must sustain tens of thousands of jobs a second, so the per-job Python work is
kept small:

* rows are plain lists bound by position (binding by name makes a string per
  parameter per row), in the order of ``insert_job``'s ``?1`` … ``?10``;
* a policy or label set shared by many jobs of a batch (the same object) is encoded
  once, and equal policy and label texts decode to one shared value (jobs are
  immutable values);
* payloads come back from one ``json.loads`` over the whole batch.

Returned jobs are decoded from exactly the text stored, so they equal what
``get_job`` reads later.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from ringback.core.errors import InvalidInput
from ringback.core.jobs import Job, JobKind, JobState, JsonObject, NewJob
from ringback.core.store.sqlite.codec import dump_json, from_micros, load_object, to_micros

NewRow = list[Any]
"""``[id, kind, queue, key, target, labels, payload, policy, run_at, now]``"""

ID, KIND, QUEUE, KEY, TARGET, LABELS, PAYLOAD, POLICY, RUN_AT, NOW = range(10)

# A dict lookup instead of calling the enum: JobKind(...) costs more than it looks,
# and a batch pays it per job. Keyed by value; a StrEnum member hashes as its value.
_KINDS: dict[str, JobKind] = {kind.value: kind for kind in JobKind}

_SharedJson = Callable[[object, str], str]


def encode_new_jobs(jobs: Sequence[NewJob], now_us: int) -> list[NewRow]:
    """The ``insert_job`` rows (``id`` still 0); raises InvalidInput for bad fields."""
    shared_texts: dict[int, str] = {}

    def shared_json(value: object, field: str) -> str:
        # Keyed by identity: the objects live in ``jobs`` for the whole call.
        text = shared_texts.get(id(value))
        if text is None:
            text = shared_texts[id(value)] = dump_json(value, field)
        return text

    return [_encode(job, now_us, shared_json) for job in jobs]


def _encode(job: NewJob, now_us: int, shared_json: _SharedJson) -> NewRow:
    _check(job)
    kind = _KINDS.get(job.kind)
    if kind is None:
        raise InvalidInput(f"unknown job kind {job.kind!r}", field="kind")
    return [
        0,
        kind.value,
        job.queue,
        job.key,
        job.target,
        shared_json(job.labels, "labels"),
        dump_json(job.payload, "payload"),
        shared_json(job.policy, "policy"),
        to_micros(job.run_at, "run_at"),
        now_us,
    ]


def _check(job: NewJob) -> None:
    if not isinstance(job.payload, dict):
        raise InvalidInput("payload must be a JSON object", field="payload")
    if not isinstance(job.policy, dict):
        raise InvalidInput("policy must be a JSON object", field="policy")
    if not isinstance(job.queue, str) or not job.queue:
        raise InvalidInput("queue must be a non-empty string", field="queue")
    if job.key is not None and (not isinstance(job.key, str) or not job.key):
        raise InvalidInput("key must be a non-empty string or absent", field="key")
    if job.target is not None and not isinstance(job.target, str):
        raise InvalidInput("target must be a string or absent", field="target")
    if not isinstance(job.labels, dict) or not all(
        isinstance(name, str) and isinstance(value, str) for name, value in job.labels.items()
    ):
        raise InvalidInput("labels must map strings to strings", field="labels")


def created_jobs(rows: Sequence[NewRow]) -> list[Job]:
    """The jobs exactly as ``insert_job`` stored ``rows``, without reading them back."""
    if not rows:
        return []
    payloads = json.loads("[" + ",".join(row[PAYLOAD] for row in rows) + "]")
    decoded: dict[str, JsonObject] = {}

    def shared_object(text: str) -> JsonObject:
        value = decoded.get(text)
        if value is None:
            value = decoded[text] = load_object(text)
        return value

    created_at = {now_us: from_micros(now_us) for now_us in {row[NOW] for row in rows}}
    jobs = []
    for row, payload in zip(rows, payloads, strict=True):
        run_at = from_micros(row[RUN_AT])
        now = created_at[row[NOW]]
        jobs.append(
            Job(
                id=row[ID],
                kind=_KINDS[row[KIND]],
                queue=row[QUEUE],
                key=row[KEY],
                target=row[TARGET],
                labels=shared_object(row[LABELS]),
                payload=payload,
                policy=shared_object(row[POLICY]),
                state=JobState.SCHEDULED,
                run_at=run_at,
                attempts=0,
                series=1,
                series_started_at=run_at,
                created_at=now,
                updated_at=now,
            )
        )
    return jobs
