"""Secrets in payloads are masked before any interface shows them."""

from __future__ import annotations

import copy
from typing import Any

from ringback.core.service import mask_secrets, redact_url


def test_auth_like_headers_are_masked_and_the_rest_kept() -> None:
    payload: dict[str, Any] = {
        "url": "https://shop.example/notify",
        "headers": {
            "Authorization": "Bearer s3cr3t-value",
            "Cookie": "session=abc",
            "X-Api-Key": "k-123",
            "X-Auth-Token": "t-456",
            "X-Client-Secret": "zzz",
            "Content-Type": "application/json",
            "X-Trace": "trace-1",
        },
        "json": {"trade_no": "T1"},
    }
    original = copy.deepcopy(payload)
    masked = mask_secrets(payload)
    assert payload == original  # the input is left alone
    headers = masked["headers"]
    assert headers["Authorization"] == "Bearer ***"
    for name in ("Cookie", "X-Api-Key", "X-Auth-Token", "X-Client-Secret"):
        assert headers[name] == "***"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Trace"] == "trace-1"
    assert masked["json"] == {"trade_no": "T1"}
    assert "s3cr3t" not in repr(masked)


def test_header_pairs_and_nested_task_arguments() -> None:
    masked = mask_secrets(
        {
            "headers": [["authorization", "Basic dXNlcjpwYXNz"], ["accept", "*/*"]],
            "args": {"api_key": "k", "password": "p", "amount": 100, "token": None},
        }
    )
    assert masked["headers"] == [["authorization", "Basic ***"], ["accept", "*/*"]]
    assert masked["args"] == {"api_key": "***", "password": "***", "amount": 100, "token": None}


def test_urls_lose_passwords_and_secret_query_values() -> None:
    assert redact_url("https://u:pw@h.example/x") == "https://u:***@h.example/x"
    assert (
        redact_url("https://h.example/cb?order=1&access_token=abc&sign_type=RSA2")
        == "https://h.example/cb?order=1&access_token=***&sign_type=RSA2"
    )
    assert redact_url("https://h.example/cb?order=1") == "https://h.example/cb?order=1"
    masked = mask_secrets({"url": "https://h.example/cb?apikey=abc"})
    assert masked == {"url": "https://h.example/cb?apikey=***"}
