"""The success rule: reading it from a payload and judging answers with it."""

from __future__ import annotations

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.executors.base import ResultKind
from ringback.core.executors.http.success import (
    DEFAULT_RULE,
    SuccessRule,
    answer_text,
    judge,
    parse_success,
)


def test_the_default_is_any_2xx():
    assert parse_success(None) == DEFAULT_RULE
    assert parse_success({}) == DEFAULT_RULE
    assert [judge(DEFAULT_RULE, s, b"").kind for s in (200, 204, 299)] == [ResultKind.SUCCESS] * 3


def test_statuses_normalise_to_a_list():
    assert parse_success({"status": "2XX"}).statuses == ("2xx",)
    assert parse_success({"status": 200}).statuses == (200,)
    assert parse_success({"status": ["200", 204, 204, "3xx"]}).statuses == (200, 204, "3xx")
    rule = parse_success({"status": [200, 204], "body_equals": "success"})
    assert rule.to_json() == {"status": [200, 204], "body_equals": "success", "body_contains": None}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"status": []}, "payload.success.status"),
        ({"status": 99}, "payload.success.status"),
        ({"status": [200, "6xx"]}, "payload.success.status[1]"),
        ({"status": True}, "payload.success.status"),
        ({"body_equals": 1}, "payload.success.body_equals"),
        ({"body_contains": ""}, "payload.success.body_contains"),
        ({"body_equals": "x" * 1025}, "payload.success.body_equals"),
        ({"bodyEquals": "success"}, "payload.success.bodyEquals"),
        ("2xx", "payload.success"),
    ],
)
def test_bad_rules_name_their_field(raw, field):
    with pytest.raises(InvalidInput) as caught:
        parse_success(raw)
    assert caught.value.field == field


def test_answer_text_strips_whitespace_and_a_bom():
    assert answer_text("\ufeff success \r\n".encode()) == "success"
    assert answer_text(b"\xffok") == "\ufffdok"


def test_body_equals_is_exact_after_stripping():
    rule = SuccessRule(body_equals="success")
    assert judge(rule, 200, b"  success\n").kind is ResultKind.SUCCESS
    assert judge(rule, 200, b"SUCCESS") == judge(rule, 200, b"SUCCESS")
    verdict = judge(rule, 200, b"SUCCESS")
    assert verdict.kind is ResultKind.RETRY
    assert verdict.error == "body was 'SUCCESS', expected 'success'"


def test_the_status_is_checked_before_the_body():
    rule = SuccessRule(body_equals="success")
    assert judge(rule, 500, b"success").error == "HTTP 500"


def test_a_long_wrong_body_is_shortened_in_the_error():
    verdict = judge(SuccessRule(body_equals="success"), 200, b"e" * 500)
    assert verdict.error == f"body was {'e' * 100!r}…, expected 'success'"


def test_body_contains():
    rule = SuccessRule(body_contains='"code":"SUCCESS"')
    assert judge(rule, 200, b'{"code":"SUCCESS","msg":"ok"}').kind is ResultKind.SUCCESS
    verdict = judge(rule, 200, b'{"code":"FAIL"}', truncated=True)
    assert verdict.error == (
        'body does not contain \'"code":"SUCCESS"\' (only the first 15 bytes were read)'
    )


def test_gone_fails_for_good_unless_listed():
    assert judge(DEFAULT_RULE, 410, b"").kind is ResultKind.FAIL
    assert judge(SuccessRule(statuses=(410,)), 410, b"").kind is ResultKind.SUCCESS


def test_other_4xx_and_5xx_are_retried():
    for status in (400, 401, 404, 429, 500, 502, 503):
        assert judge(DEFAULT_RULE, status, b"").kind is ResultKind.RETRY


def test_a_redirect_names_its_target_unless_listed_as_success():
    verdict = judge(DEFAULT_RULE, 301, b"", location="https://new.example/hook")
    assert verdict == judge(DEFAULT_RULE, 301, b"", location="https://new.example/hook")
    assert verdict.error == "HTTP 301 redirect to https://new.example/hook not followed"
    assert judge(DEFAULT_RULE, 307, b"").error == "HTTP 307 redirect not followed"
    assert judge(SuccessRule(statuses=("3xx",)), 302, b"").kind is ResultKind.SUCCESS
