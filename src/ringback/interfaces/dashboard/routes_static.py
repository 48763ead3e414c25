"""The dashboard's one stylesheet (public: the login page needs it too)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from ringback.interfaces.dashboard.context import BASE
from ringback.interfaces.dashboard.route import DashboardRoute

STYLESHEET = (
    resources.files(__package__).joinpath("static", "dashboard.css").read_text(encoding="utf-8")
)


def static_routes() -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(f"{BASE}/static/dashboard.css")
    async def stylesheet() -> Response:
        return Response(
            STYLESHEET,
            media_type="text/css",
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    return router
