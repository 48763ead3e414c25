"""When a receiver's answer counts as "done": the rule and the verdict. Pure, no I/O.

By default any 2xx status is success. Payment notifications usually need more: Alipay
style merchants must answer the literal text ``success``, so a rule can also demand the
body (stripped of surrounding whitespace and a UTF-8 byte-order mark) equal, or contain,
a given text.

Anything else is worth another try, with two deliberate exceptions to the obvious:
a 4xx is retried too (receivers answer 404 or 401 while a deployment is half done, and
the schedule is bounded by the policy), but **410 Gone** fails the job for good, because
it is the receiver's explicit "stop calling". Redirects are not followed (a callback
URL that moved is a configuration error to surface, and following it would bypass the
private-address guard), so an unexpected 3xx is a failure with the Location shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ringback.core.errors import InvalidInput
from ringback.core.executors.base import ResultKind
from ringback.core.jobs import JsonObject

_STATUS_CLASS = re.compile(r"^([1-5])xx$")
_MAX_EXPECTED_TEXT = 1024
_SHOWN_BODY_CHARS = 100
_BOM = "\ufeff"
GONE = 410


@dataclass(frozen=True, slots=True)
class SuccessRule:
    statuses: tuple[int | str, ...] = ("2xx",)  # exact codes and classes like "2xx"
    body_equals: str | None = None
    body_contains: str | None = None

    def status_matches(self, status: int) -> bool:
        for expected in self.statuses:
            if isinstance(expected, int):
                if status == expected:
                    return True
            elif status // 100 == int(expected[0]):
                return True
        return False

    def describe_statuses(self) -> str:
        return " or ".join(str(s) for s in self.statuses)

    def to_json(self) -> JsonObject:
        return {
            "status": list(self.statuses),
            "body_equals": self.body_equals,
            "body_contains": self.body_contains,
        }


DEFAULT_RULE = SuccessRule()


def _parse_status_entry(entry: object, field: str) -> int | str:
    if isinstance(entry, str) and entry.isdigit():
        entry = int(entry)
    if isinstance(entry, int) and not isinstance(entry, bool):
        if 100 <= entry <= 599:
            return entry
        raise InvalidInput(f"{entry} is not an HTTP status (100-599)", field=field)
    if isinstance(entry, str):
        match = _STATUS_CLASS.match(entry.strip().lower())
        if match is not None:
            return f"{match.group(1)}xx"
    raise InvalidInput("a status is a code like 200 or a class like '2xx'", field=field)


def _parse_statuses(raw: object, field: str) -> tuple[int | str, ...]:
    entries = raw if isinstance(raw, list) else [raw]
    if not entries:
        raise InvalidInput("name at least one status", field=field)
    parsed: list[int | str] = []
    for index, entry in enumerate(entries):
        value = _parse_status_entry(entry, f"{field}[{index}]" if raw is entries else field)
        if value not in parsed:
            parsed.append(value)
    return tuple(parsed)


def _parse_text(raw: object, field: str, *, allow_empty: bool) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidInput("must be a string or null", field=field)
    if not allow_empty and not raw:
        raise InvalidInput("must not be empty", field=field)
    if len(raw) > _MAX_EXPECTED_TEXT:
        raise InvalidInput(f"at most {_MAX_EXPECTED_TEXT} characters", field=field)
    return raw


def parse_success(raw: object, field: str = "payload.success") -> SuccessRule:
    """Read a payload's ``success`` object (None means the default: any 2xx)."""
    if raw is None:
        return DEFAULT_RULE
    if not isinstance(raw, dict):
        raise InvalidInput("must be an object", field=field)
    unknown = sorted(set(raw) - {"status", "body_equals", "body_contains"})
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=f"{field}.{unknown[0]}")
    status = raw.get("status")
    return SuccessRule(
        statuses=DEFAULT_RULE.statuses
        if status is None
        else _parse_statuses(status, f"{field}.status"),
        body_equals=_parse_text(raw.get("body_equals"), f"{field}.body_equals", allow_empty=True),
        body_contains=_parse_text(
            raw.get("body_contains"), f"{field}.body_contains", allow_empty=False
        ),
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: ResultKind
    error: str | None = None


def answer_text(body: bytes) -> str:
    """The body as the rule compares it: UTF-8, no surrounding whitespace, no BOM."""
    return body.decode("utf-8", errors="replace").strip().lstrip(_BOM).strip()


def _shown(text: str) -> str:
    if len(text) <= _SHOWN_BODY_CHARS:
        return repr(text)
    return repr(text[:_SHOWN_BODY_CHARS]) + "…"


def _judge_body(rule: SuccessRule, body: bytes, truncated: bool) -> Verdict:
    if rule.body_equals is None and rule.body_contains is None:
        return Verdict(ResultKind.SUCCESS)
    text = answer_text(body)
    suffix = f" (only the first {len(body)} bytes were read)" if truncated else ""
    if rule.body_equals is not None and text != rule.body_equals:
        return Verdict(
            ResultKind.RETRY,
            f"body was {_shown(text)}, expected {rule.body_equals!r}{suffix}",
        )
    if rule.body_contains is not None and rule.body_contains not in text:
        return Verdict(ResultKind.RETRY, f"body does not contain {rule.body_contains!r}{suffix}")
    return Verdict(ResultKind.SUCCESS)


def judge(
    rule: SuccessRule,
    status: int,
    body: bytes,
    *,
    truncated: bool = False,
    location: str | None = None,
) -> Verdict:
    """Success, retry or fail for one answer. ``location`` is the (sanitised) redirect."""
    if rule.status_matches(status):
        return _judge_body(rule, body, truncated)
    if status == GONE:
        return Verdict(ResultKind.FAIL, "HTTP 410 Gone: the receiver asked for no more calls")
    if 300 <= status < 400:
        target = f" to {location}" if location else ""
        return Verdict(ResultKind.RETRY, f"HTTP {status} redirect{target} not followed")
    if rule.statuses == DEFAULT_RULE.statuses:
        return Verdict(ResultKind.RETRY, f"HTTP {status}")
    return Verdict(ResultKind.RETRY, f"HTTP {status}, expected {rule.describe_statuses()}")
