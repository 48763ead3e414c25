"""POST /v1/jobs: created, replayed by key, or refused with the field at fault."""

from __future__ import annotations

from typing import Any

import pytest
from api_env import URL, ApiEnv


def body(**extra: Any) -> dict[str, Any]:
    return {"payload": {"url": URL, "json": {"trade_no": "T1"}}, **extra}


async def test_submit_201_then_200_with_the_same_key(served_api: ApiEnv) -> None:
    api = served_api
    first = await api.http.post("/v1/jobs", json=body(key="pay-T1", policy="alipay"))
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    created = first.json()
    assert created["created"] is True
    job = created["job"]
    assert job["kind"] == "http" and job["state"] == "scheduled"
    assert job["key"] == "pay-T1" and job["target"] == "shop.example:443"
    assert job["run_at"] == "2026-03-01T08:00:00Z"
    assert job["policy"]["type"] == "schedule"
    assert set(job) == {
        "id", "kind", "queue", "key", "target", "labels", "state", "attempts", "series",
        "run_at", "created_at", "updated_at", "finished_at", "last_error", "payload", "policy",
    }  # fmt: skip

    again = await api.http.post(
        "/v1/jobs", json=body(key="pay-T1", payload={"url": "https://elsewhere.example/"})
    )
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == {"job": job, "created": False}
    assert await api.service.count() == 1


async def test_submit_with_delay_labels_and_queue(api: ApiEnv) -> None:
    answer = await api.http.post(
        "/v1/jobs",
        json=body(delay="PT10M", queue="notify", labels={"merchant": "m1"}),
    )
    assert answer.status_code == 201
    job = answer.json()["job"]
    assert job["run_at"] == "2026-03-01T08:10:00Z"
    assert (job["queue"], job["labels"]) == ("notify", {"merchant": "m1"})


async def test_secret_headers_are_masked_in_answers(api: ApiEnv) -> None:
    payload = {
        "url": URL,
        "headers": {"Authorization": "Bearer very-secret", "X-Merchant": "m1"},
    }
    answer = await api.http.post("/v1/jobs", json={"payload": payload})
    assert answer.status_code == 201
    assert "very-secret" not in answer.text
    headers = answer.json()["job"]["payload"]["headers"]
    assert headers == {"Authorization": "Bearer ***", "X-Merchant": "m1"}
    shown = await api.http.get(f"/v1/jobs/{answer.json()['job']['id']}")
    assert "very-secret" not in shown.text
    listed = await api.http.get("/v1/jobs")
    assert "very-secret" not in listed.text
    # ...while the stored job keeps the real value for the executor.
    [stored] = (await api.service.list()).jobs
    assert stored.payload["headers"]["Authorization"] == "Bearer very-secret"


INVALID: list[tuple[dict[str, Any], str]] = [
    (body(delay="soon"), "body.delay"),
    (body(delay="30"), "body.delay"),
    (body(payload={"url": "ftp://shop.example/x"}), "body.payload.url"),
    (body(payload={"url": "http://127.0.0.1:9/x"}), "body.payload.url"),
    (body(payload={"url": URL, "method": "BREW"}), "body.payload.method"),
    (body(at="2026-03-01T09:00:00Z", delay="1m"), "body.delay"),
    (body(at="2026-03-01T09:00:00"), "body.at"),
    (body(at="tomorrow"), "body.at"),
    (body(policy="nosuchpreset"), "body.policy.preset"),
    (body(policy={"type": "schedule", "delays": ["1m", "x"]}), "body.policy.delays[1]"),
    (body(kind="fax"), "body.kind"),
    (body(dealy="1m"), "body.dealy"),
    (body(labels={"m": 1}), "body.labels.m"),
    ({"kind": "http"}, "body.payload"),
    (body(queue=""), "body.queue"),
]


@pytest.mark.parametrize(("request_body", "field"), INVALID)
async def test_invalid_input_is_422_naming_the_field(
    api: ApiEnv, request_body: dict[str, Any], field: str
) -> None:
    answer = await api.http.post("/v1/jobs", json=request_body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["field"] == field
    assert error["message"]
    assert await api.service.count() == 0


@pytest.mark.parametrize(
    "raw", [b'{"payload": {"url": ', b"not json", b'{"payload": {"url": "x"},}']
)
async def test_malformed_json_is_400(api: ApiEnv, raw: bytes) -> None:
    answer = await api.http.post(
        "/v1/jobs", content=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "malformed_json"
    assert error["field"] == "body"
    assert "Traceback" not in answer.text


async def test_a_body_that_is_not_an_object_is_422(api: ApiEnv) -> None:
    answer = await api.http.post("/v1/jobs", json=[1, 2])
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "body"


async def test_submit_at_a_time_in_another_zone(api: ApiEnv) -> None:
    answer = await api.http.post("/v1/jobs", json=body(at="2026-03-01T18:30:00+08:00"))
    assert answer.status_code == 201
    assert answer.json()["job"]["run_at"] == "2026-03-01T10:30:00Z"
