"""The named-query file: parsing, statement splitting, and that code and file agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ringback.core.store.sqlite as sqlite_package
from ringback.core.store.sqlite.queries import SQL, parse_named_queries, split_statements

PACKAGE_DIR = Path(sqlite_package.__file__).parent


def test_sections_are_split_by_name() -> None:
    text = (
        "-- header comment\n-- name: first\nSELECT 1;\n\n-- name: second_one\n-- why\nSELECT 2;\n"
    )
    assert parse_named_queries(text) == {"first": "SELECT 1;", "second_one": "-- why\nSELECT 2;"}


def test_a_repeated_or_empty_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="twice"):
        parse_named_queries("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n")
    with pytest.raises(ValueError, match="empty"):
        parse_named_queries("-- name: a\n\n-- name: b\nSELECT 2;\n")


def test_an_unknown_name_fails_loudly() -> None:
    with pytest.raises(KeyError, match="no query named 'nope'"):
        SQL["nope"]


def test_statements_split_at_semicolons_outside_strings_comments_and_triggers() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (a TEXT DEFAULT ';');
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN
        UPDATE t SET a = 'x;y';
    END;
    INSERT INTO t VALUES ('1'); INSERT INTO t VALUES ('2');
    -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 4
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    assert statements[3] == "INSERT INTO t VALUES ('2');"


def test_an_unfinished_statement_is_an_error() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        split_statements("SELECT 1; SELECT 2")


def test_every_query_the_code_names_exists_and_every_query_is_used() -> None:
    source = "\n".join(path.read_text() for path in PACKAGE_DIR.glob("*.py"))
    referenced = set(re.findall(r'\bSQL\["([a-z_0-9]+)"\]', source))
    assert referenced <= set(SQL)
    quoted = set(re.findall(r'"([a-z_0-9]+)"', source))
    unused = {name for name in SQL if name not in quoted}
    assert unused == set()
