"""``/dashboard/endpoints``: each callback target's health over a window.

Success rate, latency, failures in a row and the last error, targets failing right
now first and marked; choosing one draws its last hour and day.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ringback.core.errors import InvalidInput
from ringback.interfaces.dashboard.auth import authenticate
from ringback.interfaces.dashboard.context import BASE, Dashboard
from ringback.interfaces.dashboard.delivery_charts import delivery_panel
from ringback.interfaces.dashboard.job_filters import parse_job_query
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.templating import render

WINDOWS = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}
DEFAULT_WINDOW = "24h"
ENDPOINTS_SHOWN = 200


def endpoints_routes(dash: Dashboard) -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(f"{BASE}/endpoints")
    async def endpoints(request: Request) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        window_name = request.query_params.get("window") or DEFAULT_WINDOW
        if window_name not in WINDOWS:
            raise InvalidInput(f"window must be one of {', '.join(WINDOWS)}", field="window")
        rows = await dash.stats.endpoints(window=WINDOWS[window_name], limit=ENDPOINTS_SHOWN)
        target = _target(request.query_params.get("target"))
        panels = []
        if target is not None:
            recent = await dash.stats.recent(target=target)
            panels = [
                delivery_panel(recent.hour, title=f"{target}, last hour"),
                delivery_panel(recent.day, title=f"{target}, last 24 hours"),
            ]
        context = dash.page(
            operator,
            active="endpoints",
            title="Endpoints",
            rows=rows,
            windows=list(WINDOWS),
            window=window_name,
            target=target,
            panels=panels,
            shown_limit=ENDPOINTS_SHOWN,
        )
        return render("endpoints.html", context)

    return router


def _target(given: str | None) -> str | None:
    """The chosen target, normalised like the Jobs filter (a URL becomes host:port)."""
    if not given or not given.strip():
        return None
    return parse_job_query([("target", given)]).where.target
