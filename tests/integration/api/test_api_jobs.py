"""GET /v1/jobs (filters, pages), GET /v1/jobs/{id}, and the operator actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from api_env import URL, ApiEnv, record_attempt


async def submit(api: ApiEnv, **extra: Any) -> dict[str, Any]:
    answer = await api.http.post("/v1/jobs", json={"payload": {"url": URL}, **extra})
    assert answer.status_code == 201, answer.text
    job: dict[str, Any] = answer.json()["job"]
    return job


async def ids(api: ApiEnv, params: Any) -> list[int]:
    answer = await api.http.get("/v1/jobs", params=params)
    assert answer.status_code == 200, answer.text
    return [job["id"] for job in answer.json()["jobs"]]


async def test_list_filters(api: ApiEnv) -> None:
    a = await submit(api, queue="notify", labels={"merchant": "m1"}, key="k-a")
    api.clock.advance(timedelta(hours=1))
    b = await submit(api, queue="notify", labels={"merchant": "m2"})
    c = await submit(api, payload={"url": "https://other.example:8443/cb"})
    assert (await api.http.post(f"/v1/jobs/{b['id']}/cancel")).status_code == 200

    assert await ids(api, {}) == [c["id"], b["id"], a["id"]]
    assert await ids(api, {"queue": "notify"}) == [b["id"], a["id"]]
    assert await ids(api, {"label": "merchant:m1"}) == [a["id"]]
    assert await ids(api, {"key": "k-a"}) == [a["id"]]
    assert await ids(api, {"target": "other.example:8443"}) == [c["id"]]
    assert await ids(api, {"state": "cancelled"}) == [b["id"]]
    assert await ids(api, [("state", "cancelled"), ("state", "scheduled")]) == [
        c["id"],
        b["id"],
        a["id"],
    ]
    assert await ids(api, {"kind": "http", "state": "dead"}) == []
    assert await ids(api, {"created_from": "2026-03-01T08:30:00Z"}) == [c["id"], b["id"]]
    assert await ids(api, {"created_to": "2026-03-01T08:30:00Z"}) == [a["id"]]


async def test_pagination_is_stable(api: ApiEnv) -> None:
    submitted = [(await submit(api))["id"] for _ in range(7)]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3} | ({} if cursor is None else {"cursor": cursor})
        page = (await api.http.get("/v1/jobs", params=params)).json()
        seen += [job["id"] for job in page["jobs"]]
        pages += 1
        if pages == 1:
            await submit(api)  # arrivals during paging must not shift later pages
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert seen == submitted[::-1]
    assert pages == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 501}, "query.limit"),
        ({"cursor": "abc"}, "query.cursor"),
        ({"state": "sleeping"}, "query.state[0]"),
        ({"label": "nocolon"}, "query.label"),
        ({"created_from": "2026-03-01T08:00:00"}, "query.created_from"),
    ],
)
async def test_bad_list_parameters(api: ApiEnv, params: dict[str, Any], field: str) -> None:
    answer = await api.http.get("/v1/jobs", params=params)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


async def test_show_has_the_attempts(api: ApiEnv) -> None:
    job = await submit(api)
    await record_attempt(api, job["id"], dead=False)
    answer = await api.http.get(f"/v1/jobs/{job['id']}")
    assert answer.status_code == 200
    shown = answer.json()
    assert shown["job"]["attempts"] == 1
    assert shown["job"]["last_error"] == "HTTP 500"
    assert shown["attempts"] == [
        {
            "series": 1,
            "number": 1,
            "started_at": "2026-03-01T08:00:00Z",
            "finished_at": "2026-03-01T08:00:01.500000Z",
            "duration_ms": 1500,
            "outcome": "retry",
            "status_code": 500,
            "response_excerpt": "fail",
            "error": "HTTP 500",
            "worker": "w1",
        }
    ]


async def test_unknown_jobs_are_404(api: ApiEnv) -> None:
    for method, path, body in [
        ("GET", "/v1/jobs/999", None),
        ("POST", "/v1/jobs/999/cancel", None),
        ("POST", "/v1/jobs/999/retry", None),
        ("POST", "/v1/jobs/999/reschedule", {"delay": "1m"}),
    ]:
        answer = await api.http.request(method, path, json=body)
        assert answer.status_code == 404, path
        assert answer.json()["error"]["code"] == "not_found"
    not_an_id = await api.http.get("/v1/jobs/abc")
    assert not_an_id.status_code == 422
    assert not_an_id.json()["error"]["field"] == "path.job_id"


async def test_cancel_retry_reschedule_rules(api: ApiEnv) -> None:
    job = await submit(api)
    job_url = f"/v1/jobs/{job['id']}"

    retry_scheduled = await api.http.post(f"{job_url}/retry")
    assert retry_scheduled.status_code == 409
    assert retry_scheduled.json()["error"]["code"] == "conflict"

    moved = await api.http.post(f"{job_url}/reschedule", json={"delay": "10m"})
    assert moved.status_code == 200
    assert moved.json()["job"]["run_at"] == "2026-03-01T08:10:00Z"
    moved = await api.http.post(f"{job_url}/reschedule", json={"at": "2026-03-02T00:00:00Z"})
    assert moved.json()["job"]["run_at"] == "2026-03-02T00:00:00Z"
    for bad, field in [
        ({}, "body.at"),
        ({"delay": "soon"}, "body.delay"),
        ({"at": "2026-03-02T00:00:00Z", "delay": "1m"}, "body.delay"),
        ({"when": "now"}, "body.when"),
    ]:
        answer = await api.http.post(f"{job_url}/reschedule", json=bad)
        assert answer.status_code == 422, bad
        assert answer.json()["error"]["field"] == field

    cancelled = await api.http.post(f"{job_url}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["job"]["state"] == "cancelled"
    assert (await api.http.post(f"{job_url}/cancel")).status_code == 409
    assert (await api.http.post(f"{job_url}/reschedule", json={"delay": "1m"})).status_code == 409

    retried = await api.http.post(f"{job_url}/retry", json={"at": "2026-03-01T12:00:00Z"})
    assert retried.status_code == 200
    again = retried.json()["job"]
    assert (again["state"], again["series"], again["attempts"]) == ("scheduled", 2, 0)
    assert again["run_at"] == "2026-03-01T12:00:00Z"


async def test_retry_a_dead_job_now(api: ApiEnv) -> None:
    job = await submit(api)
    await record_attempt(api, job["id"], dead=True)
    assert (await api.http.get(f"/v1/jobs/{job['id']}")).json()["job"]["state"] == "dead"
    retried = await api.http.post(f"/v1/jobs/{job['id']}/retry")
    assert retried.status_code == 200
    assert retried.json()["job"]["run_at"] == api.clock.now().isoformat().replace("+00:00", "Z")
