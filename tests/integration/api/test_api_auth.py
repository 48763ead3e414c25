"""Bearer auth on everything but /healthz; health reflects the store."""

from __future__ import annotations

import httpx
import pytest
from api_env import ApiEnv

WRONG_CREDENTIALS: list[dict[str, str]] = [
    {},
    {"Authorization": "Bearer wrong-token-0123456789abcdef"},
    {"Authorization": "Bearer x"},
    {"Authorization": "Basic dGVzdDp0ZXN0"},
    {"Authorization": "test-token-0123456789abcdef"},  # the token without the scheme
]
PROTECTED = [
    ("GET", "/v1/jobs"),
    ("POST", "/v1/jobs"),
    ("GET", "/v1/jobs/1"),
    ("POST", "/v1/jobs/1/cancel"),
    ("POST", "/v1/jobs/1/retry"),
    ("POST", "/v1/jobs/1/reschedule"),
    ("GET", "/v1/overview"),
    ("POST", "/v1/policies/preview"),
]


async def test_requests_without_the_right_token_get_401(served_api: ApiEnv) -> None:
    for headers in WRONG_CREDENTIALS:
        async with httpx.AsyncClient(base_url=served_api.url, headers=headers) as anonymous:
            for method, path in PROTECTED:
                answer = await anonymous.request(method, path, json={})
                assert answer.status_code == 401, (headers, method, path)
                assert answer.json()["error"]["code"] == "unauthorized"
                assert answer.headers["www-authenticate"] == "Bearer"
    assert await served_api.service.count() == 0


async def test_the_right_token_is_accepted(api: ApiEnv) -> None:
    answer = await api.http.get("/v1/jobs")
    assert answer.status_code == 200
    assert answer.json() == {"jobs": [], "next_cursor": None}


async def test_healthz_needs_no_token_and_checks_the_store(served_api: ApiEnv) -> None:
    api = served_api
    async with httpx.AsyncClient(base_url=api.url) as anonymous:
        healthy = await anonymous.get("/healthz")
        assert healthy.status_code == 200
        assert healthy.json()["status"] == "ok"
        assert healthy.json()["schema_version"] >= 1
        await api.store.close()
        broken = await anonymous.get("/healthz")
        assert broken.status_code == 503
        assert broken.json()["status"] == "unavailable"


async def test_store_failures_are_503_without_details(api: ApiEnv) -> None:
    await api.store.close()
    answer = await api.http.get("/v1/jobs/1")
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "store_error"
    assert str(api.store.path) not in answer.text
    assert "Traceback" not in answer.text


def test_a_short_token_is_refused(api: ApiEnv) -> None:
    from ringback.core.errors import ConfigError
    from ringback.interfaces.api import create_app

    with pytest.raises(ConfigError):
        create_app(api.service, token="short")
