"""Multiprocess mode: worker processes record into the shared folder, and the
scraping process adds up what every one of them recorded."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from ringback.core.clock import FakeClock
from ringback.core.config import Settings
from ringback.core.executors.http import HttpExecutor
from ringback.core.store.sqlite import SqliteStore
from ringback.interfaces.observability.metrics_dir import MULTIPROC_ENV, prepare_metrics_dir
from ringback.interfaces.observability.metrics_process import recorded_metrics

from .support import metrics_client, scrape

PROGRAM = Path(__file__).with_name("record_program.py")


async def record(folder: Path, db: Path, *args: str) -> None:
    env = {**os.environ, MULTIPROC_ENV: str(folder)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROGRAM),
        "--db",
        str(db),
        *args,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()


@pytest.mark.slow
async def test_two_worker_processes_are_added_up_by_the_scrape(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store: SqliteStore,
    clock: FakeClock,
    http_executor: HttpExecutor,
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    await asyncio.gather(
        record(folder, tmp_path / "a.db", "--ok", "3", "--gone", "1", "--pull", "ready"),
        record(folder, tmp_path / "b.db", "--ok", "2", "--pull", "not_ready", "--breaks", "2"),
    )
    assert len(list(folder.glob("counter_*.db"))) == 2  # one file per process

    monkeypatch.setenv(MULTIPROC_ENV, str(folder))  # as the API process under serve
    async with metrics_client(store, http_executor, clock, recorded_metrics()) as client:
        scraped = await scrape(client)

    assert scraped.samples("ringback_attempts_total") == {
        (("kind", "http"), ("outcome", "success")): 5,
        (("kind", "http"), ("outcome", "failed")): 1,
    }
    assert scraped.value("ringback_jobs_dead_total", kind="http", queue="default") == 1
    assert scraped.value("ringback_lateness_seconds_count", queue="default") == 6
    assert scraped.value("ringback_delivery_seconds_count", kind="http") == 6
    assert scraped.samples("ringback_statement_pulls_total") == {
        (("result", "ready"), ("source", "icbc")): 1,
        (("result", "not_ready"), ("source", "icbc")): 1,
    }
    assert (
        scraped.value(
            "ringback_reconciliation_breaks_total", source="icbc", category="missing_in_ledger"
        )
        == 2
    )


def test_prepare_metrics_dir_empties_the_folder_and_exports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)  # restored after the test
    settings = Settings(data_dir=str(tmp_path / "data"))
    folder = tmp_path / "data" / "metrics"
    folder.mkdir(parents=True)
    (folder / "counter_123.db").write_bytes(b"left by the last run")
    (folder / "notes.txt").write_text("not ours")

    path = prepare_metrics_dir(settings)

    assert path == folder
    assert os.environ[MULTIPROC_ENV] == str(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
