"""Reading a bank's answer: the file, "not ready", "too frequent", or an error."""

from __future__ import annotations

import json

import pytest

from ringback.domain.statements.pulls import AnswerKind, AnswerRule, AnswerRules, classify
from ringback.domain.statements.pulls.answers import json_path

RULES = AnswerRules(
    file_field="data.file",
    not_ready=AnswerRule(field="code", equals=("9999",)),
    too_frequent=AnswerRule(field="code", equals=("1001", "1002")),
    ready=AnswerRule(field="code", equals=("0000",)),
)


def answer(status: int, body: object) -> tuple[int, str]:
    return status, json.dumps(body, ensure_ascii=False)


def test_the_file_is_found_at_its_path() -> None:
    result = classify(
        *answer(200, {"code": "0000", "msg": "成功", "data": {"file": "UEsDBA=="}}), RULES
    )
    assert result.kind is AnswerKind.READY
    assert result.payload == "UEsDBA=="
    assert "UEsDBA" not in result.summary  # the file is never quoted
    assert result.summary == 'HTTP 200 {"code": "0000", "msg": "成功", "data": "…"}'


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"code": "9999", "msg": "系统错误"}, AnswerKind.NOT_READY),
        ({"code": 9999, "msg": "系统错误"}, AnswerKind.NOT_READY),  # a number matches its text
        ({"code": "1002"}, AnswerKind.TOO_FREQUENT),
        ({"code": "2001", "msg": "对账文件不存在"}, AnswerKind.ERROR),
        ({"code": "0000", "data": {}}, AnswerKind.ERROR),  # ready but no file
        ({"code": "0000", "data": {"file": "  "}}, AnswerKind.ERROR),
        ({"code": {"nested": 1}}, AnswerKind.ERROR),
        (["not", "an", "object"], AnswerKind.ERROR),
    ],
)
def test_codes_are_recognised(body: object, kind: AnswerKind) -> None:
    assert classify(*answer(200, body), RULES).kind is kind


def test_a_status_rule_and_non_json_answers() -> None:
    rules = AnswerRules(file_field="file", not_ready=AnswerRule(status=(404,)))
    assert classify(404, "<html>not yet</html>", rules).kind is AnswerKind.NOT_READY
    broken = classify(502, "<html>Bad Gateway</html>", rules)
    assert broken.kind is AnswerKind.ERROR
    assert broken.summary == "HTTP 502 <html>Bad Gateway</html>"
    text = classify(200, "OK", rules)
    assert text.kind is AnswerKind.ERROR and text.summary.startswith("the answer is not JSON")
    # Without a ready rule, any answer holding a file is ready.
    assert classify(200, '{"file": "QUJD"}', rules).kind is AnswerKind.READY


def test_a_long_answer_is_cut_in_its_summary() -> None:
    result = classify(*answer(500, {"msg": "x" * 1000}), RULES)
    assert len(result.summary) == 200 and result.summary.endswith("…")


def test_json_paths() -> None:
    body = {"a": {"b": {"c": 1}}, "d": None}
    assert json_path(body, "a.b.c") == 1
    assert json_path(body, "a.x") is None
    assert json_path(body, "a.b.c.d") is None
    assert json_path([1], "a") is None
