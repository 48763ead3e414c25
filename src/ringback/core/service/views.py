"""Jobs, attempts and the overview as plain JSON-ready dicts, with secrets masked.

The API's response models, the CLI's ``--json`` output and the dashboard all start
from these, so every interface shows the same fields under the same names and none
of them can forget to mask a payload. Times stay ``datetime`` (each interface
formats them); enums become their string values.
"""

from __future__ import annotations

from typing import Any

from ringback.core.jobs import Attempt, Job
from ringback.core.service.jobs import JobDetail
from ringback.core.service.overview import Overview
from ringback.core.service.redaction import mask_secrets


def job_view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind.value,
        "queue": job.queue,
        "key": job.key,
        "target": job.target,
        "labels": dict(job.labels),
        "state": job.state.value,
        "attempts": job.attempts,
        "series": job.series,
        "run_at": job.run_at,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "finished_at": job.finished_at,
        "last_error": job.last_error,
        "payload": mask_secrets(job.payload),
        "policy": dict(job.policy),
    }


def attempt_view(attempt: Attempt) -> dict[str, Any]:
    return {
        "series": attempt.series,
        "number": attempt.number,
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
        "duration_ms": attempt.duration_ms,
        "outcome": attempt.outcome.value,
        "status_code": attempt.status_code,
        "response_excerpt": attempt.response_excerpt,
        "error": attempt.error,
        "worker": attempt.worker,
    }


def detail_view(detail: JobDetail) -> dict[str, Any]:
    return {
        "job": job_view(detail.job),
        "attempts": [attempt_view(attempt) for attempt in detail.attempts],
    }


def overview_view(overview: Overview) -> dict[str, Any]:
    return {
        "generated_at": overview.generated_at,
        "counts": {state.value: count for state, count in overview.counts.items()},
        "total": overview.total,
        "pending": overview.pending,
        "dead": overview.dead,
        "queues": [
            {"queue": name, "counts": {state.value: n for state, n in counts.items()}}
            for name, counts in overview.queues.items()
        ],
        "next_due_at": overview.next_due_at,
        "next_due": [job_view(job) for job in overview.next_due],
    }
