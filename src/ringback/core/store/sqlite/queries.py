"""The SQLite store's statements, loaded by name from ``queries.sql``.

Keeping SQL in one file (sections headed ``-- name: <name>``) lets it be read, reviewed
and explained as SQL. The file is parsed once at import; asking for a name that is not
there is a programming error and fails loudly.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from importlib import resources

_HEADER = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)

WHERE_MARKER = "/*WHERE*/"
"""Where ``list_jobs`` and ``count_jobs`` take their AND-joined filter fragments."""


class NamedQueries(Mapping[str, str]):
    """An immutable name -> SQL text mapping parsed from a ``-- name:`` sectioned file."""

    def __init__(self, text: str) -> None:
        self._queries = parse_named_queries(text)

    def __getitem__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise KeyError(f"no query named {name!r} in queries.sql") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


def parse_named_queries(text: str) -> dict[str, str]:
    """Split ``text`` at ``-- name:`` headers; a repeated name is an error."""
    queries: dict[str, str] = {}
    headers = list(_HEADER.finditer(text))
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        name = header.group(1)
        if name in queries:
            raise ValueError(f"query {name!r} is defined twice")
        body = text[header.end() : end].strip()
        if not body:
            raise ValueError(f"query {name!r} is empty")
        queries[name] = body
    return queries


def split_statements(script: str) -> list[str]:
    """Cut a script into complete statements (``;`` inside strings or triggers is kept).

    ``executescript`` would commit the open transaction first; splitting lets a
    migration and its bookkeeping row share one transaction.
    """
    statements: list[str] = []
    start = 0
    for end, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            statement = script[start : end + 1].strip()
            if _has_code(statement):
                statements.append(statement)
            start = end + 1
    if _has_code(script[start:]):
        raise ValueError(f"incomplete SQL statement at the end: {script[start:].strip()[:80]!r}")
    return statements


def _has_code(sql: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


SQL = NamedQueries(resources.files(__package__).joinpath("queries.sql").read_text(encoding="utf-8"))
