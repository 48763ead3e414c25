"""The FastAPI application: routes, bearer auth, error shapes, OpenAPI metadata."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Depends, FastAPI

import ringback
from ringback.core.service import JobService
from ringback.interfaces.api.auth import token_dependency
from ringback.interfaces.api.errors import install_error_handlers
from ringback.interfaces.api.routes_jobs import jobs_router
from ringback.interfaces.api.routes_system import health_router, system_router

DESCRIPTION = """\
ringback calls back until they answer: submit a job (an HTTP callback, a task, a
command) with a retry policy, and ringback attempts it on schedule until it succeeds
or the policy gives up.

Every route except `/healthz` needs `Authorization: Bearer <token>`. Errors are
`{"error": {"code", "message", "field"}}`.
"""


def create_app(
    service: JobService,
    *,
    token: str,
    extra_routers: Sequence[APIRouter] = (),
    public_routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """The API over ``service``.

    ``extra_routers`` are mounted behind the same bearer check as ``/v1``;
    ``public_routers`` are mounted without it and must bring their own auth
    (e.g. a dashboard with a login session).
    """
    require_token = Depends(token_dependency(token))
    app = FastAPI(
        title="ringback",
        version=ringback.__version__,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "jobs", "description": "Submit jobs and act on them."},
            {"name": "overview", "description": "State counts and what runs next."},
            {"name": "policies", "description": "Try a retry policy before using it."},
            {"name": "health", "description": "For load balancers and supervisors."},
        ],
    )
    install_error_handlers(app)
    app.state.service = service
    app.include_router(health_router(service))
    app.include_router(jobs_router(service), dependencies=[require_token])
    app.include_router(system_router(service), dependencies=[require_token])
    for router in extra_routers:
        app.include_router(router, dependencies=[require_token])
    for router in public_routers:
        app.include_router(router)
    return app
