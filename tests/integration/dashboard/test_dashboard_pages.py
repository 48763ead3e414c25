"""Every page renders the real data: jobs in each state, real attempts, real targets."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html import unescape

import httpx
import pytest
from dashboard_env import DashboardEnv, Seeded

from ringback.core.jobs import JobState


@pytest.fixture
async def browser(env: DashboardEnv, seeded: Seeded) -> AsyncIterator[httpx.AsyncClient]:
    async with env.browser() as client:
        await env.login(client)
        yield client


async def page(browser: httpx.AsyncClient, path: str, status: int = 200) -> str:
    answer = await browser.get(path)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def job_ids(html: str) -> list[int]:
    """The jobs a listing shows, in order (links to job pages)."""
    return [
        int(n) for n in re.findall(r'<td data-label="Job"><a href="/dashboard/jobs/(\d+)"', html)
    ]


def card_count(html: str, state: str) -> int:
    found = re.search(
        rf'class="card state-{state}">\s*<a [^>]*>\s*<span class="count">(\d+)</span>', html
    )
    assert found is not None, state
    return int(found.group(1))


async def test_overview_shows_states_charts_due_dead_and_workers(
    env: DashboardEnv, seeded: Seeded, browser: httpx.AsyncClient
) -> None:
    html = await page(browser, "/dashboard")
    assert {state.value: card_count(html, state.value) for state in JobState} == {
        "scheduled": 2,
        "running": 1,
        "succeeded": 1,
        "dead": 2,
        "cancelled": 1,
    }
    # queues: payments holds the succeeded and the running job
    queue_row = re.search(r"jobs\?queue=payments\">payments</a></th>(.*?)</tr>", html, re.S)
    assert queue_row is not None
    assert re.findall(r">(\d+)</td>", queue_row.group(1)) == ["0", "1", "1", "0", "0"]
    # charts: six inline SVGs, the hour's bars carry the attempts made (3 failed, 1 ok)
    assert html.count('<svg class="chart"') == 6
    assert "no attempts in this period" not in html.split("Last 24 hours")[0]
    assert re.search(r"<title>09:00: 4 attempts, 1 ok, 3 failed, average 60 ms</title>", html)
    # next due: the retry in an hour, the running job's lease; dead jobs: both
    due = html.split('id="due-h"')[1].split('id="dead-h"')[0]
    assert set(job_ids(due)) == {seeded.scheduled, seeded.running, seeded.waiting}
    dead = html.split('id="dead-h"')[1].split('id="workers-h"')[0]
    assert job_ids(dead) == [seeded.dead_other, seeded.dead]
    assert "HTTP 503" in unescape(dead)
    assert "not run by <code>ringback serve</code>" in html


async def test_jobs_page_lists_every_job_newest_first(
    env: DashboardEnv, seeded: Seeded, browser: httpx.AsyncClient
) -> None:
    html = await page(browser, "/dashboard/jobs")
    assert job_ids(html) == sorted(
        [
            seeded.succeeded,
            seeded.dead,
            seeded.dead_other,
            seeded.scheduled,
            seeded.cancelled,
            seeded.running,
            seeded.waiting,
        ],
        reverse=True,
    )
    for state in JobState:
        assert f'class="badge state-{state.value}"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=dead", ["dead_other", "dead"]),
        ("state=dead&state=cancelled", ["cancelled", "dead_other", "dead"]),
        ("state=running", ["running"]),
        ("kind=http&queue=payments", ["running", "succeeded"]),
        ("kind=task", []),
        ("app=game-1", ["dead", "succeeded"]),
        ("label=app:game-1&state=dead", ["dead"]),
        ("key=order-1004", ["scheduled"]),
    ],
)
async def test_jobs_filters(
    seeded: Seeded, browser: httpx.AsyncClient, query: str, expected: list[str]
) -> None:
    html = await page(browser, f"/dashboard/jobs?{query}")
    assert job_ids(html) == [getattr(seeded, name) for name in expected]


async def test_target_and_time_filters(
    env: DashboardEnv, seeded: Seeded, browser: httpx.AsyncClient
) -> None:
    flaky_target = env.receivers.flaky.removeprefix("http://")
    by_target = await page(browser, f"/dashboard/jobs?target={flaky_target}")
    assert job_ids(by_target) == [seeded.scheduled, seeded.dead_other]
    # a pasted URL means its host:port
    by_url = await page(browser, f"/dashboard/jobs?target={env.receivers.flaky}/some/path")
    assert job_ids(by_url) == [seeded.scheduled, seeded.dead_other]
    # every seeded job was created at 09:00:00 and a few fake milliseconds after
    assert len(job_ids(await page(browser, "/dashboard/jobs?created_from=2026-05-04T09:00"))) == 7
    assert job_ids(await page(browser, "/dashboard/jobs?created_to=2026-05-04T09:00")) == []
    later = await page(browser, "/dashboard/jobs?created_from=2026-05-04T10:00:00Z")
    assert job_ids(later) == []


async def test_pages_follow_the_cursor(seeded: Seeded, browser: httpx.AsyncClient) -> None:
    seen: list[int] = []
    path = "/dashboard/jobs?limit=3"
    for _ in range(5):
        html = unescape(await page(browser, path))
        seen += job_ids(html)
        older = re.search(r'href="(/dashboard/jobs\?[^"]*cursor=\d+[^"]*)">Older', html)
        if older is None:
            break
        path = older.group(1) + "&limit=3"
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=sleeping", "state"),
        ("created_from=yesterday", "created_from"),
        ("label=novalue", "label"),
        ("app=a&label=b:c", "label"),
        ("cursor=-4", "cursor"),
        ("queue=a&queue=b", "queue"),
    ],
)
async def test_a_bad_filter_is_shown_with_its_field(
    browser: httpx.AsyncClient, query: str, field: str
) -> None:
    html = await page(browser, f"/dashboard/jobs?{query}", status=422)
    assert f'class="flash flash-error" role="alert">{field}:' in html
    assert job_ids(html) == []


async def test_job_page_shows_payload_masked_policy_and_attempts(
    env: DashboardEnv, seeded: Seeded, browser: httpx.AsyncClient
) -> None:
    html = unescape(await page(browser, f"/dashboard/jobs/{seeded.succeeded}"))
    assert "super-secret-value" not in html
    assert '"Authorization": "Bearer ***"' in html
    assert '"delays": [\n    "0s"\n  ]' in html
    assert "order-1001" in html and "app=game-1" in html
    assert 'class="badge outcome-success">success</span>' in html
    assert "120 ms" in html and "status 200" in html
    assert "Nothing to do: the job succeeded." in html

    scheduled = unescape(await page(browser, f"/dashboard/jobs/{seeded.scheduled}"))
    assert "2026-05-04 10:00:00" in scheduled  # the next attempt, an hour after the first
    assert "busy, try later" in scheduled  # the response excerpt
    assert "HTTP 503" in scheduled
    assert "Move next attempt" in scheduled and "Cancel job" in scheduled
    assert "Retry now" not in scheduled

    dead = await page(browser, f"/dashboard/jobs/{seeded.dead}")
    assert "Retry now" in dead and "Cancel job" not in dead
    running = await page(browser, f"/dashboard/jobs/{seeded.running}")
    assert "running now, lease until" in running
    await page(browser, "/dashboard/jobs/99999", status=404)
    await page(browser, "/dashboard/jobs/not-a-number", status=404)


async def test_endpoints_page_puts_the_failing_target_first(
    env: DashboardEnv, seeded: Seeded, browser: httpx.AsyncClient
) -> None:
    html = unescape(await page(browser, "/dashboard/endpoints"))
    good = env.receivers.good.removeprefix("http://")
    flaky = env.receivers.flaky.removeprefix("http://")
    rows = re.findall(r'<tr class="health-row-(\w+)">\s*<th scope="row"><a [^>]*>([^<]+)</a>', html)
    assert rows == [("failing", flaky), ("failing", good)]
    flaky_row = html.split(f">{flaky}</a>")[1].split("</tr>")[0]
    assert '<td data-label="Failures in a row" class="num">2</td>' in flaky_row
    assert '<td data-label="Success rate" class="num">0.0%</td>' in flaky_row
    good_row = html.split(f">{good}</a>")[1].split("</tr>")[0]
    assert '<td data-label="Success rate" class="num">50.0%</td>' in good_row
    assert "HTTP 503" in good_row
    # one target's charts
    chosen = await page(browser, f"/dashboard/endpoints?target={good}&window=1h")
    assert chosen.count('<svg class="chart"') == 6
    assert "09:00: 2 attempts, 1 ok, 1 failed" in chosen
    await page(browser, "/dashboard/endpoints?window=2y", status=422)


async def test_unconfigured_features_say_so(browser: httpx.AsyncClient) -> None:
    payments = await page(browser, "/dashboard/payments")
    assert "Payments are not configured on this server" in payments
    statements = await page(browser, "/dashboard/statements")
    assert "Statements are not configured on this server" in statements
    await page(browser, "/dashboard/statements/reports/r1", status=404)
