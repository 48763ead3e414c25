"""The Python clients against the real API on a real server."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

import pytest
from api_env import START, TOKEN, URL, ApiEnv, record_attempt

from ringback.core.errors import RingbackError
from ringback.core.jobs import AttemptOutcome, JobState
from ringback.interfaces.client import ApiError, AsyncClient, Client, JobQuery


async def test_async_client_round_trip(served_api: ApiEnv) -> None:
    async with AsyncClient(served_api.url, TOKEN) as client:
        first = await client.submit(
            {"url": URL, "headers": {"Authorization": "Bearer hidden"}},
            policy="alipay",
            key="pay-1",
            labels={"merchant": "m1"},
            delay=timedelta(minutes=5),
        )
        assert first.created
        job = first.job
        assert job.state is JobState.SCHEDULED
        assert job.run_at == START + timedelta(minutes=5)
        assert job.labels == {"merchant": "m1"}
        assert job.payload["headers"] == {"Authorization": "Bearer ***"}

        replay = await client.submit({"url": URL}, key="pay-1")
        assert not replay.created and replay.job.id == job.id

        await client.reschedule(job.id, at=START)
        await record_attempt(served_api, job.id, dead=True)
        details = await client.get_job(job.id)
        assert details.job.state is JobState.DEAD
        [attempt] = details.attempts
        assert attempt.outcome is AttemptOutcome.GAVE_UP
        assert (attempt.status_code, attempt.duration_ms) == (500, 1500)

        retried = await client.retry(job.id, delay="10m")
        assert retried.series == 2 and retried.run_at == START + timedelta(minutes=10)
        moved = await client.reschedule(job.id, at=datetime(2026, 3, 2, tzinfo=UTC))
        assert moved.run_at == datetime(2026, 3, 2, tzinfo=UTC)
        cancelled = await client.cancel(job.id)
        assert cancelled.state is JobState.CANCELLED

        overview = await client.overview()
        assert overview.counts[JobState.CANCELLED] == 1 and overview.total == 1
        preview = await client.preview_policy({"type": "fixed", "interval": "1h"}, 3)
        assert preview.runs == [START + timedelta(hours=h) for h in range(3)]


async def test_async_client_pages_through_everything(served_api: ApiEnv) -> None:
    async with AsyncClient(served_api.url, TOKEN) as client:
        ids = [(await client.submit({"url": URL}, queue="q")).job.id for _ in range(5)]
        await client.submit({"url": URL}, queue="other")
        page = await client.list_jobs(JobQuery(queue="q"), limit=2)
        assert [job.id for job in page.jobs] == ids[::-1][:2]
        assert page.next_cursor is not None
        every = [job.id async for job in client.iter_jobs(JobQuery(queue="q"), page_size=2)]
        assert every == ids[::-1]
        scheduled = JobQuery(states=(JobState.SCHEDULED,), queue="other")
        assert len([job async for job in client.iter_jobs(scheduled)]) == 1


async def test_errors_are_api_errors(served_api: ApiEnv) -> None:
    async with AsyncClient(served_api.url, TOKEN) as client:
        with pytest.raises(ApiError) as caught:
            await client.submit({"url": "ftp://x.example/"})
        error = caught.value
        assert isinstance(error, RingbackError)
        assert (error.status, error.code, error.field) == (422, "invalid_input", "body.payload.url")
        assert "body.payload.url" in str(error)
        with pytest.raises(ApiError) as caught:
            await client.get_job(404)
        assert (caught.value.status, caught.value.code) == (404, "not_found")
        job = (await client.submit({"url": URL})).job
        with pytest.raises(ApiError) as caught:
            await client.retry(job.id)
        assert (caught.value.status, caught.value.code) == (409, "conflict")
    async with AsyncClient(served_api.url, "wrong-token-0123456789") as intruder:
        with pytest.raises(ApiError) as caught:
            await intruder.overview()
        assert (caught.value.status, caught.value.code) == (401, "unauthorized")


async def test_an_unreachable_server_is_status_0() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AsyncClient(f"http://127.0.0.1:{port}", TOKEN) as client:
        with pytest.raises(ApiError) as caught:
            await client.overview()
    assert (caught.value.status, caught.value.code) == (0, "unavailable")


async def test_sync_client(served_api: ApiEnv) -> None:
    # The server runs on this test's event loop, so the blocking client runs in a thread.
    def scenario() -> None:
        with Client(served_api.url, TOKEN, timeout=timedelta(seconds=5)) as client:
            submitted = client.submit({"url": URL}, key="sync-1", at=START + timedelta(hours=1))
            assert submitted.created
            job_id = submitted.job.id
            assert not client.submit({"url": URL}, key="sync-1").created
            assert client.get_job(job_id).attempts == []
            assert client.reschedule(job_id, delay=timedelta(minutes=1)).run_at == START + (
                timedelta(minutes=1)
            )
            assert [job.id for job in client.iter_jobs(page_size=1)] == [job_id]
            assert client.list_jobs(JobQuery(key="sync-1")).jobs[0].id == job_id
            assert client.cancel(job_id).state is JobState.CANCELLED
            assert client.retry(job_id).state is JobState.SCHEDULED
            assert client.overview().pending == 1
            assert len(client.preview_policy("alipay", 3).runs) == 3
            with pytest.raises(ApiError) as caught:
                client.reschedule(job_id, delay="whenever")
            assert caught.value.field == "body.delay"

    await asyncio.to_thread(scenario)


def test_answers_that_are_not_the_api_shape() -> None:
    from ringback.interfaces.client import wire

    with pytest.raises(ApiError) as caught:
        wire.decode(502, "<html><body>Bad gateway</body></html>")
    assert (caught.value.status, caught.value.code) == (502, "http_error")
    assert "Bad gateway" in caught.value.message
    with pytest.raises(ApiError) as caught:
        wire.decode(200, "not json")
    assert caught.value.code == "bad_response"
    from ringback.interfaces.client.models import job_info

    with pytest.raises(ApiError) as caught:
        job_info({"id": "seven"})
    assert caught.value.code == "bad_response"
