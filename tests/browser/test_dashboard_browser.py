"""Click through the dashboard in a real browser: log in, visit every page, retry a
dead job from its page, and keep a screenshot of each step that must not be blank."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dashboard_env import TOKEN, DashboardEnv, Seeded, running_dashboard, seed
from png_pixels import read_png

from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
CHECKED_ROWS = 800  # a screenful is enough to tell a page from a blank one


@pytest.fixture
async def busy(tmp_path: Path) -> AsyncIterator[tuple[DashboardEnv, Seeded]]:
    """The service with a job in every state and 40 minutes of deliveries behind it."""
    async with running_dashboard(tmp_path) as env:
        seeded = await seed(env)
        r = env.receivers
        r.release.set()  # the held attempt ends now, before the clock runs on
        await env.settled(seeded.running, JobState.SUCCEEDED)
        for minute in range(40):
            env.clock.advance(timedelta(minutes=1))
            flaky = f"{r.flaky}/{'ok' if minute % 3 else 'fail'}/t{minute}"
            jobs = [await env.submit(f"{r.good}/ok/t{minute}"), await env.submit(flaky)]
            for job in jobs:
                await env.settled(job, JobState.SUCCEEDED, JobState.DEAD)
        yield env, seeded


def check_not_blank(png: bytes, name: str) -> None:
    pixels = read_png(png, max_rows=CHECKED_ROWS)
    assert pixels.spread > 8, f"{name}: the screenshot looks blank (spread {pixels.spread:.1f})"
    assert pixels.most_common_share < 0.97, f"{name}: one colour covers the screenshot"


async def shoot(page: Any, folder: Path, name: str, *, full_page: bool = True) -> None:
    png = await page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
    check_not_blank(png, name)


async def test_click_through_every_page_and_retry_a_dead_job(
    chromium: Any, busy: tuple[DashboardEnv, Seeded], screenshot_dir: Path
) -> None:
    env, seeded = busy
    context = await chromium.new_context(viewport=DESKTOP)
    page = await context.new_page()

    await page.goto(f"{env.url}/dashboard/jobs")
    assert "/dashboard/login" in page.url
    await shoot(page, screenshot_dir, "01-login")
    await page.fill("#token", "not-the-token-at-all")
    await page.click("text=Log in >> nth=-1")
    assert await page.locator(".flash-error").inner_text() == "That token is not right."
    await page.fill("#token", TOKEN)
    await page.click("button:has-text('Log in')")
    await page.wait_for_url("**/dashboard/jobs")  # back where the browser wanted to go

    await page.click("nav >> text=Overview")
    await page.wait_for_url("**/dashboard")
    assert await page.locator("svg.chart").count() == 6
    assert await page.locator(".card.state-dead .count").inner_text() != "0"
    await shoot(page, screenshot_dir, "02-overview")

    await page.click("nav >> text=Jobs")
    await page.check("input[name=state][value=dead]")
    await page.click("button:has-text('Search')")
    await page.wait_for_url("**/dashboard/jobs?state=dead*")
    await shoot(page, screenshot_dir, "03-jobs-dead")
    await page.click(f"a[href='/dashboard/jobs/{seeded.dead}']")
    await page.wait_for_url(f"**/dashboard/jobs/{seeded.dead}")
    await shoot(page, screenshot_dir, "04-job-dead")
    await page.click("button:has-text('Retry now')")
    await page.wait_for_url(f"**/dashboard/jobs/{seeded.dead}?done=retried")
    assert "Retry scheduled" in await page.locator(".flash-ok").inner_text()
    retried = await env.job(seeded.dead)
    assert retried.series == 2
    await env.settled(seeded.dead, JobState.DEAD)  # /fail still fails: dead again
    await page.reload()
    assert await page.locator("h3:has-text('Series 2')").count() == 1
    await shoot(page, screenshot_dir, "05-job-retried")

    await page.goto(f"{env.url}/dashboard/jobs?state=dead")
    await page.click("text=Retry the dead and cancelled ones")
    count = await page.locator(".count-to-retry").inner_text()
    dead = await env.svc.service.count(JobFilter(states=frozenset({JobState.DEAD})))
    assert int(count) == dead
    await shoot(page, screenshot_dir, "06-bulk-retry-confirm")

    await page.click("nav >> text=Endpoints")
    assert await page.locator("tr.health-row-failing, tr.health-row-down").count() >= 1
    await shoot(page, screenshot_dir, "07-endpoints")
    await page.click("table.endpoints tbody tr >> nth=0 >> a >> nth=0")
    await page.wait_for_url("**/dashboard/endpoints?*target=*")
    assert await page.locator("svg.chart").count() == 6
    await shoot(page, screenshot_dir, "08-endpoint-charts")

    await page.click("nav >> text=Payments")
    assert "not configured" in await page.locator("main").inner_text()
    await shoot(page, screenshot_dir, "09-payments")
    await page.click("nav >> text=Statements")
    assert "not configured" in await page.locator("main").inner_text()
    await shoot(page, screenshot_dir, "10-statements")

    phone = await chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone_page = await phone.new_page()
    await phone_page.goto(f"{env.url}/dashboard/login")
    await phone_page.fill("#token", TOKEN)
    await phone_page.click("button:has-text('Log in')")
    await phone_page.wait_for_url("**/dashboard")
    # Nothing may be wider than the phone's screen (no sideways scrolling).
    width = await phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    await shoot(phone_page, screenshot_dir, "11-phone-overview", full_page=False)
    await phone_page.goto(f"{env.url}/dashboard/jobs")
    assert await phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await shoot(phone_page, screenshot_dir, "12-phone-jobs", full_page=False)
    await phone_page.goto(f"{env.url}/dashboard/jobs/{seeded.scheduled}")
    await shoot(phone_page, screenshot_dir, "13-phone-job", full_page=False)

    await page.click("button:has-text('Log out')")
    await page.wait_for_url("**/dashboard/login")
    await page.goto(f"{env.url}/dashboard")
    assert "/dashboard/login" in page.url
    await phone.close()
    await context.close()


async def test_the_blank_check_catches_a_blank_page(chromium: Any) -> None:
    page = await chromium.new_page(viewport=DESKTOP)
    await page.goto("about:blank")
    png = await page.screenshot()
    with pytest.raises(AssertionError, match="blank"):
        check_not_blank(png, "about:blank")
