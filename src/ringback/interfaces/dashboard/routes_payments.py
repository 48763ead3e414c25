"""``/dashboard/payments``: orders with their merchant notification status, accepted
channel notifications, and the rejected ones with the reason.

Rendered from a ``PaymentsView`` the runtime passes when payments are configured;
without one the page says so.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ringback.core.errors import InvalidInput
from ringback.interfaces.dashboard.auth import authenticate
from ringback.interfaces.dashboard.context import BASE, Dashboard
from ringback.interfaces.dashboard.providers import TablePage
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.templating import render

TABS = {
    "orders": "Orders",
    "notifications": "Channel notifications",
    "rejected": "Rejected",
}
PAGE_SIZE = 50


def payments_routes(dash: Dashboard) -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(f"{BASE}/payments")
    async def payments(request: Request) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        params = request.query_params
        tab = params.get("tab") or "orders"
        if tab not in TABS:
            raise InvalidInput(f"tab must be one of {', '.join(TABS)}", field="tab")
        app_id = (params.get("app") or "").strip() or None
        cursor = params.get("cursor") or None
        table: TablePage | None = None
        view = dash.payments
        if view is not None:
            if tab == "orders":
                table = await view.list_orders(app_id=app_id, limit=PAGE_SIZE, cursor=cursor)
            elif tab == "notifications":
                table = await view.list_notifications(app_id=app_id, limit=PAGE_SIZE, cursor=cursor)
            else:
                table = await view.list_rejected(limit=PAGE_SIZE, cursor=cursor)
        context = dash.page(
            operator,
            active="payments",
            title="Payments",
            configured=view is not None,
            tabs=TABS,
            tab=tab,
            app=app_id or "",
            table=table,
        )
        return render("payments.html", context)

    return router
