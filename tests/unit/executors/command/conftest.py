"""Command jobs as a worker sees them, and scripts for them to run."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ringback.core.jobs import Job, JobKind, JobState, JsonObject


def claimed_job(payload: JsonObject) -> Job:
    now = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    return Job(
        id=7,
        kind=JobKind.COMMAND,
        queue="default",
        key=None,
        target=None,
        labels={},
        payload=payload,
        policy={"kind": "fixed", "every": "30m"},
        state=JobState.RUNNING,
        run_at=now,
        attempts=0,
        series=1,
        series_started_at=now,
        created_at=now,
        updated_at=now,
        lease_owner="worker-1",
    )


@pytest.fixture
def make_job() -> Callable[[JsonObject], Job]:
    return claimed_job


@pytest.fixture
def script(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write an executable /bin/sh script into tmp_path."""

    def write(name: str, body: str) -> Path:
        path = tmp_path / name
        path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
        path.chmod(0o755)
        return path

    return write
