"""A receiver's answer as the executor sees it: status, headers, a capped body."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass


class AnswerHeaders:
    """The answer's header fields with a case-insensitive lookup.

    The executor reads only a couple of fields (Location, Retry-After), so a dict from
    lower-cased name to the first value is all the lookup needs; the fields as received
    stay available in order.
    """

    __slots__ = ("_by_name", "fields")

    def __init__(self, fields: Sequence[tuple[str, str]]) -> None:
        self.fields = tuple(fields)
        by_name: dict[str, str] = {}
        for name, value in self.fields:
            by_name.setdefault(name.lower(), value)
        self._by_name = by_name

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name`` (any case), or ``default``."""
        return self._by_name.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __repr__(self) -> str:
        return f"AnswerHeaders({list(self.fields)!r})"


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    reason: str
    headers: AnswerHeaders
    body: bytes  # at most the cap the request was made with
    truncated: bool  # the body went on past the cap (and the connection was closed)
