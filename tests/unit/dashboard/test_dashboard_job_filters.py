"""The Jobs form: parameters to JobFilter, with the field named on every mistake."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JobState
from ringback.interfaces.dashboard.job_filters import parse_job_query, with_paging


def test_every_field_reaches_the_filter() -> None:
    query = parse_job_query(
        [
            ("state", "dead"),
            ("state", "cancelled"),
            ("kind", "http"),
            ("queue", " payments "),
            ("app", "game-1"),
            ("target", "https://shop.example/notify?x=1"),
            ("key", "order-1"),
            ("created_from", "2026-03-01T08:00"),
            ("created_to", "2026-03-02T10:00:00+08:00"),
            ("csrf", "ignored"),
            ("label", ""),
        ]
    )
    where = query.where
    assert where.states == {JobState.DEAD, JobState.CANCELLED}
    assert where.kinds == {JobKind.HTTP}
    assert (where.queue, where.key, where.label) == ("payments", "order-1", ("app", "game-1"))
    assert where.target == "shop.example:443"
    assert where.created_from == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert where.created_to == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert "csrf" not in query.query_string() and "label" not in query.query_string()
    assert query.query_string(cursor=40).endswith("&cursor=40")


def test_labels_and_targets_in_their_forms() -> None:
    assert parse_job_query([("label", "merchant=m1")]).where.label == ("merchant", "m1")
    assert parse_job_query([("label", "a:b:c")]).where.label == ("a", "b:c")
    assert parse_job_query([("target", "http://[::1]:8080/x")]).where.target == "[::1]:8080"
    assert parse_job_query([("target", "host:9")]).where.target == "host:9"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([("state", "asleep")], "state"),
        ([("kind", "email")], "kind"),
        ([("label", "justaname")], "label"),
        ([("label", ":v")], "label"),
        ([("app", "a"), ("label", "b:c")], "label"),
        ([("target", "ftp://host/")], "target"),
        ([("target", "https://:443/")], "target"),
        ([("created_to", "tomorrow")], "created_to"),
        ([("key", "a"), ("key", "b")], "key"),
    ],
)
def test_mistakes_name_their_field(items: list[tuple[str, str]], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_job_query(items)
    assert refused.value.field == field


def test_paging() -> None:
    query = parse_job_query([])
    assert (with_paging(query, None, None).cursor, with_paging(query, None, None).limit) == (
        None,
        50,
    )
    assert with_paging(query, "17", "500").limit == 200
    for cursor in ["0", "-1", "x"]:
        with pytest.raises(InvalidInput):
            with_paging(query, cursor, None)
