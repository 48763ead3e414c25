"""Logging in, sessions, bearer access and CSRF, against the real server on loopback."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from dashboard_env import TOKEN, DashboardEnv, Seeded

from ringback.core.jobs import JobState

PAGES = [
    "/dashboard",
    "/dashboard/jobs",
    "/dashboard/jobs/1",
    "/dashboard/jobs/bulk-retry",
    "/dashboard/endpoints",
    "/dashboard/payments",
    "/dashboard/statements",
]


async def test_every_page_sends_a_stranger_to_the_login_page(env: DashboardEnv) -> None:
    async with env.browser() as browser:
        for page in PAGES:
            answer = await browser.get(f"{page}?state=dead" if page.endswith("jobs") else page)
            assert answer.status_code == 303, page
            wanted = f"{page}?state=dead" if page.endswith("jobs") else page
            assert answer.headers["location"] == f"/dashboard/login?next={quote(wanted, safe='')}"
        login = await browser.get("/dashboard/login")
        assert login.status_code == 200
        assert 'name="token"' in login.text and 'type="password"' in login.text
        # The stylesheet is public (the login page needs it); nothing else is.
        css = await browser.get("/dashboard/static/dashboard.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


async def test_a_wrong_token_is_refused_and_gives_no_session(env: DashboardEnv) -> None:
    async with env.browser() as browser:
        refused = await browser.post("/dashboard/login", data={"token": TOKEN[:-1] + "x"})
        assert refused.status_code == 401
        assert "not right" in refused.text
        assert "set-cookie" not in refused.headers
        empty = await browser.post("/dashboard/login", data={})
        assert empty.status_code == 401
        assert (await browser.get("/dashboard")).status_code == 303


async def test_logging_in_sets_a_strict_http_only_session_cookie(env: DashboardEnv) -> None:
    async with env.browser() as browser:
        answer = await browser.post(
            "/dashboard/login", data={"token": TOKEN, "next": "/dashboard/jobs?state=dead"}
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/dashboard/jobs?state=dead"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("ringback_session=")
        attributes = {part.strip().lower() for part in cookie.split(";")}
        assert {"httponly", "samesite=strict", "path=/dashboard"} <= attributes
        assert "secure" not in attributes  # plain http on loopback
        assert TOKEN not in cookie
        page = await browser.get("/dashboard")
        assert page.status_code == 200
        assert "Overview" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_login_never_redirects_to_another_site(env: DashboardEnv) -> None:
    async with env.browser() as browser:
        for wanted in ["https://evil.example/", "//evil.example/x", "/v1/jobs", "/dashboard\\x"]:
            answer = await browser.post("/dashboard/login", data={"token": TOKEN, "next": wanted})
            assert answer.status_code == 303
            assert answer.headers["location"] == "/dashboard", wanted


async def test_a_forged_or_expired_cookie_is_not_a_session(env: DashboardEnv) -> None:
    async with env.browser() as browser:
        await env.login(browser)
        real = browser.cookies["ringback_session"]
        version, issued, session_id, signature = real.split(".")
        forged = ".".join([version, str(int(issued) + 3600), session_id, signature])
        browser.cookies.set("ringback_session", forged, path="/dashboard")
        assert (await browser.get("/dashboard")).status_code == 303
        browser.cookies.set("ringback_session", real, path="/dashboard")
        assert (await browser.get("/dashboard")).status_code == 200
        env.clock.advance(timedelta(hours=12, seconds=1))
        assert (await browser.get("/dashboard")).status_code == 303


async def test_the_bearer_token_works_without_a_session(env: DashboardEnv) -> None:
    async with env.browser() as client:
        good = await client.get("/dashboard", headers={"Authorization": f"Bearer {TOKEN}"})
        assert good.status_code == 200
        bad = await client.get("/dashboard", headers={"Authorization": "Bearer nope-nope-nope"})
        assert bad.status_code == 401
        assert "not valid" in bad.text
        basic = await client.get("/dashboard", headers={"Authorization": f"Basic {TOKEN}"})
        assert basic.status_code == 401


async def test_posts_need_the_sessions_csrf_token(env: DashboardEnv, seeded: Seeded) -> None:
    async with env.browser() as browser, env.browser() as other:
        csrf = await env.login(browser)
        other_csrf = await env.login(other)
        assert csrf != other_csrf
        action = f"/dashboard/jobs/{seeded.dead}/retry"
        for form in [{}, {"csrf": ""}, {"csrf": other_csrf}, {"csrf": csrf[:-2] + "xx"}]:
            refused = await browser.post(action, data=form)
            assert refused.status_code == 403, form
            assert "security token" in refused.text
        assert (await env.job(seeded.dead)).state is JobState.DEAD

        done = await browser.post(action, data={"csrf": csrf})
        assert done.status_code == 303
        assert done.headers["location"] == f"/dashboard/jobs/{seeded.dead}?done=retried"
        assert (await env.job(seeded.dead)).series == 2


async def test_a_bearer_post_needs_no_csrf_token(env: DashboardEnv, seeded: Seeded) -> None:
    async with env.browser() as client:
        answer = await client.post(
            f"/dashboard/jobs/{seeded.scheduled}/cancel",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert answer.status_code == 303
    assert (await env.job(seeded.scheduled)).state is JobState.CANCELLED


async def test_a_post_without_credentials_changes_nothing(
    env: DashboardEnv, seeded: Seeded
) -> None:
    async with env.browser() as stranger:
        answer = await stranger.post(f"/dashboard/jobs/{seeded.scheduled}/cancel", data={})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/dashboard/login"
    assert (await env.job(seeded.scheduled)).state is JobState.SCHEDULED


async def test_logging_out_ends_the_session(env: DashboardEnv) -> None:
    async with env.browser() as browser:
        csrf = await env.login(browser)
        assert (await browser.post("/dashboard/logout", data={})).status_code == 403
        assert (await browser.get("/dashboard")).status_code == 200
        answer = await browser.post("/dashboard/logout", data={"csrf": csrf})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/dashboard/login"
        assert 'ringback_session=""' in answer.headers["set-cookie"]
        assert (await browser.get("/dashboard")).status_code == 303
