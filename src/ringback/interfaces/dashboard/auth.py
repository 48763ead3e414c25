"""Who may see the dashboard: a valid session cookie, or the API's bearer token.

Browsers log in once (``/dashboard/login``) and then carry the session cookie;
scripts and tests may send ``Authorization: Bearer <token>`` on every request as
with the API. A form POST made with a session must also carry that session's CSRF
token; a bearer request needs none (no browser attaches that header by itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from starlette.datastructures import FormData

from ringback.interfaces.dashboard.session import COOKIE_NAME, Session, SessionSigner

CSRF_FIELD = "csrf"


class LoginRequired(Exception):
    """No credentials: the browser is sent to the login page."""


class BadToken(Exception):
    """A bearer token was sent and is wrong."""


class CsrfRejected(Exception):
    """A form POST without this session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Operator:
    session: Session | None  # None when the bearer token was sent
    csrf: str  # what forms must carry ("" for bearer requests)


def authenticate(request: Request, signer: SessionSigner, now: datetime) -> Operator:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer" and signer.token_matches(credentials.strip()):
            return Operator(session=None, csrf="")
        raise BadToken
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        session = signer.verify(cookie, now)
        if session is not None:
            return Operator(session=session, csrf=signer.csrf_token(session))
    raise LoginRequired


async def checked_form(request: Request, signer: SessionSigner, operator: Operator) -> FormData:
    """The POSTed form, once its CSRF token is proven right for this session."""
    form = await request.form()
    if operator.session is not None:
        token = form.get(CSRF_FIELD)
        if not isinstance(token, str) or not signer.csrf_matches(operator.session, token):
            raise CsrfRejected
    return form
