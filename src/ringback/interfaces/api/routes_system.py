"""``/v1/overview``, ``/v1/policies/preview`` and the unauthenticated ``/healthz``."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ringback.core.service import JobService
from ringback.interfaces.api.errors import fields_in
from ringback.interfaces.api.render import overview_out, preview_out
from ringback.interfaces.api.schemas import (
    ErrorOut,
    HealthOut,
    OverviewOut,
    PreviewBody,
    PreviewOut,
)

log = logging.getLogger("ringback.api")

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong bearer token."},
    422: {"model": ErrorOut, "description": "Invalid input; `field` names the culprit."},
}


def system_router(service: JobService) -> APIRouter:
    router = APIRouter(prefix="/v1", responses=_ERRORS)

    @router.get(
        "/overview", response_model=OverviewOut, tags=["overview"], summary="Counts and next jobs"
    )
    async def overview() -> OverviewOut:
        return overview_out(await service.overview())

    @router.post(
        "/policies/preview",
        response_model=PreviewOut,
        tags=["policies"],
        summary="When a policy would try a job that keeps failing",
    )
    async def preview(body: PreviewBody) -> PreviewOut:
        with fields_in("body"):
            start = service.clock.now() if body.start is None else body.start
            runs = service.preview_policy(body.policy, body.count, start=start)
        return preview_out(start, runs, body.count)

    return router


def health_router(service: JobService) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get(
        "/healthz",
        response_model=HealthOut,
        summary="Liveness and store check (no auth)",
        responses={503: {"model": HealthOut, "description": "The store does not answer."}},
    )
    async def healthz() -> HealthOut | JSONResponse:
        try:
            version = await service.ping()
        except Exception as exc:
            # A health probe must answer, whatever broke; the log says what.
            log.warning("health check failed: %s", exc)
            return JSONResponse({"status": "unavailable", "schema_version": None}, status_code=503)
        return HealthOut(status="ok", schema_version=version)

    return router
