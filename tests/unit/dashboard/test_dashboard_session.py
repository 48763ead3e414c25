"""Session cookies and CSRF tokens: signed, expiring, bound to the API token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ringback.interfaces.dashboard.session import SESSION_LIFETIME, SessionSigner

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
TOKEN = "unit-test-token-0123456789"


def test_a_cookie_proves_its_session_until_it_expires() -> None:
    signer = SessionSigner(TOKEN)
    session, cookie = signer.issue(NOW)
    assert TOKEN not in cookie
    assert signer.verify(cookie, NOW + timedelta(hours=1)) == session
    assert signer.verify(cookie, NOW + SESSION_LIFETIME) is None
    assert signer.verify(cookie, NOW - timedelta(hours=1)) is None  # from the future


def test_changed_or_foreign_cookies_prove_nothing() -> None:
    signer = SessionSigner(TOKEN)
    _, cookie = signer.issue(NOW)
    version, issued, session_id, signature = cookie.split(".")
    for forged in [
        f"{version}.{int(issued) + 60}.{session_id}.{signature}",
        f"{version}.{issued}.{session_id}x.{signature}",
        f"v2.{issued}.{session_id}.{signature}",
        f"{version}.{issued}.{session_id}.{signature[:-1]}",
        f"{version}.{issued}.{session_id}.\udcff",
        "",
        "a.b.c",
        f"{version}.notanumber.{session_id}.{signature}",
    ]:
        assert signer.verify(forged, NOW) is None, forged
    # A session made under another token is no session here (changing the token
    # logs everyone out).
    assert SessionSigner(TOKEN + "-rotated").verify(cookie, NOW) is None


def test_csrf_tokens_belong_to_one_session() -> None:
    signer = SessionSigner(TOKEN)
    first, _ = signer.issue(NOW)
    second, _ = signer.issue(NOW)
    assert first.session_id != second.session_id
    token = signer.csrf_token(first)
    assert signer.csrf_matches(first, token)
    assert not signer.csrf_matches(second, token)
    assert not signer.csrf_matches(first, "")
    assert not signer.csrf_matches(first, token + "\udcff")


def test_the_token_check() -> None:
    signer = SessionSigner(TOKEN)
    assert signer.token_matches(TOKEN)
    assert not signer.token_matches(TOKEN[:-1])
    assert not signer.token_matches("")
    assert not signer.token_matches("\udcff")
