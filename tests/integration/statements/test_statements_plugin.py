"""A plugin source is paced and retried exactly like an HTTP one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ringback.core.clock import FakeClock
from ringback.core.errors import ConfigError
from ringback.core.jobs import JobState
from ringback.domain.statements.pulls import PullStatus, parse_statements_config, pull_job_key

from . import plugin_bank
from .statements_env import DAY, TICK, job_settled, source_table, stored_pull, worker


def plugin_config(tmp_path: Path, plugin: str) -> dict[str, object]:
    table = source_table("http://unused.example/", kind="plugin", plugin=plugin)
    del table["url"]
    table["options"] = {"not_ready_calls": 2}
    return {"sources": {"custom": table}}


async def test_a_plugin_is_asked_every_interval_until_it_returns_the_file(tmp_path: Path) -> None:
    config = parse_statements_config(
        plugin_config(tmp_path, "tests.integration.statements.plugin_bank:fetch"),
        base_dir=tmp_path,
    )
    assert config is not None
    plugin_bank.calls.clear()
    clock = FakeClock(TICK)
    key = pull_job_key("custom", DAY)
    async with worker(tmp_path / "rb.db", clock, config) as w:
        await w.service.trigger("custom", DAY)
        job = await job_settled(w.store, key, 1)
        clock.set(job.run_at)
        job = await job_settled(w.store, key, 2)
        clock.set(job.run_at)
        job = await job_settled(w.store, key, 3)
        pull = await stored_pull(w.service, "custom", DAY)
        attempts = await w.store.list_attempts(job.id)

    assert plugin_bank.calls[DAY.isoformat()] == 3
    assert [a.started_at for a in attempts] == [TICK + n * timedelta(minutes=30) for n in range(3)]
    assert attempts[0].error == "not_ready: the export job has not run yet"
    assert job.state is JobState.SUCCEEDED
    assert pull.status is PullStatus.RECEIVED
    assert pull.received is not None and pull.received.lines == 2


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        ("tests.integration.statements.plugin_bank", "package.module:function"),
        ("tests.integration.statements.no_such_module:fetch", "cannot import"),
        ("tests.integration.statements.plugin_bank:not_async", "not an async function"),
    ],
)
def test_a_plugin_that_cannot_be_used_stops_start_up(
    tmp_path: Path, plugin: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_statements_config(plugin_config(tmp_path, plugin), base_dir=tmp_path)
    assert message in caught.value.message
    assert caught.value.field == "statements.sources.custom.plugin"
