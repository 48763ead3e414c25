"""JobService.submit: everything is validated before the store is touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from service_env import START, URL

from ringback.core.clock import FakeClock
from ringback.core.errors import InvalidInput
from ringback.core.executors.base import Executor
from ringback.core.jobs import JobKind, JobState
from ringback.core.policies import ALIPAY, DEFAULT_POLICY_SPEC, parse_policy
from ringback.core.service import JobService, SubmitRequest
from ringback.core.store.sqlite import SqliteStore


def http(url: str = URL, **extra: Any) -> dict[str, Any]:
    return {"url": url, "method": "POST", "json": {"trade_no": "T1"}, **extra}


async def test_submit_stores_a_normalised_job(service: JobService) -> None:
    result = await service.submit(
        SubmitRequest(kind="http", payload=http(), labels={"merchant": "m1"}, queue="notify")
    )
    job = result.job
    assert result.created
    assert job.kind is JobKind.HTTP
    assert job.state is JobState.SCHEDULED
    assert job.queue == "notify"
    assert job.labels == {"merchant": "m1"}
    assert job.target == "shop.example:443"
    assert job.payload["url"] == URL
    assert job.payload["json"] == {"trade_no": "T1"}
    assert job.policy == parse_policy(DEFAULT_POLICY_SPEC).to_spec()
    assert job.run_at == START  # the default policy starts at once
    assert job.series == 1 and job.attempts == 0


async def test_first_run_from_at_delay_or_policy(service: JobService) -> None:
    plus8 = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 2, 9, 30, tzinfo=plus8)
    by_at = await service.submit(SubmitRequest(kind="http", payload=http(), at=at))
    assert by_at.job.run_at == at and by_at.job.run_at.tzinfo == UTC
    by_delay = await service.submit(
        SubmitRequest(kind="http", payload=http(), delay=timedelta(minutes=10))
    )
    assert by_delay.job.run_at == START + timedelta(minutes=10)
    delayed_policy = {"type": "schedule", "delays": ["30s", "1m"]}
    by_policy = await service.submit(
        SubmitRequest(kind="http", payload=http(), policy=delayed_policy)
    )
    assert by_policy.job.run_at == START + timedelta(seconds=30)


async def test_preset_name_or_object_is_stored_as_its_schedule(service: JobService) -> None:
    by_name = await service.submit(SubmitRequest(kind="http", payload=http(), policy="alipay"))
    by_object = await service.submit(
        SubmitRequest(kind="http", payload=http(), policy={"preset": "alipay"})
    )
    assert by_name.job.policy == ALIPAY.to_spec() == by_object.job.policy


async def test_same_key_returns_the_first_job_and_creates_nothing(
    service: JobService, store: SqliteStore
) -> None:
    first = await service.submit(SubmitRequest(kind="http", payload=http(), key="pay-T1"))
    again = await service.submit(
        SubmitRequest(kind="http", payload=http("https://other.example/x"), key="pay-T1")
    )
    assert first.created and not again.created
    assert again.job.id == first.job.id
    assert again.job.payload["url"] == URL
    assert await service.count() == 1


BAD_REQUESTS: list[tuple[dict[str, Any], str]] = [
    ({"kind": "fax"}, "kind"),
    ({"kind": "task"}, "kind"),  # not enabled: no task executor in this service
    ({"payload": http("ftp://shop.example/x")}, "payload.url"),
    ({"payload": {"method": "POST"}}, "payload.url"),
    ({"payload": http(nonsense=1)}, "payload.nonsense"),
    ({"payload": {"url": URL, "blob": {1, 2}}}, "payload"),
    ({"at": datetime(2026, 3, 2, 9, 30)}, "at"),
    ({"at": START, "delay": timedelta(minutes=1)}, "delay"),
    ({"delay": timedelta(seconds=-1)}, "delay"),
    ({"policy": "nosuchpreset"}, "policy.preset"),
    ({"policy": {"type": "schedule", "delays": ["1m", "soon"]}}, "policy.delays[1]"),
    ({"policy": {"type": "warp"}}, "policy.type"),
    ({"policy": 42}, "policy"),
    ({"queue": ""}, "queue"),
    ({"queue": "has space"}, "queue"),
    ({"key": ""}, "key"),
    ({"key": "k" * 201}, "key"),
    ({"labels": {"bad name": "x"}}, "labels.bad name"),
    ({"labels": {"ok": 5}}, "labels.ok"),
]


@pytest.mark.parametrize(("change", "field"), BAD_REQUESTS)
async def test_bad_input_names_the_field_and_stores_nothing(
    service: JobService, change: dict[str, Any], field: str
) -> None:
    request: dict[str, Any] = {"kind": "http", "payload": http(), **change}
    with pytest.raises(InvalidInput) as caught:
        await service.submit(SubmitRequest(**request))
    assert caught.value.field == field
    assert caught.value.message
    assert await service.count() == 0


async def test_submit_many_is_one_batch_all_or_nothing(service: JobService) -> None:
    good = SubmitRequest(kind="http", payload=http(), key="a")
    bad = SubmitRequest(kind="http", payload=http("not a url"), key="b")
    with pytest.raises(InvalidInput) as caught:
        await service.submit_many([good, bad])
    assert caught.value.field == "jobs[1].payload.url"
    assert await service.count() == 0

    results = await service.submit_many([good, SubmitRequest(kind="http", payload=http())])
    assert [r.created for r in results] == [True, True]
    assert results[0].job.id < results[1].job.id
    replay = await service.submit_many([good])
    assert not replay[0].created and replay[0].job.id == results[0].job.id
    assert await service.submit_many([]) == []


async def test_default_policy_applies_when_none_is_given(
    store: SqliteStore, clock: FakeClock, executors: dict[JobKind, Executor]
) -> None:
    service = JobService(store, clock, executors, default_policy={"preset": "alipay"})
    result = await service.submit(SubmitRequest(kind="http", payload=http()))
    assert result.job.policy == ALIPAY.to_spec()


def test_a_broken_default_policy_is_refused_at_start(
    store: SqliteStore, clock: FakeClock, executors: dict[JobKind, Executor]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        JobService(store, clock, executors, default_policy={"type": "fixed"})
    assert caught.value.field == "default_policy.interval"
