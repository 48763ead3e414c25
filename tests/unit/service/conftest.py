"""A JobService over a real SQLite file, with a fake clock and the real HTTP executor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from service_env import START

from ringback.core.clock import FakeClock
from ringback.core.executors.base import Executor
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import JobKind
from ringback.core.service import JobService
from ringback.core.store.sqlite import SqliteStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(tmp_path / "ringback.db")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def executors() -> AsyncIterator[dict[JobKind, Executor]]:
    http = HttpExecutor(HttpOptions(signing_secret=generate_secret()))
    yield {JobKind.HTTP: http}
    await http.close()


@pytest.fixture
def service(store: SqliteStore, clock: FakeClock, executors: dict[JobKind, Executor]) -> JobService:
    return JobService(store, clock, executors)
