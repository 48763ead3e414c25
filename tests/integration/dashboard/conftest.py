from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dashboard_env import DashboardEnv, Seeded, running_dashboard, seed


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[DashboardEnv]:
    """The whole service on loopback with the dashboard mounted, nothing submitted."""
    async with running_dashboard(tmp_path) as running:
        yield running


@pytest.fixture
async def seeded(env: DashboardEnv) -> Seeded:
    """One job in every state, with attempts made by the real dispatcher."""
    return await seed(env)
