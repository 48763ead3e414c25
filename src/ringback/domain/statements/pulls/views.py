"""Pulls, triggers and sources as plain JSON-ready dicts, for the CLI and the API.

Times stay ``datetime`` (each interface writes them its way). A pull's ``status`` reads
its job too: a pull whose job is dead is failed even if the worker that saw it die could
not record it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ringback.core.durations import format_duration
from ringback.core.jobs import Job, JobState
from ringback.core.service.views import detail_view

from .http_source import HttpSource
from .pull import Pull, PullStatus
from .service import PullDetail, PullTrigger
from .source import StatementSource


def effective_status(pull: Pull, job: Job | None) -> PullStatus:
    open_pull = pull.status in (PullStatus.SCHEDULED, PullStatus.WAITING)
    if open_pull and job is not None and job.state in (JobState.DEAD, JobState.CANCELLED):
        return PullStatus.FAILED
    return pull.status


def pull_view(pull: Pull, job: Job | None) -> dict[str, Any]:
    received = pull.received
    return {
        "source": pull.source,
        "date": pull.day.isoformat(),
        "status": effective_status(pull, job).value,
        "requests": pull.requests,
        "last_request_at": pull.last_request_at,
        "last_answer": pull.last_answer,
        "error": pull.error
        or (job.last_error if job is not None and job.state is JobState.DEAD else None),
        "job_key": pull.job_key,
        "job_id": None if job is None else job.id,
        "job_state": None if job is None else job.state.value,
        "next_request_at": job.run_at
        if job is not None and job.state is JobState.SCHEDULED
        else None,
        "file": None
        if received is None
        else {
            "sha256": received.sha256,
            "name": received.name,
            "size_bytes": received.size_bytes,
            "encoding": received.encoding,
            "container": received.container,
            "received_at": received.received_at,
            "lines": received.lines,
            "total_minor": received.total_minor,
            "declared_count": received.declared_count,
            "declared_total_minor": received.declared_total_minor,
            "currency": received.currency,
        },
        "report": pull.report,
        "previous_files": list(pull.previous_files),
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
    }


def pull_detail_view(detail: PullDetail) -> dict[str, Any]:
    current = next((d.job for d in detail.jobs if d.job.key == detail.pull.job_key), None)
    return {
        "pull": pull_view(detail.pull, current),
        "jobs": [detail_view(job) for job in detail.jobs],
        "gate": {
            "last_request_at": detail.gate.last_request_at,
            "next_allowed_at": detail.next_allowed_at,
        },
    }


def trigger_view(trigger: PullTrigger) -> dict[str, Any]:
    return {
        "source": trigger.pull.source,
        "date": trigger.pull.day.isoformat(),
        "action": trigger.action,
        "created": trigger.created,
        "sends_at": trigger.sends_at,
        "job_id": trigger.job.id,
        "job_key": trigger.job.key,
        "job_state": trigger.job.state.value,
    }


def source_view(source: StatementSource, next_allowed_at: datetime | None = None) -> dict[str, Any]:
    fetch = source.fetch
    return {
        "name": source.name,
        "kind": "http" if isinstance(fetch, HttpSource) else "plugin",
        # Only the host: a URL's path or query may carry a merchant's credentials.
        "target": fetch.url.split("/")[2] if isinstance(fetch, HttpSource) else fetch.path,
        "schedule": None if source.schedule is None else source.schedule.text,
        "tz": source.tz.key,
        "day_offset": source.day_offset,
        "min_interval": format_duration(source.min_interval),
        "deadline": source.deadline.strftime("%H:%M"),
        "format": source.format.name,
        "ledger": source.ledger.describe(),
        "next_allowed_at": next_allowed_at,
    }
