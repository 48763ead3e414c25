"""Named SQL queries, loaded from the ``.sql`` files in ``postgres/queries/``.

A file holds sections that each start with a ``-- name: <query_name>`` line. In the
text, ``{schema}`` stands for the store's schema; it is filled in with
``psycopg.sql.Identifier`` (quoted), so a schema name can never change the SQL;
``{channel}`` likewise names the schema's LISTEN/NOTIFY channel.
Sections named ``part_*`` are fragments that other queries include as
``{part_name}`` (the job filter shared by listing and counting, for one).
Keeping every statement in files keeps the SQL in one reviewable place that can be
pasted into ``EXPLAIN`` as written.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from psycopg import sql

from ringback.core.errors import StoreError
from ringback.core.store.postgres.settings import wake_channel

_QUERIES_PACKAGE = "ringback.core.store.postgres.queries"
_NAME_LINE = re.compile(r"^--\s*name:\s*(\S+)\s*$", re.MULTILINE)
_VALID_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def parse_named_sections(text: str, *, source: str) -> dict[str, str]:
    """Split a file into its ``-- name:`` sections (text before the first is ignored)."""
    sections: dict[str, str] = {}
    matches = list(_NAME_LINE.finditer(text))
    for index, match in enumerate(matches):
        name = match.group(1)
        if not _VALID_NAME.fullmatch(name):
            raise StoreError(f"{source}: bad query name {name!r}")
        if name in sections:
            raise StoreError(f"{source}: query {name!r} is defined twice")
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[match.end() : end].strip()
        if not body:
            raise StoreError(f"{source}: query {name!r} is empty")
        sections[name] = body
    return sections


def render(text: str, schema: str, parts: dict[str, sql.Composed] | None = None) -> sql.Composed:
    """The SQL text with ``{schema}`` and ``{channel}`` bound to quoted identifiers
    and ``{part_*}`` to the named fragments."""
    return sql.SQL(text).format(
        schema=sql.Identifier(schema),
        channel=sql.Identifier(wake_channel(schema)),
        **(parts or {}),
    )


@functools.cache
def _query_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    folder = resources.files(_QUERIES_PACKAGE)
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".sql"):
            continue
        for name, body in parse_named_sections(entry.read_text("utf-8"), source=entry.name).items():
            if name in texts:
                raise StoreError(f"{entry.name}: query {name!r} is defined in two files")
            texts[name] = body
    return texts


class Queries:
    """Every named query, bound to one schema."""

    def __init__(self, schema: str) -> None:
        texts = _query_texts()
        parts = {
            name: render(text, schema) for name, text in texts.items() if name.startswith("part_")
        }
        self._bound = {name: render(text, schema, parts) for name, text in texts.items()}

    def __getitem__(self, name: str) -> sql.Composed:
        try:
            return self._bound[name]
        except KeyError:
            raise StoreError(f"no SQL query named {name!r}") from None

    def names(self) -> frozenset[str]:
        return frozenset(self._bound)


@functools.lru_cache(maxsize=64)
def queries_for(schema: str) -> Queries:
    """Shared per schema: binding every query costs a little, and the outbox runs often."""
    return Queries(schema)
