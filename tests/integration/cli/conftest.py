from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_env import CliEnv, write_config


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliEnv:
    for name in [name for name in os.environ if name.startswith("RINGBACK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")  # rich tables: no truncated columns in asserts
    return write_config(tmp_path)
