"""The ``[statements]`` section: a complete source, and each mistake named by its key."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from ringback.core.errors import ConfigError
from ringback.domain.statements.pulls import (
    HttpSource,
    LedgerKind,
    parse_statements_config,
    statement_schedules,
)
from ringback.domain.statements.simulator import SIMULATOR_FORMAT


def table(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "http",
        "url": "https://bank.example.com/statement?merchant={yyyymmdd}",
        "json": {"merchant": "898310048160001", "date": "{date}"},
        "not_ready": {"field": "code", "equals": "9999"},
        "too_frequent": {"field": "code", "equals": ["1001"]},
        "schedule": "30 0 * * *",
        "tz": "Asia/Shanghai",
        "format": SIMULATOR_FORMAT,
        "ledger": "csv:ledgers/bank.csv",
    }
    base.update(overrides)
    return base


def parse(tmp_path: Path, **overrides: Any) -> Any:
    config = parse_statements_config({"sources": {"bank": table(**overrides)}}, base_dir=tmp_path)
    assert config is not None
    return config.source("bank")


def test_a_complete_source(tmp_path: Path) -> None:
    source = parse(tmp_path)
    assert isinstance(source.fetch, HttpSource)
    url, query, body, headers = source.fetch.request_for(date(2026, 11, 23))
    assert url == "https://bank.example.com/statement?merchant=20261123"
    assert body == {"merchant": "898310048160001", "date": "2026-11-23"}
    assert (query, headers) == ({}, {})
    assert source.fetch.rules.not_ready is not None
    assert source.fetch.rules.not_ready.equals == ("9999",)
    assert source.min_interval == timedelta(minutes=30)
    assert source.deadline == time(12, 0)
    assert source.ledger.kind is LedgerKind.CSV
    assert source.ledger.path == (tmp_path / "ledgers" / "bank.csv").resolve()
    assert source.reconcile.day_zone == "Asia/Shanghai"  # the source's zone by default
    [schedule] = statement_schedules(
        parse_statements_config({"sources": {"bank": table()}}, base_dir=tmp_path)
    )
    assert schedule.name == "statements.bank"
    assert schedule.job.payload == {
        "task": "statements.start",
        "args": {"source": "bank", "tick": "{tick}"},
    }


def test_dates_of_a_source(tmp_path: Path) -> None:
    source = parse(tmp_path)
    tick = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 24 November 00:30 in Shanghai
    assert source.date_for_tick(tick) == date(2026, 11, 23)
    deadline = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 12:00 Shanghai on the pull day
    assert source.scheduled_deadline(date(2026, 11, 23)) == deadline
    assert source.deadline_for(date(2026, 11, 23), tick) == deadline
    late = deadline + timedelta(hours=1)
    assert source.deadline_for(date(2026, 11, 23), late) == late + timedelta(hours=12)


def test_an_empty_section_turns_the_feature_off(tmp_path: Path) -> None:
    assert parse_statements_config({}, base_dir=tmp_path) is None


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"url": None}, "statements.sources.bank", "needs url"),
        ({"url": "ftp://bank"}, "statements.sources.bank.url", "should match pattern"),
        ({"min_interval": "0s"}, "statements.sources.bank.min_interval", "longer than 0s"),
        ({"min_interval": "30"}, "statements.sources.bank.min_interval", "unit"),
        ({"deadline": "25:00"}, "statements.sources.bank.deadline", "pattern"),
        ({"schedule": "61 0 * * *"}, "statements.sources.bank.schedule", "minute: 61"),
        ({"tz": "Asia/Nowhere"}, "statements.sources.bank.tz", "IANA"),
        ({"format": {"type": "pdf"}}, "statements.sources.bank.format.type", "one of"),
        ({"ledger": "sql:orders"}, "statements.sources.bank.ledger", "'orders'"),
        ({"limits": {"max_ratio": 0}}, "statements.sources.bank.limits.max_ratio", "positive"),
        ({"not_ready": {"field": "code"}}, "statements.sources.bank.not_ready", "together"),
        ({"not_ready": {}}, "statements.sources.bank.not_ready", "give field"),
        ({"colour": "red"}, "statements.sources.bank.colour", "unknown setting"),
        ({"day_offset": 1}, "statements.sources.bank.day_offset", "≤ 0"),
    ],
)
def test_mistakes_name_their_key(
    tmp_path: Path, overrides: dict[str, Any], field: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(tmp_path, **overrides)
    assert caught.value.field == field
    assert fragment in caught.value.message


def test_a_bad_source_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_statements_config({"sources": {"my bank": table()}}, base_dir=tmp_path)
    assert caught.value.field == "statements.sources.my bank"


def test_a_source_pulled_by_hand_only_has_no_schedule(tmp_path: Path) -> None:
    config = parse_statements_config({"sources": {"bank": table(schedule="")}}, base_dir=tmp_path)
    assert config is not None and config.source("bank").schedule is None
    assert statement_schedules(config) == []
