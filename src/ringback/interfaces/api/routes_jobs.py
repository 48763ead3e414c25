"""``/v1/jobs``: submit, list, show, cancel, retry, reschedule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import AwareDatetime

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JobState
from ringback.core.service import MAX_PAGE_SIZE, JobService, SubmitRequest
from ringback.core.store import JobFilter
from ringback.interfaces.api.errors import fields_in
from ringback.interfaces.api.render import detail_out, job_out
from ringback.interfaces.api.schemas import (
    ErrorOut,
    JobDetailOut,
    JobEnvelope,
    JobListOut,
    RescheduleBody,
    RetryBody,
    SubmitAnswer,
    SubmitJobBody,
)

REPLAYED_HEADER = "Idempotent-Replayed"

JobId = Annotated[int, Path(ge=1, description="The job's id.")]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong bearer token."},
    404: {"model": ErrorOut, "description": "No such job."},
    409: {"model": ErrorOut, "description": "Not allowed in the job's current state."},
    422: {"model": ErrorOut, "description": "Invalid input; `field` names the culprit."},
}


def parse_label(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    name, sep, value = text.partition(":")
    if not sep or not name:
        raise InvalidInput("label filter is name:value", field="label")
    return name, value


def parse_cursor(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput("cursor is the next_cursor of a previous page", field="cursor")
    return int(text)


def jobs_router(service: JobService) -> APIRouter:
    router = APIRouter(prefix="/v1/jobs", tags=["jobs"], responses=_ERRORS)

    @router.post(
        "",
        status_code=201,
        response_model=SubmitAnswer,
        summary="Submit a job",
        responses={200: {"model": SubmitAnswer, "description": "The key already existed."}},
    )
    async def submit(body: SubmitJobBody, response: Response) -> SubmitAnswer:
        with fields_in("body"):
            request = SubmitRequest(
                kind=body.kind,
                payload=body.payload,
                policy=body.policy,
                key=body.key,
                queue=body.queue,
                at=body.at,
                delay=body.delay,
                labels=body.labels,
            )
            result = await service.submit(request)
        if not result.created:
            response.status_code = 200
            response.headers[REPLAYED_HEADER] = "true"
        return SubmitAnswer(job=job_out(result.job), created=result.created)

    @router.get("", response_model=JobListOut, summary="List jobs, newest first")
    async def list_jobs(
        state: Annotated[list[JobState], Query(description="Repeatable.")] = [],  # noqa: B006
        kind: Annotated[list[JobKind], Query(description="Repeatable.")] = [],  # noqa: B006
        queue: str | None = None,
        key: str | None = None,
        target: str | None = None,
        label: Annotated[str | None, Query(description="name:value")] = None,
        created_from: Annotated[AwareDatetime | None, Query(description="Inclusive.")] = None,
        created_to: Annotated[AwareDatetime | None, Query(description="Exclusive.")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
        cursor: Annotated[str | None, Query(description="next_cursor of the last page.")] = None,
    ) -> JobListOut:
        with fields_in("query"):
            where = JobFilter(
                states=frozenset(state),
                kinds=frozenset(kind),
                queue=queue,
                key=key,
                target=target,
                label=parse_label(label),
                created_from=created_from,
                created_to=created_to,
            )
            page = await service.list(where, limit=limit, cursor=parse_cursor(cursor))
        return JobListOut(
            jobs=[job_out(job) for job in page.jobs],
            next_cursor=None if page.next_cursor is None else str(page.next_cursor),
        )

    @router.get("/{job_id}", response_model=JobDetailOut, summary="Show a job and its attempts")
    async def show(job_id: JobId) -> JobDetailOut:
        return detail_out(await service.get(job_id))

    @router.post("/{job_id}/cancel", response_model=JobEnvelope, summary="Cancel a job")
    async def cancel(job_id: JobId) -> JobEnvelope:
        return JobEnvelope(job=job_out(await service.cancel(job_id)))

    @router.post(
        "/{job_id}/retry",
        response_model=JobEnvelope,
        summary="Start a new series for a dead or cancelled job",
    )
    async def retry(job_id: JobId, body: RetryBody | None = None) -> JobEnvelope:
        body = body or RetryBody()
        with fields_in("body"):
            job = await service.retry(job_id, body.at, delay=body.delay)
        return JobEnvelope(job=job_out(job))

    @router.post(
        "/{job_id}/reschedule",
        response_model=JobEnvelope,
        summary="Move a scheduled job's next attempt",
    )
    async def reschedule(job_id: JobId, body: RescheduleBody) -> JobEnvelope:
        with fields_in("body"):
            job = await service.reschedule(job_id, body.at, delay=body.delay)
        return JobEnvelope(job=job_out(job))

    return router
