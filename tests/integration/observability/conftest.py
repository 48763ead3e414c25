from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from ringback.core.clock import FakeClock
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.store.sqlite import SqliteStore
from ringback.interfaces.observability.metrics_process import Instruments

from .support import T0


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = SqliteStore(tmp_path / "ringback.db")
    await s.open()
    yield s
    await s.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def signing_secret() -> str:
    return generate_secret()


@pytest.fixture
async def http_executor(signing_secret: str) -> AsyncIterator[HttpExecutor]:
    executor = HttpExecutor(
        HttpOptions(allow_private=True, signing_secret=signing_secret, timeout=timedelta(seconds=2))
    )
    yield executor
    await executor.close()


@pytest.fixture
def instruments() -> Instruments:
    """A fresh set of instruments in a registry of its own, read by this test only."""
    return Instruments.fresh()
