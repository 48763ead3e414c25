"""``HttpExecutor.prepare``: normalising good payloads, naming the field of bad ones."""

from __future__ import annotations

from typing import Any

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.executors.http import HttpExecutor, HttpOptions


@pytest.fixture
def guarded(secret: str) -> HttpExecutor:
    """The production setting: private addresses refused. prepare needs no loop."""
    return HttpExecutor(HttpOptions(signing_secret=secret, max_request_bytes=100))


def test_a_minimal_payload_is_normalised(guarded):
    prepared = guarded.prepare({"url": "https://Shop.Example.com/notify#frag"})
    assert prepared.target == "shop.example.com:443"
    assert prepared.payload == {
        "url": "https://shop.example.com/notify",
        "method": "POST",
        "headers": {},
        "body": None,
        "json": None,
        "success": {"status": ["2xx"], "body_equals": None, "body_contains": None},
        "connect_timeout": None,
        "timeout": None,
    }


def test_a_full_payload_survives_a_round_trip(guarded):
    payload = {
        "url": "http://pay.example.cn:8080/alipay/notify?x=1",
        "method": "patch",
        "headers": {"X-Merchant": "M01"},
        "json": {"trade_no": "2026", "amount": "12.50"},
        "success": {"status": [200], "body_equals": "success"},
        "connect_timeout": "PT1.5S",
        "timeout": "20s",
    }
    prepared = guarded.prepare(payload)
    assert prepared.target == "pay.example.cn:8080"
    assert prepared.payload["method"] == "PATCH"
    assert prepared.payload["connect_timeout"] == "1s500ms"
    assert prepared.payload["timeout"] == "20s"
    assert guarded.prepare(prepared.payload) == prepared


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("http://[2606:4700::1111]/x", "[2606:4700::1111]:80"),
        ("https://例え.jp/hook", "xn--r8jz45g.jp:443"),
        ("https://shop.example.com.:8443/", "shop.example.com:8443"),
        ("https://93.184.216.34/", "93.184.216.34:443"),
    ],
)
def test_targets(guarded, url, target):
    assert guarded.prepare({"url": url}).target == target


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({}, "payload.url", "required"),
    ({"url": 5}, "payload.url", "required"),
    ({"url": "ftp://example.com/x"}, "payload.url", "http"),
    ({"url": "example.com/hook"}, "payload.url", "http"),
    ({"url": "https://user:pw@example.com/"}, "payload.url", "credentials"),
    ({"url": "https://token@example.com/"}, "payload.url", "credentials"),
    ({"url": "https:///path"}, "payload.url", ""),
    ({"url": "https://example.com:99999/"}, "payload.url", ""),
    ({"url": "https://exa mple.com/"}, "payload.url", "spaces"),
    ({"url": "https://example.com/\r\nX: y"}, "payload.url", "control"),
    ({"url": "http://127.0.0.1:8080/"}, "payload.url", "loopback"),
    ({"url": "http://10.0.0.8/"}, "payload.url", "private"),
    ({"url": "http://169.254.169.254/latest/meta-data"}, "payload.url", "metadata"),
    ({"url": "http://[::1]/"}, "payload.url", "loopback"),
    ({"url": "http://[::ffff:127.0.0.1]/"}, "payload.url", "loopback"),
    ({"url": "http://localhost:8000/"}, "payload.url", "loopback name"),
    ({"url": "http://api.localhost/"}, "payload.url", "loopback name"),
    ({"url": "http://2130706433/"}, "payload.url", "plain IP"),
    ({"url": "http://127.1/"}, "payload.url", "plain IP"),
    ({"url": "http://0x7f.0.0.1/"}, "payload.url", "plain IP"),
    ({"url": "https://example.com/", "method": "HEAD"}, "payload.method", "POST"),
    ({"url": "https://example.com/", "method": 1}, "payload.method", "POST"),
    ({"url": "https://example.com/", "body": "a", "json": {}}, "payload.json", "either"),
    ({"url": "https://example.com/", "body": {"a": 1}}, "payload.body", "string"),
    ({"url": "https://example.com/", "body": "x" * 101}, "payload.body", "at most 100"),
    ({"url": "https://example.com/", "json": ["é" * 60]}, "payload.json", "at most 100"),
    ({"url": "https://example.com/", "json": float("nan")}, "payload.json", "JSON"),
    ({"url": "https://example.com/", "method": "GET", "json": {}}, "payload.json", "GET"),
    ({"url": "https://example.com/", "headers": []}, "payload.headers", "object"),
    ({"url": "https://example.com/", "headers": {"X-A": 1}}, "payload.headers.X-A", "string"),
    ({"url": "https://example.com/", "headers": {"X A": "1"}}, "payload.headers.X A", "name"),
    (
        {"url": "https://example.com/", "headers": {"X-A": "1\r\nX-B: 2"}},
        "payload.headers.X-A",
        "line breaks",
    ),
    ({"url": "https://example.com/", "headers": {"Host": "x"}}, "payload.headers.Host", "set"),
    (
        {"url": "https://example.com/", "headers": {"content-length": "1"}},
        "payload.headers.content-length",
        "set",
    ),
    (
        {"url": "https://example.com/", "headers": {"Webhook-Signature": "v1,x"}},
        "payload.headers.Webhook-Signature",
        "webhook-*",
    ),
    (
        {"url": "https://example.com/", "headers": {"X-A": "1", "x-a": "2"}},
        "payload.headers.x-a",
        "twice",
    ),
    ({"url": "https://example.com/", "timeout": "forever"}, "payload.timeout", "duration"),
    ({"url": "https://example.com/", "timeout": 30}, "payload.timeout", "duration string"),
    ({"url": "https://example.com/", "connect_timeout": "0s"}, "payload.connect_timeout", "1ms"),
    ({"url": "https://example.com/", "timeout": "11m"}, "payload.timeout", "at most 10m"),
    ({"url": "https://example.com/", "success": {"status": "ok"}}, "payload.success.status", ""),
    ({"url": "https://example.com/", "sucess": {}}, "payload.sucess", "unknown"),
]


@pytest.mark.parametrize(("payload", "field", "words"), BAD)
def test_bad_payloads_name_their_field(guarded, payload, field, words):
    with pytest.raises(InvalidInput) as caught:
        guarded.prepare(payload)
    assert caught.value.field == field
    assert words in caught.value.message


def test_a_payload_that_is_not_an_object(guarded):
    with pytest.raises(InvalidInput) as caught:
        guarded.prepare(["https://example.com"])  # type: ignore[arg-type]
    assert caught.value.field == "payload"


def test_private_targets_pass_when_allowed(secret):
    loose = HttpExecutor(HttpOptions(signing_secret=secret, allow_private=True))
    assert loose.prepare({"url": "http://localhost:8000/"}).target == "localhost:8000"
    listed = HttpExecutor(
        HttpOptions(signing_secret=secret, allowed_hosts=frozenset({"10.0.0.0/8", "localhost"}))
    )
    assert listed.prepare({"url": "http://10.1.1.1/"}).target == "10.1.1.1:80"
    assert listed.prepare({"url": "http://localhost/"}).target == "localhost:80"
    with pytest.raises(InvalidInput):
        listed.prepare({"url": "http://192.168.0.1/"})


def test_header_values_are_trimmed_and_names_kept(guarded):
    prepared = guarded.prepare(
        {"url": "https://example.com/", "headers": {"Authorization": "  Bearer t0k  "}}
    )
    assert prepared.payload["headers"] == {"Authorization": "Bearer t0k"}
