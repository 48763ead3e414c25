"""write, get_record, list_records, count_records, put_blob, get_blob.

Records and the jobs they cause commit together or not at all; REPLACE is
optimistic (version checked); listing is newest ref_time first with a cursor that
neither skips nor repeats; blobs are content-addressed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from contract_support import T0, Backend, new_job

from ringback.core.errors import Conflict, InvalidInput, NotFound
from ringback.core.jobs import JobKind
from ringback.core.store.contract import (
    JobFilter,
    Record,
    RecordWrite,
    Store,
    WriteMode,
)
from ringback.core.store.sqlite import SqliteStore

NS = "payments.order"


def record(key: str = "app1:ORDER-1", **fields: Any) -> Record:
    values: dict[str, Any] = {
        "namespace": NS,
        "key": key,
        "data": {"amount_minor": 1999, "currency": "CNY", "status": "paid"},
        "ref_time": T0,
        "group": "app1",
    }
    values.update(fields)
    return Record(**values)


def insert(rec: Record) -> RecordWrite:
    return RecordWrite(rec, WriteMode.INSERT)


def upsert(rec: Record) -> RecordWrite:
    return RecordWrite(rec, WriteMode.UPSERT)


def replace(rec: Record, expect_version: int) -> RecordWrite:
    return RecordWrite(rec, WriteMode.REPLACE, expect_version=expect_version)


async def nothing_written(store: Store, namespace: str = NS) -> bool:
    return await store.count_records(namespace) == 0 and await store.count_jobs(JobFilter()) == 0


# -- the three modes -----------------------------------------------------------------
async def test_insert_creates_version_1_with_store_set_times(store: Store) -> None:
    plus_eight = timezone(timedelta(hours=8))
    ref_time = T0.astimezone(plus_eight) + timedelta(microseconds=123457)
    submitted = record(ref_time=ref_time, data={"n": 1, "nested": {"list": [1, "二", None]}})
    now = T0 + timedelta(seconds=5)
    result = await store.write(records=[insert(submitted)], now=now)

    [stored] = result.records
    assert stored.created is True
    assert result.jobs == []
    rec = stored.record
    assert (rec.namespace, rec.key, rec.group) == (NS, "app1:ORDER-1", "app1")
    assert rec.data == {"n": 1, "nested": {"list": [1, "二", None]}}
    assert rec.ref_time == ref_time and rec.ref_time.utcoffset() == timedelta(0)
    assert rec.ref_time.microsecond == 123457
    assert rec.version == 1
    assert rec.created_at == rec.updated_at == now
    assert await store.get_record(NS, "app1:ORDER-1") == rec


async def test_insert_of_an_existing_key_keeps_the_old_record(store: Store) -> None:
    [first] = (await store.write(records=[insert(record())], now=T0)).records
    again = record(data={"status": "refunded"}, group="other", ref_time=T0 + timedelta(days=1))
    [second] = (await store.write(records=[insert(again)], now=T0 + timedelta(hours=1))).records

    assert second.created is False
    assert second.record == first.record
    assert await store.get_record(NS, "app1:ORDER-1") == first.record


async def test_upsert_creates_then_overwrites_and_counts_versions(store: Store) -> None:
    [created] = (await store.write(records=[upsert(record())], now=T0)).records
    assert created.created is True and created.record.version == 1

    later = T0 + timedelta(minutes=3)
    changed = record(data={"status": "refunded"}, group="app2", ref_time=T0 + timedelta(days=1))
    [updated] = (await store.write(records=[upsert(changed)], now=later)).records
    assert updated.created is False
    rec = updated.record
    assert (rec.version, rec.data, rec.group) == (2, {"status": "refunded"}, "app2")
    assert rec.ref_time == T0 + timedelta(days=1)
    assert (rec.created_at, rec.updated_at) == (T0, later)
    [third] = (await store.write(records=[upsert(changed)], now=later)).records
    assert third.record.version == 3
    assert await store.get_record(NS, "app1:ORDER-1") == third.record


async def test_replace_at_the_expected_version_updates(store: Store) -> None:
    await store.write(records=[insert(record())], now=T0)
    later = T0 + timedelta(minutes=1)
    [replaced] = (
        await store.write(records=[replace(record(data={"status": "closed"}), 1)], now=later)
    ).records
    assert replaced.created is False
    assert replaced.record.version == 2
    assert replaced.record.data == {"status": "closed"}
    assert (replaced.record.created_at, replaced.record.updated_at) == (T0, later)
    assert await store.get_record(NS, "app1:ORDER-1") == replaced.record


async def test_a_stale_replace_writes_nothing_at_all(store: Store) -> None:
    [original] = (await store.write(records=[insert(record())], now=T0)).records
    await store.write(records=[replace(record(data={"status": "v2"}), 1)], now=T0)

    with pytest.raises(Conflict) as caught:
        await store.write(
            records=[
                insert(record("app1:ORDER-2")),
                upsert(record("app1:ORDER-3")),
                replace(record(data={"status": "stale"}), original.record.version),
            ],
            jobs=[new_job(1, key="notify-1"), new_job(2)],
            now=T0 + timedelta(minutes=1),
        )
    assert caught.value.field == "expect_version"
    current = await store.get_record(NS, "app1:ORDER-1")
    assert current is not None and (current.version, current.data) == (2, {"status": "v2"})
    assert await store.count_records(NS) == 1
    assert await store.count_jobs(JobFilter()) == 0
    assert await store.get_job_by_key("notify-1") is None


async def test_a_replace_of_a_missing_record_writes_nothing_at_all(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        await store.write(
            records=[insert(record("app1:ORDER-2")), replace(record(), 1)],
            jobs=[new_job(1, key="notify-1")],
            now=T0,
        )
    assert caught.value.field == "key"
    assert await nothing_written(store)


async def test_records_are_written_in_order_within_one_call(store: Store) -> None:
    result = await store.write(
        records=[
            insert(record(data={"step": 1})),
            insert(record(data={"step": "ignored"})),
            replace(record(data={"step": 2}), 1),
            upsert(record(data={"step": 3})),
        ],
        now=T0,
    )
    assert [(r.created, r.record.version, r.record.data) for r in result.records] == [
        (True, 1, {"step": 1}),
        (False, 1, {"step": 1}),
        (False, 2, {"step": 2}),
        (False, 3, {"step": 3}),
    ]
    assert await store.get_record(NS, "app1:ORDER-1") == result.records[-1].record


async def test_the_same_key_in_two_namespaces_is_two_records(store: Store) -> None:
    await store.write(
        records=[insert(record()), insert(record(namespace="payments.notification"))], now=T0
    )
    assert await store.count_records(NS) == 1
    assert await store.count_records("payments.notification") == 1
    assert await store.get_record("statements.pull", "app1:ORDER-1") is None


# -- jobs in the same transaction ------------------------------------------------------
async def test_records_and_jobs_commit_together(store: Store) -> None:
    result = await store.write(
        records=[insert(record())],
        jobs=[new_job(1, key="notify-ORDER-1"), new_job(2, kind=JobKind.TASK)],
        now=T0,
    )
    assert [job.created for job in result.jobs] == [True, True]
    assert result.jobs[0].job.key == "notify-ORDER-1"
    assert result.jobs[0].job.created_at == T0
    for enqueued in result.jobs:
        assert await store.get_job(enqueued.job.id) == enqueued.job
    assert await store.get_record(NS, "app1:ORDER-1") == result.records[0].record


async def test_jobs_in_write_are_idempotent_by_key(store: Store) -> None:
    [before] = await store.enqueue([new_job(1, key="notify-ORDER-1")], T0)
    result = await store.write(
        records=[insert(record())],
        jobs=[new_job(2, key="notify-ORDER-1"), new_job(3, key="k3"), new_job(4, key="k3")],
        now=T0 + timedelta(minutes=1),
    )
    assert [job.created for job in result.jobs] == [False, True, False]
    assert result.jobs[0].job == before.job
    assert result.jobs[1].job == result.jobs[2].job
    assert await store.count_jobs(JobFilter()) == 2


async def test_jobs_alone_and_an_empty_write(store: Store) -> None:
    result = await store.write(jobs=[new_job(1)], now=T0)
    assert result.records == [] and len(result.jobs) == 1
    empty = await store.write(now=T0)
    assert empty.records == [] and empty.jobs == []
    assert await store.count_jobs(JobFilter()) == 1


# -- bad input -------------------------------------------------------------------------
NAIVE = datetime(2026, 1, 1, 9, 0)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (insert(record(namespace="")), "namespace"),
        (insert(record(key="")), "key"),
        (insert(record(key="a\x00b")), "key"),
        (insert(record(ref_time=NAIVE)), "ref_time"),
        (insert(record(data=["not", "an", "object"])), "data"),
        (insert(record(data={"amount": float("nan")})), "data"),
        (insert(record(data={"when": T0})), "data"),
        (insert(record(data={"text": "nul\x00"})), "data"),
        (insert(record(group=None)), "group"),
        (RecordWrite(record(), WriteMode.REPLACE), "expect_version"),
        (RecordWrite(record(), WriteMode.REPLACE, expect_version=0), "expect_version"),
        (RecordWrite(record(), WriteMode.INSERT, expect_version=1), "expect_version"),
        (RecordWrite(record(), "delete"), "mode"),  # type: ignore[arg-type]
    ],
)
async def test_a_bad_record_is_refused_and_changes_nothing(
    store: Store, bad: RecordWrite, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await store.write(records=[insert(record("app1:ORDER-0")), bad], jobs=[new_job(1)], now=T0)
    assert caught.value.field == field
    assert await nothing_written(store)


async def test_a_bad_job_or_time_refuses_the_whole_write(store: Store) -> None:
    with pytest.raises(InvalidInput) as caught:
        await store.write(records=[insert(record())], jobs=[new_job(1, run_at=NAIVE)], now=T0)
    assert caught.value.field == "run_at"
    with pytest.raises(InvalidInput) as caught:
        await store.write(records=[insert(record())], jobs=[new_job(1)], now=NAIVE)
    assert caught.value.field == "now"
    assert await nothing_written(store)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"namespace": ""}, "namespace"),
        ({"limit": 0}, "limit"),
        ({"ref_from": NAIVE}, "ref_from"),
        ({"ref_to": NAIVE}, "ref_to"),
        ({"before": (NAIVE, "k")}, "before"),
        ({"before": (T0,)}, "before"),
        ({"group": 7}, "group"),
    ],
)
async def test_bad_listing_arguments_are_refused(
    store: Store, arguments: dict[str, Any], field: str
) -> None:
    arguments = dict(arguments)  # the parameter is shared by both backends' runs
    namespace = arguments.pop("namespace", NS)
    with pytest.raises(InvalidInput) as caught:
        await store.list_records(namespace, **arguments)
    assert caught.value.field == field
    if field not in ("limit", "before"):
        with pytest.raises(InvalidInput):
            await store.count_records(namespace, **arguments)


async def test_get_record_refuses_empty_names(store: Store) -> None:
    for namespace, key in (("", "k"), (NS, "")):
        with pytest.raises(InvalidInput):
            await store.get_record(namespace, key)


# -- listing and counting --------------------------------------------------------------
def _day(n: int) -> datetime:
    return T0 + timedelta(days=n)


async def _fill(store: Store) -> list[Record]:
    """30 records over 10 days (three per day, so ties on ref_time), two groups."""
    writes = [
        insert(
            record(
                f"k{n:02d}",
                ref_time=_day(n % 10),
                group="app1" if n % 3 else "app2",
                data={"n": n},
            )
        )
        for n in range(30)
    ]
    result = await store.write(records=writes, now=T0)
    return [stored.record for stored in result.records]


def _newest_first(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda rec: (rec.ref_time, rec.key), reverse=True)


async def _all_pages(store: Store, page_size: int, **filters: Any) -> list[list[Record]]:
    pages: list[list[Record]] = []
    before: tuple[datetime, str] | None = None
    while True:
        page = await store.list_records(NS, limit=page_size, before=before, **filters)
        if not page:
            return pages
        pages.append(page)
        before = (page[-1].ref_time, page[-1].key)


async def test_listing_goes_newest_first_then_key_descending(store: Store) -> None:
    written = await _fill(store)
    listed = await store.list_records(NS, limit=100)
    assert listed == _newest_first(written)
    assert [rec.key for rec in listed[:3]] == ["k29", "k19", "k09"]
    assert await store.list_records(NS, limit=4) == listed[:4]


@pytest.mark.parametrize("page_size", [1, 4, 7, 30])
async def test_the_cursor_pages_without_gaps_or_repeats(store: Store, page_size: int) -> None:
    written = await _fill(store)
    pages = await _all_pages(store, page_size)
    assert all(len(page) == page_size for page in pages[:-1])
    assert [rec for page in pages for rec in page] == _newest_first(written)


async def test_filters_by_group_and_ref_time_range(store: Store) -> None:
    written = await _fill(store)
    app2 = [rec for rec in written if rec.group == "app2"]
    assert await store.list_records(NS, group="app2") == _newest_first(app2)
    assert await store.count_records(NS, group="app2") == len(app2) == 10

    # ref_from is inclusive, ref_to exclusive.
    window = [rec for rec in written if _day(2) <= rec.ref_time < _day(5)]
    assert await store.list_records(NS, ref_from=_day(2), ref_to=_day(5)) == _newest_first(window)
    assert await store.count_records(NS, ref_from=_day(2), ref_to=_day(5)) == 9
    assert await store.count_records(NS, ref_from=_day(8)) == 6
    assert await store.count_records(NS, ref_to=_day(1)) == 3

    both = [rec for rec in window if rec.group == "app1"]
    pages = await _all_pages(store, 2, group="app1", ref_from=_day(2), ref_to=_day(5))
    assert [rec for page in pages for rec in page] == _newest_first(both)
    assert await store.count_records(NS, group="app1", ref_from=_day(2), ref_to=_day(5)) == 6

    assert await store.list_records(NS, group="nobody") == []
    assert await store.count_records(NS, group="nobody") == 0
    assert await store.count_records(NS) == 30
    assert await store.count_records("other.namespace") == 0


async def test_the_empty_group_is_a_group_of_its_own(store: Store) -> None:
    await store.write(
        records=[insert(record("a", group="")), insert(record("b", group="app1"))], now=T0
    )
    assert [rec.key for rec in await store.list_records(NS, group="")] == ["a"]
    assert await store.count_records(NS, group="") == 1


async def test_an_update_moves_a_record_in_the_listing(store: Store) -> None:
    await _fill(store)
    newest = record("k00", ref_time=_day(30), group="app2", data={"moved": True})
    await store.write(records=[upsert(newest)], now=T0)
    [first] = await store.list_records(NS, limit=1)
    assert first.key == "k00" and first.version == 2
    assert await store.count_records(NS) == 30


# -- blobs -----------------------------------------------------------------------------
async def test_a_blob_round_trips_by_its_sha256(store: Store) -> None:
    data = bytes(range(256)) * 40 + "账单".encode("gbk")
    sha256 = await store.put_blob(data, T0)
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert await store.get_blob(sha256) == data
    assert await store.get_blob(sha256.upper()) == data


async def test_putting_a_blob_again_is_a_no_op(store: Store) -> None:
    first = await store.put_blob(b"statement,2026-01-01\n", T0)
    # Any bytes-like value is accepted; equal bytes name the same blob.
    copy = bytearray(b"statement,2026-01-01\n")
    again = await store.put_blob(copy, T0 + timedelta(days=1))  # type: ignore[arg-type]
    assert again == first
    assert await store.get_blob(first) == b"statement,2026-01-01\n"
    empty = await store.put_blob(b"", T0)
    assert await store.get_blob(empty) == b""


async def test_an_unknown_blob_is_none(store: Store) -> None:
    assert await store.get_blob(hashlib.sha256(b"never stored").hexdigest()) is None


@pytest.mark.parametrize("sha256", ["", "abc", "g" * 64, "a" * 63, "a" * 65, " " + "a" * 63])
async def test_a_malformed_sha256_is_refused(store: Store, sha256: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await store.get_blob(sha256)
    assert caught.value.field == "sha256"


async def test_bad_blob_input_is_refused_and_stores_nothing(store: Store) -> None:
    with pytest.raises(InvalidInput) as caught:
        await store.put_blob("text is not bytes", T0)  # type: ignore[arg-type]
    assert caught.value.field == "data"
    with pytest.raises(InvalidInput) as caught:
        await store.put_blob(b"bytes", NAIVE)
    assert caught.value.field == "now"
    assert await store.get_blob(hashlib.sha256(b"bytes").hexdigest()) is None


# -- waking ----------------------------------------------------------------------------
async def _primed_waiter(backend: Backend) -> Store:
    waiter = await backend.open_store()
    await waiter.wait_for_jobs(0.01)
    return waiter


async def test_a_write_with_new_jobs_wakes_other_instances(backend: Backend) -> None:
    waiter = await _primed_waiter(backend)
    writer = await backend.open_store()
    waiting = asyncio.create_task(waiter.wait_for_jobs(5.0))
    await asyncio.sleep(0)
    await writer.write(records=[insert(record())], jobs=[new_job(1)], now=T0)
    assert await waiting is True


async def test_a_write_without_new_jobs_does_not_wake(backend: Backend) -> None:
    writer = await backend.open_store()
    await writer.enqueue([new_job(1, key="known")], T0)
    waiter = await _primed_waiter(backend)
    await waiter.wait_for_jobs(0.01)  # drain anything the enqueue above left pending
    await writer.write(records=[insert(record())], now=T0)
    await writer.write(jobs=[new_job(2, key="known")], now=T0)
    assert await waiter.wait_for_jobs(0.2) is False


# -- durability (SQLite: a real process killed mid-stream) ------------------------------
_WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from ringback.core.jobs import JobKind, NewJob
    from ringback.core.store.contract import Record, RecordWrite
    from ringback.core.store.sqlite import SqliteStore

    NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)

    async def main(path):
        store = SqliteStore(path)
        await store.open()
        n = 0
        while True:
            n += 1
            rec = Record(namespace="ns", key=f"r{n}", data={"n": n}, ref_time=NOW)
            job = NewJob(kind=JobKind.TASK, payload={"n": n}, policy={}, run_at=NOW, key=f"j{n}")
            await store.write(records=[RecordWrite(rec)], jobs=[job], now=NOW)
            print(n, flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)


def _spawn_writer(path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
async def test_every_acknowledged_sqlite_write_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    acknowledged = 0
    with _spawn_writer(path) as writer:
        try:
            assert writer.stdout is not None and writer.stderr is not None
            while acknowledged < 50:
                line = writer.stdout.readline()
                assert line, writer.stderr.read()
                acknowledged = int(line)
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(timeout=10)
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    assert writer.returncode == -signal.SIGKILL

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        for n in range(1, acknowledged + 1):
            rec = await reopened.get_record("ns", f"r{n}")
            assert rec is not None and rec.data == {"n": n}, f"acknowledged record {n} is missing"
            assert await reopened.get_job_by_key(f"j{n}") is not None
        stored = await reopened.count_records("ns")
        assert stored in (acknowledged, acknowledged + 1)  # the last may commit unacknowledged
        assert await reopened.count_jobs(JobFilter()) == stored
    finally:
        await reopened.close()
