"""Overview, policy preview, OpenAPI, and the error shape for unknown routes."""

from __future__ import annotations

import httpx
from api_env import URL, ApiEnv, record_attempt


async def test_overview(api: ApiEnv) -> None:
    dead = (await api.http.post("/v1/jobs", json={"payload": {"url": URL}})).json()["job"]
    await record_attempt(api, dead["id"], dead=True)
    later = await api.http.post(
        "/v1/jobs", json={"payload": {"url": URL}, "delay": "1h", "queue": "notify"}
    )
    answer = await api.http.get("/v1/overview")
    assert answer.status_code == 200
    overview = answer.json()
    assert overview["counts"] == {
        "scheduled": 1,
        "running": 0,
        "succeeded": 0,
        "dead": 1,
        "cancelled": 0,
    }
    assert (overview["total"], overview["pending"], overview["dead"]) == (2, 1, 1)
    assert [job["id"] for job in overview["next_due"]] == [later.json()["job"]["id"]]
    assert overview["next_due_at"] == "2026-03-01T09:00:00Z"
    queues = {entry["queue"]: entry["counts"] for entry in overview["queues"]}
    assert queues["notify"]["scheduled"] == 1
    assert queues["default"]["dead"] == 1


async def test_policy_preview(api: ApiEnv) -> None:
    answer = await api.http.post("/v1/policies/preview", json={"policy": "alipay", "count": 20})
    assert answer.status_code == 200
    preview = answer.json()
    assert preview["start"] == "2026-03-01T08:00:00Z"
    assert [run["offset_s"] for run in preview["runs"]] == [
        0,
        120,
        720,
        1320,
        4920,
        12120,
        33720,
        87720,
    ]
    assert preview["gives_up"] is True
    fixed = await api.http.post(
        "/v1/policies/preview",
        json={
            "policy": {"type": "fixed", "interval": "30m"},
            "count": 2,
            "start": "2026-01-01T00:00:00Z",
        },
    )
    assert [run["at"] for run in fixed.json()["runs"]] == [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:30:00Z",
    ]
    assert fixed.json()["gives_up"] is False
    bad = await api.http.post(
        "/v1/policies/preview", json={"policy": {"type": "fixed", "interval": "often"}}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "body.policy.interval"
    too_many = await api.http.post("/v1/policies/preview", json={"policy": "alipay", "count": 0})
    assert too_many.json()["error"]["field"] == "body.count"


async def test_openapi_document(api: ApiEnv) -> None:
    # The schema is public (no token), like /healthz: it holds no data.
    transport = httpx.ASGITransport(app=api.app)
    async with httpx.AsyncClient(base_url=api.url, transport=transport) as anonymous:
        answer = await anonymous.get("/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "ringback"
    assert document["info"]["version"] == "0.1.0"
    assert {
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/cancel",
        "/v1/jobs/{job_id}/retry",
        "/v1/jobs/{job_id}/reschedule",
        "/v1/overview",
        "/v1/policies/preview",
        "/healthz",
    } <= set(document["paths"])
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    submit = document["paths"]["/v1/jobs"]["post"]
    assert submit["security"] == [{"bearer": []}]
    assert {"200", "201", "401", "422"} <= set(submit["responses"])
    assert "security" not in document["paths"]["/healthz"]["get"]


async def test_unknown_routes_and_methods_use_the_error_shape(api: ApiEnv) -> None:
    missing = await api.http.get("/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "Not Found", "field": None}}
    wrong_method = await api.http.delete("/v1/jobs")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
