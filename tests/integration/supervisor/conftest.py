"""A real master process per test (see supervisor_harness.py), always cleaned up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from supervisor_harness import MasterHarness


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[MasterHarness]:
    h = MasterHarness(tmp_path)
    try:
        yield h
    finally:
        h.cleanup()
