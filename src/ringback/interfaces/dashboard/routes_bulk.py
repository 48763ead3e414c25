"""``/dashboard/jobs/bulk-retry``: retry every dead or cancelled job a filter matches.

First a confirmation page counts the matching jobs (dead and cancelled jobs are
indexed, so the count does not scan the succeeded ones) and remembers the newest
matching id. Confirming retries those jobs, newest first, in batches, never jobs that
died after the confirmation was shown, and at most ``BULK_RETRY_CAP`` per run (the
page offers another run when more remain). A job that changed meanwhile is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ringback.core.errors import Conflict, InvalidInput, NotFound
from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter
from ringback.interfaces.dashboard.auth import authenticate, checked_form
from ringback.interfaces.dashboard.context import BASE, Dashboard
from ringback.interfaces.dashboard.job_filters import parse_job_query
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.templating import render

RETRYABLE = frozenset({JobState.DEAD, JobState.CANCELLED})
BULK_RETRY_CAP = 1000
BATCH_SIZE = 100


def bulk_routes(dash: Dashboard) -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(f"{BASE}/jobs/bulk-retry")
    async def confirm(request: Request) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        query = parse_job_query(request.query_params.multi_items())
        where = retryable(query.where)
        count = 0 if where is None else await dash.jobs.count(where)
        newest = None
        if where is not None and count:
            first = await dash.jobs.list(where, limit=1)
            newest = first.jobs[0].id if first.jobs else None
        context = dash.page(
            operator,
            active="jobs",
            title="Retry jobs",
            query=query,
            count=count,
            newest=newest,
            cap=BULK_RETRY_CAP,
            done=None,
        )
        return render("bulk_retry.html", context)

    @router.post(f"{BASE}/jobs/bulk-retry")
    async def run(request: Request) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        form = await checked_form(request, dash.signer, operator)
        items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        query = parse_job_query(items)
        where = retryable(query.where)
        newest = _whole(form.get("newest"), "newest")
        confirmed = _whole(form.get("count"), "count")
        outcome = BulkOutcome()
        if where is not None:
            limit = min(confirmed, BULK_RETRY_CAP)
            outcome = await retry_matching(dash, where, newest=newest, limit=limit)
        remaining = 0 if where is None else await dash.jobs.count(where)
        context = dash.page(
            operator,
            active="jobs",
            title="Retry jobs",
            query=query,
            count=remaining,
            newest=None,
            cap=BULK_RETRY_CAP,
            done=outcome,
        )
        return render("bulk_retry.html", context)

    return router


@dataclass
class BulkOutcome:
    retried: int = 0
    skipped: int = 0  # changed state since the confirmation


def retryable(where: JobFilter) -> JobFilter | None:
    """The filter narrowed to dead and cancelled jobs; None if it asks for neither."""
    states = RETRYABLE if not where.states else where.states & RETRYABLE
    return replace(where, states=frozenset(states)) if states else None


async def retry_matching(
    dash: Dashboard, where: JobFilter, *, newest: int, limit: int
) -> BulkOutcome:
    outcome = BulkOutcome()
    cursor: int | None = newest + 1  # the newest job shown on the confirmation, inclusive
    while cursor is not None and outcome.retried + outcome.skipped < limit:
        size = min(BATCH_SIZE, limit - outcome.retried - outcome.skipped)
        page = await dash.jobs.list(where, limit=size, cursor=cursor)
        for job in page.jobs:
            try:
                await dash.jobs.retry(job.id)
                outcome.retried += 1
            except (Conflict, NotFound):
                outcome.skipped += 1
        cursor = page.next_cursor
    return outcome


def _whole(value: object, field: str) -> int:
    if isinstance(value, str) and value.isdigit() and int(value) >= 0:
        return int(value)
    raise InvalidInput("the confirmation form is incomplete; start again", field=field)
