"""Signed login sessions and their CSRF tokens (pure: no I/O, time passed in).

A browser cannot send the bearer token on navigation, so the operator pastes it once
on the login page and gets a session cookie instead. The cookie is
``v1.<issued_at>.<session_id>.<signature>``: an HMAC-SHA256 over the rest with a key
derived from the API token. Nothing is kept on the server; changing the token ends
every session at once. Each session has its own CSRF token (an HMAC of its id), which
forms carry in a hidden field. Every comparison runs in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

COOKIE_NAME = "ringback_session"
SESSION_LIFETIME = timedelta(hours=12)
_VERSION = "v1"
_KEY_LABEL = b"ringback dashboard session v1"


@dataclass(frozen=True, slots=True)
class Session:
    session_id: str
    issued_at: datetime

    def expires_at(self) -> datetime:
        return self.issued_at + SESSION_LIFETIME


class SessionSigner:
    """Issues and checks session cookies and CSRF tokens for one API token."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()
        self._key = hmac.new(self._token, _KEY_LABEL, hashlib.sha256).digest()

    def token_matches(self, candidate: str) -> bool:
        """Whether ``candidate`` is the API token (constant time)."""
        given = _utf8(candidate)
        return given is not None and hmac.compare_digest(given, self._token)

    def issue(self, now: datetime) -> tuple[Session, str]:
        """A new session and its cookie value."""
        session = Session(secrets.token_urlsafe(18), now.astimezone(UTC))
        issued = str(int(session.issued_at.timestamp()))
        body = f"{_VERSION}.{issued}.{session.session_id}"
        return session, f"{body}.{self._sign(body)}"

    def verify(self, cookie: str, now: datetime) -> Session | None:
        """The session a cookie proves, or None (forged, malformed or expired)."""
        parts = cookie.split(".")
        if len(parts) != 4 or parts[0] != _VERSION:
            return None
        body = ".".join(parts[:3])
        signature = _utf8(parts[3])
        if signature is None or not hmac.compare_digest(signature, self._sign(body).encode()):
            return None
        try:
            issued_at = datetime.fromtimestamp(int(parts[1]), UTC)
        except (ValueError, OverflowError, OSError):
            return None
        session = Session(parts[2], issued_at)
        # A cookie from the future means a clock went backwards; refuse it too.
        if not issued_at - timedelta(minutes=5) <= now < session.expires_at():
            return None
        return session

    def csrf_token(self, session: Session) -> str:
        return self._sign(f"csrf.{session.session_id}")

    def csrf_matches(self, session: Session, candidate: str) -> bool:
        given = _utf8(candidate)
        return given is not None and hmac.compare_digest(given, self.csrf_token(session).encode())

    def _sign(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _utf8(text: str) -> bytes | None:
    """``text`` as bytes; None for strings no browser sends (lone surrogates)."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return None
