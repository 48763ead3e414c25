"""``/dashboard/jobs``: search and filter jobs, newest first, a page at a time.

Pages follow an id cursor (``id < cursor``), so each is one bounded index read and
jobs arriving meanwhile never shift a page. No total is counted here: with a
million jobs a count over an arbitrary filter could scan; the bulk retry page counts
only dead and cancelled jobs, which the store indexes.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JobState
from ringback.core.service import job_view
from ringback.core.store.contract import JobFilter
from ringback.interfaces.dashboard.auth import authenticate
from ringback.interfaces.dashboard.context import BASE, Dashboard
from ringback.interfaces.dashboard.job_filters import JobQuery, parse_job_query, with_paging
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.templating import render


def jobs_routes(dash: Dashboard) -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(f"{BASE}/jobs")
    async def jobs(request: Request) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        params = request.query_params
        query: JobQuery | None = None
        error: InvalidInput | None = None
        rows: list[dict[str, object]] = []
        next_cursor: int | None = None
        try:
            query = with_paging(
                parse_job_query(params.multi_items()), params.get("cursor"), params.get("limit")
            )
            page = await dash.jobs.list(query.where, limit=query.limit, cursor=query.cursor)
            rows = [job_view(job) for job in page.jobs]
            next_cursor = page.next_cursor
        except InvalidInput as exc:
            error = exc
        if query is None:
            # Show the form back as typed, so the mistake can be fixed in place.
            query = JobQuery(
                where=JobFilter(), cursor=None, limit=0, values=_raw_values(params.multi_items())
            )
        context = dash.page(
            operator,
            active="jobs",
            title="Jobs",
            query=query,
            rows=rows,
            next_cursor=next_cursor,
            error=error,
            states=[state.value for state in JobState],
            kinds=[kind.value for kind in JobKind],
        )
        return render("jobs.html", context, status=422 if error else 200)

    return router


def _raw_values(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in items:
        if name not in ("cursor", "limit") and value.strip():
            values.setdefault(name, []).append(value.strip())
    return values
