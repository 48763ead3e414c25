"""``/dashboard/statements``: per source a calendar of statement pulls (pulled,
waiting with the next allowed request time, failed) and the reconciliation
reports; a report's breaks in a table that filters by category and downloads as CSV.

Rendered from a ``StatementsView`` the runtime passes when statements are
configured; without one the page says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ringback.core.errors import InvalidInput, NotFound
from ringback.interfaces.dashboard.auth import authenticate
from ringback.interfaces.dashboard.calendar_grid import month_grid, parse_month, shift_month
from ringback.interfaces.dashboard.context import BASE, Dashboard
from ringback.interfaces.dashboard.providers import StatementsView
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.templating import render, secured

REPORTS_SHOWN = 20
BREAKS_PAGE = 100
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def statements_routes(dash: Dashboard) -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(f"{BASE}/statements")
    async def statements(request: Request) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        view = dash.statements
        params = request.query_params
        context = dash.page(operator, active="statements", title="Statements", configured=False)
        if view is not None:
            month = parse_month(params.get("month"), dash.clock.now().date())
            sources = list(await view.sources())
            source = params.get("source") or (sources[0] if sources else None)
            if source is not None and source not in sources:
                raise InvalidInput(f"unknown source {source!r}", field="source")
            days = await view.calendar(source, month) if source is not None else []
            reports = await view.list_reports(
                source=source, limit=REPORTS_SHOWN, cursor=params.get("cursor") or None
            )
            context.update(
                configured=True,
                sources=sources,
                source=source,
                month=month,
                previous_month=shift_month(month, -1),
                next_month=shift_month(month, 1),
                weeks=month_grid(month, days),
                reports=reports,
            )
        return render("statements.html", context)

    @router.get(f"{BASE}/statements/reports/{{report_id}}")
    async def report(request: Request, report_id: str) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        view = _configured(dash)
        summary = await view.report(report_id)
        if summary is None:
            raise NotFound(f"no report {report_id!r}", field="report_id")
        category = _category(request.query_params.get("category"), summary.categories)
        breaks = await view.report_breaks(
            report_id,
            category=category,
            limit=BREAKS_PAGE,
            cursor=request.query_params.get("cursor") or None,
        )
        context = dash.page(
            operator,
            active="statements",
            title=summary.title,
            summary=summary,
            category=category or "",
            breaks=breaks,
        )
        return render("report.html", context)

    @router.get(f"{BASE}/statements/reports/{{report_id}}/breaks.csv")
    async def breaks_csv(request: Request, report_id: str) -> Response:
        authenticate(request, dash.signer, dash.clock.now())
        view = _configured(dash)
        summary = await view.report(report_id)
        if summary is None:
            raise NotFound(f"no report {report_id!r}", field="report_id")
        category = _category(request.query_params.get("category"), summary.categories)
        text = await view.breaks_csv(report_id, category=category)
        name = _UNSAFE_FILE_CHARS.sub("_", f"{report_id}-{category or 'all'}-breaks")
        return secured(
            Response(
                text,
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
            )
        )

    return router


def _configured(dash: Dashboard) -> StatementsView:
    if dash.statements is None:
        raise NotFound("statements are not configured here", field="statements")
    return dash.statements


def _category(given: str | None, known: Sequence[str]) -> str | None:
    if not given:
        return None
    if given not in known:
        raise InvalidInput(f"unknown category {given!r}", field="category")
    return given
