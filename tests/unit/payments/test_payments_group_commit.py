"""Group commit on a real SQLite store: concurrent writes share transactions, and each
caller still gets its own result or its own failure."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ringback.core.errors import Conflict
from ringback.core.jobs import NewJob
from ringback.core.store.contract import Record, RecordWrite, WriteMode, WriteResult
from ringback.core.store.sqlite import SqliteStore
from ringback.domain.payments.group_commit import GroupWriter

NOW = datetime(2026, 3, 14, 8, 30, tzinfo=UTC)


class CountingStore(SqliteStore):
    """The real store, counting its write transactions."""

    writes = 0

    async def write(
        self,
        *,
        records: Sequence[RecordWrite] = (),
        jobs: Sequence[NewJob] = (),
        now: datetime,
    ) -> WriteResult:
        self.writes += 1
        return await super().write(records=records, jobs=jobs, now=now)


@pytest.fixture
async def store(tmp_path: Path):
    made = CountingStore(tmp_path / "ringback.db")
    await made.open()
    yield made
    await made.close()


def insert(key: str) -> RecordWrite:
    return RecordWrite(Record("test", key, {"k": key}, NOW), WriteMode.INSERT)


async def test_concurrent_writes_share_transactions_and_get_their_own_results(store):
    writer = GroupWriter(store)
    results = await asyncio.gather(
        *(writer.write(records=[insert(f"a{i}"), insert(f"b{i}")], now=NOW) for i in range(20))
    )
    for i, result in enumerate(results):
        assert [r.record.key for r in result.records] == [f"a{i}", f"b{i}"]
        assert all(r.created for r in result.records)
    assert store.writes < 20  # the first alone, then the rest together
    assert await store.count_records("test") == 40


async def test_one_failing_call_fails_alone(store):
    writer = GroupWriter(store)
    [first] = (await writer.write(records=[insert("x")], now=NOW)).records
    stale = RecordWrite(
        Record("test", "x", {"k": "changed"}, NOW), WriteMode.REPLACE, expect_version=99
    )
    outcomes = await asyncio.gather(
        writer.write(records=[insert("y1")], now=NOW),
        writer.write(records=[insert("y2"), stale], now=NOW),
        writer.write(records=[insert("y3")], now=NOW),
        return_exceptions=True,
    )
    assert isinstance(outcomes[1], Conflict)
    assert not isinstance(outcomes[0], BaseException)
    assert not isinstance(outcomes[2], BaseException)
    assert await store.get_record("test", "y2") is None  # none of the failing call's rows
    assert await store.get_record("test", "y1") is not None
    assert await store.get_record("test", "y3") is not None
    assert (await store.get_record("test", "x")) == first.record
