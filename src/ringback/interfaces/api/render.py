"""Core values -> response bodies, from the service's masked views."""

from __future__ import annotations

from datetime import datetime

from ringback.core.jobs import Job
from ringback.core.service import JobDetail, Overview
from ringback.core.service.views import detail_view, job_view, overview_view
from ringback.interfaces.api.schemas import (
    JobDetailOut,
    JobOut,
    OverviewOut,
    PreviewOut,
    PreviewRun,
)


def job_out(job: Job) -> JobOut:
    return JobOut.model_validate(job_view(job))


def detail_out(detail: JobDetail) -> JobDetailOut:
    return JobDetailOut.model_validate(detail_view(detail))


def overview_out(overview: Overview) -> OverviewOut:
    return OverviewOut.model_validate(overview_view(overview))


def preview_out(start: datetime, runs: list[datetime], count: int) -> PreviewOut:
    return PreviewOut(
        start=start,
        runs=[
            PreviewRun(number=i, at=at, offset_s=(at - start).total_seconds())
            for i, at in enumerate(runs, start=1)
        ],
        gives_up=len(runs) < count,
    )
