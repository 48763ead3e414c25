"""Jobs of kind ``task`` as a worker would see them after claiming."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from ringback.core.jobs import Job, JobKind, JobState, JsonObject

MakeJob = Callable[..., Job]


def claimed_job(payload: JsonObject, *, job_id: int = 1, attempts: int = 0, series: int = 1) -> Job:
    now = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    return Job(
        id=job_id,
        kind=JobKind.TASK,
        queue="statements",
        key="stmt-2026-11-23",
        target=None,
        labels={"bank": "demo"},
        payload=payload,
        policy={"kind": "fixed", "every": "30m"},
        state=JobState.RUNNING,
        run_at=now,
        attempts=attempts,
        series=series,
        series_started_at=now,
        created_at=now,
        updated_at=now,
        lease_owner="worker-1",
    )


@pytest.fixture
def make_job() -> MakeJob:
    return claimed_job


@pytest.fixture
def unique() -> str:
    """A fresh prefix, because the default registry and sys.modules live on between tests."""
    return f"t{uuid.uuid4().hex[:12]}"
