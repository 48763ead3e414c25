"""``/dashboard/login`` and ``/dashboard/logout``: trading the API token for a session.

The session cookie is HttpOnly (no script can read it), SameSite=Strict (no other
site's page can make the browser send it) and Secure when the dashboard is reached
over https, scoped to ``/dashboard``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ringback.interfaces.dashboard.auth import (
    BadToken,
    LoginRequired,
    authenticate,
    checked_form,
)
from ringback.interfaces.dashboard.context import BASE, Dashboard
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.session import COOKIE_NAME, SESSION_LIFETIME
from ringback.interfaces.dashboard.templating import render, secured


def login_routes(dash: Dashboard) -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(f"{BASE}/login")
    async def login_page(request: Request) -> Response:
        wanted = safe_next(request.query_params.get("next"))
        if _logged_in(dash, request):
            return secured(RedirectResponse(wanted, status_code=303))
        return _form(dash, wanted, error=None, status=200)

    @router.post(f"{BASE}/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        token = form.get("token")
        wanted = safe_next(_text(form.get("next")))
        if not isinstance(token, str) or not dash.signer.token_matches(token.strip()):
            return _form(dash, wanted, error="That token is not right.", status=401)
        _, cookie = dash.signer.issue(dash.clock.now())
        answer = secured(RedirectResponse(wanted, status_code=303))
        answer.set_cookie(
            COOKIE_NAME,
            cookie,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            path=BASE,
            httponly=True,
            samesite="strict",
            secure=_secure(dash, request),
        )
        return answer

    @router.post(f"{BASE}/logout")
    async def logout(request: Request) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        await checked_form(request, dash.signer, operator)
        answer = secured(RedirectResponse(f"{BASE}/login", status_code=303))
        answer.delete_cookie(
            COOKIE_NAME, path=BASE, httponly=True, samesite="strict", secure=_secure(dash, request)
        )
        return answer

    return router


def safe_next(wanted: str | None) -> str:
    """Where to go after logging in: a dashboard path, never another site."""
    if not wanted or not wanted.startswith(BASE) or "\\" in wanted:
        return BASE
    parts = urlsplit(wanted)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in wanted):
        return BASE
    return wanted


def _form(dash: Dashboard, wanted: str, *, error: str | None, status: int) -> Response:
    context = dash.page(None, active="", title="Log in", next=wanted, error=error)
    return render("login.html", context, status=status)


def _logged_in(dash: Dashboard, request: Request) -> bool:
    try:
        authenticate(request, dash.signer, dash.clock.now())
    except (LoginRequired, BadToken):
        return False
    return True


def _secure(dash: Dashboard, request: Request) -> bool:
    if dash.secure_cookie is not None:
        return dash.secure_cookie
    return request.url.scheme == "https"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
