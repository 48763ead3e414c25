"""The buttons: retry now, cancel, move the next run, and bulk retry with its count."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html import unescape

import httpx
import pytest
from dashboard_env import DashboardEnv, Seeded

from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter


@dataclass
class Session:
    client: httpx.AsyncClient
    csrf: str

    async def post(self, path: str, **fields: str) -> httpx.Response:
        return await self.client.post(path, data={"csrf": self.csrf, **fields})

    async def post_pairs(self, path: str, pairs: list[tuple[str, str]]) -> httpx.Response:
        body = httpx.QueryParams([("csrf", self.csrf), *pairs])
        return await self.client.post(
            path,
            content=str(body),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


@pytest.fixture
async def session(env: DashboardEnv, seeded: Seeded) -> AsyncIterator[Session]:
    async with env.browser() as client:
        yield Session(client, await env.login(client))


async def test_retry_now_starts_a_new_series_that_the_dispatcher_runs(
    env: DashboardEnv, seeded: Seeded, session: Session
) -> None:
    answer = await session.post(f"/dashboard/jobs/{seeded.dead}/retry")
    assert answer.status_code == 303
    shown = await session.client.get(answer.headers["location"])
    assert "Retry scheduled" in shown.text
    # The dispatcher attempts it again at once (it fails again: /fail answers 503).
    again = await env.settled(seeded.dead, JobState.DEAD)
    assert again.series == 2
    page = (await session.client.get(f"/dashboard/jobs/{seeded.dead}")).text
    assert "<h3>Series 2</h3>" in page and "<h3>Series 1</h3>" in page


async def test_cancel_stops_a_scheduled_job(
    env: DashboardEnv, seeded: Seeded, session: Session
) -> None:
    answer = await session.post(f"/dashboard/jobs/{seeded.scheduled}/cancel")
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("?done=cancelled")
    assert (await env.job(seeded.scheduled)).state is JobState.CANCELLED


async def test_reschedule_moves_the_next_attempt(
    env: DashboardEnv, seeded: Seeded, session: Session
) -> None:
    answer = await session.post(
        f"/dashboard/jobs/{seeded.waiting}/reschedule", at="2026-05-04T15:30"
    )
    assert answer.status_code == 303
    job = await env.job(seeded.waiting)
    assert job.run_at.isoformat() == "2026-05-04T15:30:00+00:00"
    # "Run now" is a delay of 0s: the dispatcher then delivers it (to /ok).
    now = await session.post(f"/dashboard/jobs/{seeded.waiting}/reschedule", delay="0s")
    assert now.status_code == 303
    assert (await env.settled(seeded.waiting, JobState.SUCCEEDED)).attempts == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "give &#39;at&#39; or &#39;delay&#39;"),
        ({"at": "soon"}, "write the time as"),
        ({"delay": "ten minutes"}, "duration"),
        ({"at": "2026-05-04T15:30", "delay": "5m"}, "not both"),
    ],
)
async def test_bad_reschedule_input_changes_nothing(
    env: DashboardEnv, seeded: Seeded, session: Session, fields: dict[str, str], message: str
) -> None:
    before = await env.job(seeded.waiting)
    answer = await session.post(f"/dashboard/jobs/{seeded.waiting}/reschedule", **fields)
    assert answer.status_code == 422
    assert message in answer.text
    assert (await env.job(seeded.waiting)) == before


async def test_an_action_the_state_forbids_is_refused_on_the_page(
    env: DashboardEnv, seeded: Seeded, session: Session
) -> None:
    refused = await session.post(f"/dashboard/jobs/{seeded.succeeded}/cancel")
    assert refused.status_code == 409
    assert 'class="flash flash-error"' in refused.text
    assert f"<title>Job {seeded.succeeded} · ringback</title>" in refused.text
    assert (await env.job(seeded.succeeded)).state is JobState.SUCCEEDED
    retry_scheduled = await session.post(f"/dashboard/jobs/{seeded.scheduled}/retry")
    assert retry_scheduled.status_code == 409
    missing = await session.post("/dashboard/jobs/424242/retry")
    assert missing.status_code == 404


def confirmation(html: str) -> tuple[int, list[tuple[str, str]]]:
    """The count shown and the hidden fields of the confirmation form."""
    count = re.search(r'<b class="count-to-retry">(\d+)</b>', html)
    assert count is not None, html
    form = html.split('action="/dashboard/jobs/bulk-retry"')[1].split("</form>")[0]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    return int(count.group(1)), [(name, unescape(value)) for name, value in hidden]


async def test_bulk_retry_counts_then_retries_the_filtered_jobs(
    env: DashboardEnv, seeded: Seeded, session: Session
) -> None:
    # Filter: dead or cancelled on the first target -> the dead job 2 and the
    # cancelled job 6, not the dead job on the other target.
    good = env.receivers.good.removeprefix("http://")
    page = await session.client.get(f"/dashboard/jobs/bulk-retry?target={good}")
    assert page.status_code == 200
    count, hidden = confirmation(page.text)
    expected = await env.svc.service.count(
        JobFilter(states=frozenset({JobState.DEAD, JobState.CANCELLED}), target=good)
    )
    assert count == expected == 2
    assert ("target", good) in hidden

    # A job that dies after the confirmation was shown is not part of it.
    late = await env.submit(f"{env.receivers.good}/fail/late")
    await env.settled(late, JobState.DEAD)

    done = await session.post_pairs(
        "/dashboard/jobs/bulk-retry", [pair for pair in hidden if pair[0] != "csrf"]
    )
    assert done.status_code == 200
    assert "Retried 2 jobs" in done.text
    assert (await env.job(seeded.dead)).series == 2
    assert (await env.job(seeded.cancelled)).series == 2
    assert (await env.job(late)).series == 1
    assert (await env.job(seeded.dead_other)).series == 1
    assert "1 dead or cancelled job still matches" in done.text


async def test_bulk_retry_never_does_more_than_was_confirmed(
    env: DashboardEnv, seeded: Seeded, session: Session
) -> None:
    page = await session.client.get("/dashboard/jobs/bulk-retry?state=dead")
    count, hidden = confirmation(page.text)
    assert count == 2
    fields = [(name, "1" if name == "count" else value) for name, value in hidden]
    done = await session.post_pairs("/dashboard/jobs/bulk-retry", fields[1:])
    assert "Retried 1 job" in done.text
    # newest first: the later dead job went, the older one waits for another run
    assert (await env.job(seeded.dead_other)).series == 2
    assert (await env.job(seeded.dead)).series == 1


async def test_bulk_retry_with_nothing_to_retry(session: Session) -> None:
    nothing = await session.client.get("/dashboard/jobs/bulk-retry?state=scheduled")
    assert "nothing to retry" in nothing.text
    assert "count-to-retry" not in nothing.text
    none_match = await session.client.get("/dashboard/jobs/bulk-retry?key=no-such-key")
    assert "nothing to retry" in none_match.text


async def test_bulk_retry_needs_csrf_and_a_complete_form(
    env: DashboardEnv, seeded: Seeded, session: Session
) -> None:
    forged = await session.client.post(
        "/dashboard/jobs/bulk-retry", data={"state": "dead", "newest": "99", "count": "5"}
    )
    assert forged.status_code == 403
    incomplete = await session.post("/dashboard/jobs/bulk-retry", state="dead")
    assert incomplete.status_code == 422
    assert (await env.job(seeded.dead)).series == 1
    assert (await env.job(seeded.dead_other)).series == 1
