from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from api_env import ApiEnv, running_api


@pytest.fixture
async def served_api(tmp_path: Path) -> AsyncIterator[ApiEnv]:
    """The API on a real uvicorn server on loopback."""
    async with running_api(tmp_path / "ringback.db", serve=True) as env:
        yield env


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[ApiEnv]:
    """The same app called in-process (no socket)."""
    async with running_api(tmp_path / "ringback.db", serve=False) as env:
        yield env
