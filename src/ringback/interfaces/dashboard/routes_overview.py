"""``/dashboard``: what is waiting, what is failing, and whether the workers run.

The page runs a fixed set of bounded reads, whatever the size of the store: the
state counts per queue, the next due jobs (two partial-index walks), the newest
dead jobs (one index range), and one day of attempts per minute (the
``attempts_finished_at`` range). See docs/dashboard.md.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ringback.core.jobs import JobState
from ringback.core.service import job_view, overview_view
from ringback.core.store.contract import JobFilter
from ringback.interfaces.dashboard.auth import authenticate
from ringback.interfaces.dashboard.context import BASE, Dashboard
from ringback.interfaces.dashboard.delivery_charts import delivery_panel
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.templating import render
from ringback.interfaces.dashboard.workers import read_workers

NEXT_DUE_SHOWN = 10
DEAD_SHOWN = 10


def overview_routes(dash: Dashboard) -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(BASE)
    @router.get(f"{BASE}/")
    async def overview(request: Request) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        summary = await dash.jobs.overview(due_limit=NEXT_DUE_SHOWN)
        recent = await dash.stats.recent()
        dead = await dash.jobs.list(JobFilter(states=frozenset({JobState.DEAD})), limit=DEAD_SHOWN)
        workers = await asyncio.to_thread(read_workers, dash.state_dir)
        context = dash.page(
            operator,
            active="overview",
            title="Overview",
            overview=overview_view(summary),
            states=[state.value for state in JobState],
            hour=delivery_panel(recent.hour, title="Last hour"),
            day=delivery_panel(recent.day, title="Last 24 hours"),
            dead=[job_view(job) for job in dead.jobs],
            more_dead=dead.next_cursor is not None,
            workers=workers,
        )
        return render("overview.html", context)

    return router
