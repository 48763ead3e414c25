"""``dashboard_router``: the whole dashboard as one router for the API app.

Mount it with ``create_app(..., public_routers=[dashboard_router(...)])``: it brings
its own authentication (a login session, or the bearer token), so it must not sit
behind the API's bearer-only check, which a browser's navigation cannot pass.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from ringback.core.service import JobService
from ringback.core.service.stats import StatsService
from ringback.interfaces.api.auth import check_token_config
from ringback.interfaces.dashboard.context import Dashboard
from ringback.interfaces.dashboard.providers import PaymentsView, StatementsView
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.routes_bulk import bulk_routes
from ringback.interfaces.dashboard.routes_endpoints import endpoints_routes
from ringback.interfaces.dashboard.routes_job import job_routes
from ringback.interfaces.dashboard.routes_jobs import jobs_routes
from ringback.interfaces.dashboard.routes_login import login_routes
from ringback.interfaces.dashboard.routes_overview import overview_routes
from ringback.interfaces.dashboard.routes_payments import payments_routes
from ringback.interfaces.dashboard.routes_statements import statements_routes
from ringback.interfaces.dashboard.routes_static import static_routes
from ringback.interfaces.dashboard.session import SessionSigner


def dashboard_router(
    jobs: JobService,
    stats: StatsService,
    *,
    token: str,
    state_dir: Path | None = None,
    payments: PaymentsView | None = None,
    statements: StatementsView | None = None,
    secure_cookie: bool | None = None,
) -> APIRouter:
    """The dashboard's pages under ``/dashboard``.

    ``token`` is the API token (the login asks for it). ``state_dir`` is the
    supervisor's state folder, for the workers table (None outside ``ringback
    serve``). ``payments`` and ``statements`` render those pages when the features
    are configured. ``secure_cookie`` forces the session cookie's Secure flag; by
    default it is set when the request came over https.
    """
    check_token_config(token)
    dash = Dashboard(
        jobs=jobs,
        stats=stats,
        signer=SessionSigner(token),
        clock=jobs.clock,
        state_dir=state_dir,
        payments=payments,
        statements=statements,
        secure_cookie=secure_cookie,
    )
    router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
    # bulk before job: "/jobs/bulk-retry" must not be taken for "/jobs/{job_id}".
    parts = (
        static_routes(),
        login_routes(dash),
        overview_routes(dash),
        bulk_routes(dash),
        jobs_routes(dash),
        job_routes(dash),
        endpoints_routes(dash),
        payments_routes(dash),
        statements_routes(dash),
    )
    for part in parts:
        router.include_router(part)
    return router


def secure_cookie_for(public_url: str) -> bool | None:
    """Force the Secure flag when the configured public URL is https (behind a proxy
    that ends TLS, the request itself arrives over plain http); else decide per request."""
    return True if public_url.lower().startswith("https://") else None
