"""Every dashboard route answers in HTML, errors included.

The dashboard is mounted inside the API app, whose error handlers answer JSON. This
route class catches what a page raises before those handlers do: a missing login
becomes a redirect to the login page, and ringback's errors become an HTML page with
the matching status (a bad filter 422, an unknown job 404, a finished job 409).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from ringback.core.errors import Conflict, InvalidInput, NotFound, RingbackError, StoreError
from ringback.interfaces.dashboard.auth import BadToken, CsrfRejected, LoginRequired
from ringback.interfaces.dashboard.context import BASE, NAV
from ringback.interfaces.dashboard.templating import render, secured

log = logging.getLogger("ringback.dashboard")

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class DashboardRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def answering_in_html(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except BadToken:
                return error_page(401, "Unauthorized", "The bearer token is not valid.")
            except CsrfRejected:
                return error_page(
                    403,
                    "Form expired",
                    "The form did not carry this session's security token. "
                    "Go back, reload the page and try again.",
                )
            except RequestValidationError:
                return error_page(404, "Not found", "There is no such page.")
            except RingbackError as exc:
                return ringback_error_page(request, exc)

        return answering_in_html


def login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += f"?{request.url.query}"
    # Only GET pages are worth coming back to; a POST would be replayed as a GET.
    wanted = f"?next={quote(target, safe='')}" if request.method == "GET" else ""
    return secured(RedirectResponse(f"{BASE}/login{wanted}", status_code=303))


def ringback_error_page(request: Request, exc: RingbackError) -> Response:
    if isinstance(exc, NotFound):
        return error_page(404, "Not found", exc.message)
    if isinstance(exc, InvalidInput):
        detail = f"{exc.field}: {exc.message}" if exc.field else exc.message
        return error_page(422, "Invalid input", detail)
    if isinstance(exc, Conflict):
        return error_page(409, "Not possible now", exc.message)
    if isinstance(exc, StoreError):
        log.error("store error on %s %s: %s", request.method, request.url.path, exc)
        return error_page(503, "Store unavailable", "The store did not answer; try again.")
    return error_page(400, "Request refused", exc.message)


def error_page(status: int, heading: str, detail: str) -> Response:
    context = {
        "base": BASE,
        "nav": NAV,
        "active": "",
        "title": heading,
        "operator": None,
        "flash": None,
        "heading": heading,
        "detail": detail,
        "status": status,
        "now": None,
    }
    return render("error.html", context, status=status)
