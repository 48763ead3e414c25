"""What a bank's answer means: the file, "not ready", "too frequent", or something else.

The rules come from the configuration (``not_ready = {field = "code", equals = "9999"}``)
and are applied to the decoded JSON answer; this module does no I/O.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# An answer is quoted in the pull's history and the attempt log: enough to recognise it,
# never the file itself.
SUMMARY_CHARS = 200


class AnswerKind(enum.StrEnum):
    READY = "ready"  # the file is in the answer
    NOT_READY = "not_ready"  # the bank has not prepared it yet: ask again later
    TOO_FREQUENT = "too_frequent"  # the bank says we asked too soon
    ERROR = "error"  # anything else: a transport error, an unknown code, no file


@dataclass(frozen=True, slots=True)
class Answer:
    kind: AnswerKind
    summary: str  # one line for people: the answer's code and message, or the error
    payload: str | bytes | None = None  # base64 text (HTTP) or bytes (a plugin), when READY
    status_code: int | None = None


@dataclass(frozen=True, slots=True)
class AnswerRule:
    """Matches when every condition given holds: a JSON field's value and/or the status."""

    field: str | None = None  # dotted path into the JSON answer, e.g. "code" or "head.code"
    equals: tuple[str, ...] = ()  # the field's value as text is one of these
    status: tuple[int, ...] = ()  # the HTTP status is one of these

    def matches(self, status_code: int, body: Any) -> bool:
        if self.status and status_code not in self.status:
            return False
        if self.field is not None:
            value = json_path(body, self.field)
            if value is None or isinstance(value, dict | list):
                return False
            return _text(value) in self.equals
        return bool(self.status)


@dataclass(frozen=True, slots=True)
class AnswerRules:
    file_field: str  # where the base64 file is
    not_ready: AnswerRule | None = None
    too_frequent: AnswerRule | None = None
    ready: AnswerRule | None = None  # None: an answer holding a file is ready


def json_path(body: Any, path: str) -> Any:
    """``body["head"]["code"]`` for ``"head.code"``; None when any step is missing."""
    value = body
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return None
        value = value[step]
    return value


def classify(status_code: int, text: str, rules: AnswerRules) -> Answer:
    """Turn an HTTP answer into an ``Answer`` (pure)."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    summary = summarize(status_code, body, text, rules.file_field)
    for kind, rule in (
        (AnswerKind.TOO_FREQUENT, rules.too_frequent),
        (AnswerKind.NOT_READY, rules.not_ready),
    ):
        if rule is not None and rule.matches(status_code, body):
            return Answer(kind, summary, status_code=status_code)
    if not 200 <= status_code < 300:
        return Answer(AnswerKind.ERROR, summary, status_code=status_code)
    if body is None:
        return Answer(AnswerKind.ERROR, f"the answer is not JSON: {summary}", None, status_code)
    if rules.ready is not None and not rules.ready.matches(status_code, body):
        return Answer(AnswerKind.ERROR, f"not a known answer: {summary}", None, status_code)
    file = json_path(body, rules.file_field)
    if not isinstance(file, str) or not file.strip():
        return Answer(
            AnswerKind.ERROR, f"no file at {rules.file_field!r}: {summary}", None, status_code
        )
    return Answer(AnswerKind.READY, summary, file, status_code)


def summarize(status_code: int, body: Any, text: str, file_field: str) -> str:
    """The answer in one bounded line, without the file (it can be megabytes)."""
    if isinstance(body, dict):
        top = file_field.split(".", 1)[0]
        shown = {k: v for k, v in body.items() if k != top and not isinstance(v, dict | list)}
        if top in body:
            shown[top] = "…"
        detail = json.dumps(shown, ensure_ascii=False)
    else:
        detail = " ".join(text.split())
    line = f"HTTP {status_code} {detail}"
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
