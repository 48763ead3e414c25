"""The Jobs page's search form: query parameters in, a ``JobFilter`` out.

The same parameters drive the listing, its "older" link (plus a cursor) and the bulk
retry confirmation, so a filter means the same thing everywhere. Bad values raise
``InvalidInput`` naming the form field; the page shows it beside the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JobState
from ringback.core.store.contract import JobFilter
from ringback.interfaces.dashboard.form_time import parse_form_time

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
FILTER_FIELDS = (
    "state",
    "kind",
    "queue",
    "app",
    "label",
    "target",
    "key",
    "created_from",
    "created_to",
)
_DEFAULT_PORTS = {"http": 80, "https": 443}

E = TypeVar("E", JobState, JobKind)


@dataclass(frozen=True, slots=True)
class JobQuery:
    where: JobFilter
    cursor: int | None
    limit: int
    values: dict[str, list[str]] = field(default_factory=dict)  # the form as given, cleaned

    def first(self, name: str) -> str:
        """The form field's value to show back ("" when unset)."""
        given = self.values.get(name)
        return given[0] if given else ""

    def chosen(self, name: str) -> list[str]:
        return self.values.get(name, [])

    @property
    def filtered(self) -> bool:
        return bool(self.values)

    def query_string(self, **extra: str | int) -> str:
        """The filters (never the cursor) plus ``extra``, for links and forms."""
        pairs = [(name, value) for name in FILTER_FIELDS for value in self.values.get(name, [])]
        pairs += [(name, str(value)) for name, value in extra.items()]
        return urlencode(pairs)

    def pairs(self) -> list[tuple[str, str]]:
        """The filters as (name, value) pairs, for hidden form fields."""
        return [(name, value) for name in FILTER_FIELDS for value in self.values.get(name, [])]


def parse_job_query(items: Iterable[tuple[str, str]]) -> JobQuery:
    """Read the form; empty fields are ignored, unknown ones too (e.g. ``csrf``)."""
    values: dict[str, list[str]] = {}
    for name, raw in items:
        value = raw.strip()
        if name in FILTER_FIELDS and value:
            values.setdefault(name, []).append(value)
    for name, given in values.items():
        if name not in ("state", "kind") and len(given) > 1:
            raise InvalidInput("give this field once", field=name)
    label = _label(values)
    target = _target(values["target"][0]) if "target" in values else None
    if target is not None:
        values["target"] = [target]
    where = JobFilter(
        states=frozenset(_members(JobState, values.get("state", []), "state")),
        kinds=frozenset(_members(JobKind, values.get("kind", []), "kind")),
        queue=_one(values, "queue"),
        key=_one(values, "key"),
        target=target,
        label=label,
        created_from=_time(values, "created_from"),
        created_to=_time(values, "created_to"),
    )
    return JobQuery(where=where, cursor=None, limit=DEFAULT_PAGE_SIZE, values=values)


def with_paging(query: JobQuery, cursor: str | None, limit: str | None) -> JobQuery:
    return JobQuery(
        where=query.where,
        cursor=_positive(cursor, "cursor") if cursor else None,
        limit=min(_positive(limit, "limit"), MAX_PAGE_SIZE) if limit else DEFAULT_PAGE_SIZE,
        values=query.values,
    )


def _members(enum_type: type[E], given: list[str], name: str) -> list[E]:
    try:
        return [enum_type(value) for value in given]
    except ValueError:
        known = ", ".join(member.value for member in enum_type)
        raise InvalidInput(f"unknown {name} (known: {known})", field=name) from None


def _one(values: dict[str, list[str]], name: str) -> str | None:
    given = values.get(name)
    return given[0] if given else None


def _label(values: dict[str, list[str]]) -> tuple[str, str] | None:
    app, label = _one(values, "app"), _one(values, "label")
    if app is not None and label is not None:
        raise InvalidInput("filter by app or by label, not both", field="label")
    if app is not None:
        return ("app", app)
    if label is None:
        return None
    for separator in (":", "="):
        name, found, value = label.partition(separator)
        if found and name.strip():
            return (name.strip(), value.strip())
    raise InvalidInput("write the label as name:value", field="label")


def _target(text: str) -> str:
    """A target is ``host:port``; a pasted URL is turned into one."""
    if "://" not in text:
        return text
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        hostname, port = None, None
    if not hostname or port is None:
        raise InvalidInput("give a host:port or a URL", field="target")
    host = f"[{hostname}]" if ":" in hostname else hostname
    return f"{host}:{port}"


def _time(values: dict[str, list[str]], name: str) -> datetime | None:
    text = _one(values, name)
    return None if text is None else parse_form_time(text, name)


def _positive(text: str, name: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise InvalidInput(f"{name} must be a positive whole number", field=name)
    return number
